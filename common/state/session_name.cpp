#include "common/state/session_name.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace ah {

namespace {

bool allowed(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// A byte as a message can show it: 'c' when printable ASCII, else \xNN.
std::string shown_char(unsigned char c) {
  if (c > 0x20 && c < 0x7f)
    return c == '\'' ? std::string("\"'\"") : fmt::format("'{}'", static_cast<char>(c));
  if (c == ' ') return "' ' (a space)";
  return fmt::format("\\x{:02X}", c);
}

// Why this byte is refused, beyond "only letters, digits, '_' and '-'".
std::string_view why_refused(unsigned char c, std::string_view name, std::size_t at) {
  if (c == '#') {
    const char next = at + 1 < name.size() ? name[at + 1] : '\0';
    if (next == '(') return "tmux runs the command in #(...) when it reads the name";
    if (next == '{') return "tmux replaces the format #{...} when it reads the name";
    return "tmux expands formats (#(...), #{...}) in session names";
  }
  if (c == '.' || c == ':')
    return "tmux renames it to '_', so the session would not be found under this name";
  if (c == '/') return "the name is part of file names, and '/' would leave the marker folder";
  if (c < 0x20 || c == 0x7f) return "a control character";
  if (c >= 0x80) return "tmux rewrites bytes outside ASCII that are not valid UTF-8";
  if (c == ' ' || c == '\t') return "shell commands built from the name would split it";
  return "shell commands and tmux give it a meaning of its own";
}

} // namespace

std::optional<std::string> session_name_problem(std::string_view name) {
  if (name.empty()) return std::string("it is empty (use 1 to 128 of A-Z a-z 0-9 _ -)");
  if (name.size() > k_max_session_name)
    return fmt::format("it is {} characters long, more than {}", name.size(), k_max_session_name);
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (!allowed(c))
      return fmt::format("character {} at position {} is not allowed: {} (a name is A-Z a-z 0-9 _ -)",
                         shown_char(c), i + 1, why_refused(c, name, i));
  }
  if (name.front() == '-') return std::string("it starts with '-', which programs read as an option");
  return std::nullopt;
}

void require_valid_session_name(std::string_view name) {
  if (auto why = session_name_problem(name)) {
    std::string shown;
    for (unsigned char c : name.substr(0, 64))
      shown += (c >= 0x20 && c < 0x7f && c != '\\') ? std::string(1, static_cast<char>(c))
                                                    : fmt::format("\\x{:02X}", c);
    if (name.size() > 64) shown += "...";
    throw Error(fmt::format("invalid session name '{}': {}", shown, *why));
  }
}

} // namespace ah
