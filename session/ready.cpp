#include "session/ready.hpp"

#include "common/text.hpp"

namespace ah::session {

namespace {

constexpr std::string_view k_prompt = "\xe2\x9d\xaf\xc2\xa0"; // ❯ U+00A0
constexpr std::string_view k_cursor = "\xe2\x9d\xaf ";        // ❯ and a plain space
constexpr std::string_view k_rule = "\xe2\x94\x80";           // ─

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// A line of at least a few `─` and nothing else but spaces.
bool is_rule(std::string_view line) {
  line = trim(line);
  if (line.size() < 3 * k_rule.size()) return false;
  while (line.starts_with(k_rule))
    line.remove_prefix(k_rule.size());
  return line.empty();
}

std::string_view strip_leading_spaces(std::string_view line) {
  while (!line.empty() && line.front() == ' ')
    line.remove_prefix(1);
  return line;
}

// A selection menu's cursor: `❯ ` indented by at least one space (an earlier
// prompt in the transcript starts at column 0).
bool is_cursor_line(std::string_view line) {
  return line.starts_with(' ') && strip_leading_spaces(line).starts_with(k_cursor);
}

DialogKind classify(std::string_view text) {
  if (contains(text, "Detected a custom API key") || contains(text, "use this API key"))
    return DialogKind::api_key;
  if (contains(text, "trust this folder") || contains(text, "Accessing workspace")) return DialogKind::trust;
  if (contains(text, "Bypass Permissions mode") && contains(text, "Yes, I accept")) return DialogKind::bypass;
  return DialogKind::unknown;
}

} // namespace

std::string_view to_string(DialogKind kind) noexcept {
  switch (kind) {
  case DialogKind::none: return "none";
  case DialogKind::api_key: return "api_key";
  case DialogKind::trust: return "trust";
  case DialogKind::bypass: return "bypass";
  case DialogKind::unknown: return "unknown";
  }
  return "unknown";
}

PaneView analyse_pane(std::string_view captured) {
  PaneView view;
  const auto lines = split_lines(captured);
  bool confirm = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (contains(line, "Enter to confirm") || contains(line, "Esc to cancel")) confirm = true;
    if (is_cursor_line(line) && view.cursor_line < 0) view.cursor_line = static_cast<int>(i);
    if (contains(line, "esc to interrupt")) view.working = true;
  }
  if (confirm || view.cursor_line >= 0) view.dialog = classify(captured);

  // The last framed prompt on screen (the input box is at the bottom).
  for (std::size_t i = lines.size(); i-- > 1;) {
    if (!lines[i].starts_with(k_prompt) || !is_rule(lines[i - 1])) continue;
    std::size_t end = i + 1;
    while (end < lines.size() && !is_rule(lines[end]))
      ++end;
    if (end == lines.size()) continue; // no rule below: not the input box
    view.prompt = true;
    std::string input(lines[i].substr(k_prompt.size()));
    for (std::size_t j = i + 1; j < end; ++j) {
      input += '\n';
      input += lines[j];
    }
    view.input = std::move(input);
    break;
  }
  return view;
}

std::optional<int> dialog_answer(std::string_view captured) {
  const PaneView view = analyse_pane(captured);
  std::string_view wanted;
  switch (view.dialog) {
  case DialogKind::trust: wanted = "Yes, I trust this folder"; break;
  case DialogKind::bypass: wanted = "Yes, I accept"; break;
  default: return std::nullopt;
  }
  if (view.cursor_line < 0) return std::nullopt;
  const auto lines = split_lines(captured);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view option = strip_leading_spaces(lines[i]);
    if (option.starts_with(k_cursor)) option = strip_leading_spaces(option.substr(k_cursor.size()));
    // "Yes, I trust this folder" or a numbered "2. Yes, I trust this folder".
    if (option.starts_with(wanted) ||
        (option.size() > 3 && contains(option.substr(0, 4 + wanted.size()), wanted)))
      return static_cast<int>(i) - view.cursor_line;
  }
  return std::nullopt;
}

std::string last_lines(std::string_view captured, std::size_t n) {
  auto lines = split_lines(captured);
  std::vector<std::string_view> kept;
  for (auto line : lines)
    if (!trim(line).empty()) kept.push_back(line);
  std::string out;
  for (std::size_t i = kept.size() > n ? kept.size() - n : 0; i < kept.size(); ++i) {
    out += "  | ";
    out += kept[i];
    out += '\n';
  }
  return out;
}

} // namespace ah::session
