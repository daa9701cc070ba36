// libFuzzer target: the phase-file reader and the session state file. Any
// bytes as a phase file give a phase without whitespace; any bytes as a state
// file give a state or an Error, and a state written back reads back equal.
#include "common/error.hpp"
#include "common/state/phase_file.hpp"
#include "common/state/session_state.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "agent-hooks-fuzz.XXXXXX").string();
    if (!::mkdtemp(pattern.data())) std::abort();
    return std::filesystem::path(pattern);
  }();
  const auto phase = dir / "f.phase";
  std::ofstream(phase, std::ios::binary | std::ios::trunc)
      .write(text.data(), static_cast<std::streamsize>(size));
  try {
    const std::string p = ah::read_phase(phase);
    for (char c : p)
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f') __builtin_trap();
  } catch (const ah::Error&) {
  }
  try {
    const ah::state::SessionState s = ah::state::from_json(text, "fuzz.json");
    const ah::state::SessionState back = ah::state::from_json(ah::state::to_json(s), "back.json");
    if (back.session.empty() || back.lock != s.lock || back.claude_pid != s.claude_pid) __builtin_trap();
  } catch (const ah::Error&) {
  }
  return 0;
}
