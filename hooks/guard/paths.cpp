#include "hooks/guard/paths.hpp"

namespace ah::guard {

namespace {

// Appends the components of `p` to `out` (an absolute path without a
// trailing slash, "" for the root), folding `.`, `..` and repeated slashes.
void append_components(std::string& out, std::string_view p) {
  std::size_t i = 0;
  while (i < p.size()) {
    std::size_t slash = p.find('/', i);
    std::size_t end = slash == std::string_view::npos ? p.size() : slash;
    std::string_view part = p.substr(i, end - i);
    if (part == "..") {
      std::size_t last = out.rfind('/');
      out.resize(last == std::string::npos ? 0 : last);
    } else if (!part.empty() && part != ".") {
      out.push_back('/');
      out.append(part);
    }
    i = end + 1;
  }
}

// True when `p` is absolute with no empty, `.` or `..` component and no
// trailing slash (the root excepted): nothing to fold.
bool is_normal(std::string_view p) noexcept {
  if (p.empty() || p.front() != '/') return false;
  if (p.size() == 1) return true;
  if (p.back() == '/') return false;
  // One tight pass: only "//" and "/." can start a component to fold (the
  // last character is not a slash, so p[i + 1] exists).
  const char* d = p.data();
  const std::size_t n = p.size();
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (d[i] != '/') continue;
    const char next = d[i + 1];
    if (next == '/') return false;
    if (next != '.') continue;
    if (i + 2 == n || d[i + 2] == '/') return false;
    if (d[i + 2] == '.' && (i + 3 == n || d[i + 3] == '/')) return false;
  }
  return true;
}

// normalize_path, told whether `cwd` is known to be normal.
std::string normalize_in(std::string_view path, std::string_view cwd, bool cwd_normal) {
  // Built in place, without splitting into a list: a cwd grown by many cd's
  // is copied once, not taken apart on every call.
  std::string out;
  out.reserve(cwd.size() + path.size() + 1);
  if (path.empty() || path.front() != '/') {
    if (cwd_normal || is_normal(cwd))
      out.assign(cwd == "/" ? std::string_view() : cwd);
    else
      append_components(out, cwd);
  }
  append_components(out, path);
  return out.empty() ? "/" : out;
}

} // namespace

std::string normalize_path(std::string_view path, std::string_view cwd) {
  return normalize_in(path, cwd, false);
}

bool is_normal_path(std::string_view path) noexcept {
  return is_normal(path);
}

bool path_within(std::string_view path, std::string_view root) noexcept {
  if (root.empty()) return false;
  if (root == "/") return true;
  return path.substr(0, root.size()) == root && (path.size() == root.size() || path[root.size()] == '/');
}

bool path_below(std::string_view path, std::string_view root) noexcept {
  return path != root && path_within(path, root);
}

namespace {

// The variable a parameter expansion names when it is a plain $NAME or ${NAME}.
std::string_view plain_parameter(std::string_view text) noexcept {
  if (text.size() >= 3 && text[1] == '{' && text.back() == '}')
    text = text.substr(2, text.size() - 3);
  else
    text.remove_prefix(1);
  for (char c : text)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return {};
  return text;
}

} // namespace

ResolvedPath resolve_path(const shell::Word& word, const PathEnv& env) {
  ResolvedPath out;
  // Rebuild the text with the expansions the guard knows replaced: a leading
  // ~, and $HOME, $PWD and $FACTORY_ROOT anywhere. Any other expansion is
  // unknown; the first glob or brace cuts the path.
  std::string text;
  std::optional<std::size_t> cut;
  std::size_t copied = 0;
  for (const shell::Span& s : word.spans) {
    if (s.begin < copied || s.end < s.begin || s.end > word.text.size()) { // not from the parser: refuse
      out.unknown = word.text;
      return out;
    }
    text.append(word.text, copied, s.begin - copied);
    copied = s.end;
    std::string_view written = std::string_view(word.text).substr(s.begin, s.end - s.begin);
    if (s.kind == shell::SpanKind::glob || s.kind == shell::SpanKind::brace) {
      if (!cut) cut = text.size();
      text.append(written);
      continue;
    }
    if (cut) { // past the cut the value does not matter
      text.append(written);
      continue;
    }
    std::optional<std::string> value;
    if (s.kind == shell::SpanKind::tilde) {
      if (s.begin == 0 && written == "~" && !env.home.empty() && !env.home_reassigned) value = env.home;
    } else if (s.kind == shell::SpanKind::parameter) {
      std::string_view name = plain_parameter(written);
      if (name == "HOME" && !env.home.empty() && !env.home_reassigned) value = env.home;
      if (name == "PWD" && env.cwd && !env.pwd_reassigned) value = *env.cwd;
      if (name == "FACTORY_ROOT" && !env.factory_root.empty() && !env.factory_root_reassigned)
        value = env.factory_root;
    }
    if (!value) {
      out.unknown = std::string(written);
      return out;
    }
    text.append(*value);
  }
  text.append(word.text, copied, std::string::npos);
  if (cut) {
    std::size_t slash = text.rfind('/', *cut);
    text = slash == std::string::npos ? "." : text.substr(0, slash + 1);
    out.pattern = true;
  }
  if (text.empty() || text.front() != '/') {
    if (!env.cwd) {
      out.unknown = "the working directory (changed by an earlier cd the guard could not follow)";
      return out;
    }
    out.path = normalize_in(text, *env.cwd, env.cwd_normal);
  } else {
    out.path = normalize_path(text);
  }
  return out;
}

} // namespace ah::guard
