#include "common/state/phase_file.hpp"

#include "common/io.hpp"
#include "common/text.hpp"

namespace ah {

std::string read_phase(const std::filesystem::path& phase_file) {
  if (other_owner(phase_file, true)) return {};
  auto line = read_first_line(phase_file, k_phase_read_max);
  return line ? remove_whitespace(*line) : std::string();
}

std::filesystem::path context_file_for(const std::filesystem::path& phase_file) {
  std::string s = phase_file.string();
  constexpr std::string_view suffix = ".phase";
  if (s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0)
    s.resize(s.size() - suffix.size());
  return s + ".context";
}

} // namespace ah
