#include "common/state/session_name.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace ah {

std::optional<std::string> session_name_problem(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (name.size() > k_max_session_name)
    return fmt::format("it is longer than {} characters", k_max_session_name);
  if (name == "." || name == "..") return "it is a relative directory name";
  if (name.front() == '-') return "it starts with '-'";
  for (unsigned char c : name) {
    if (c == '/') return "it contains '/'";
    if (c == ':') return "it contains ':' (tmux's target separator)";
    if (c < 0x20 || c == 0x7f) return "it contains a control character";
  }
  return std::nullopt;
}

void require_valid_session_name(std::string_view name) {
  if (auto why = session_name_problem(name)) {
    std::string shown;
    for (unsigned char c : name.substr(0, 64))
      shown += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    throw Error(fmt::format("invalid session name '{}': {}", shown, *why));
  }
}

} // namespace ah
