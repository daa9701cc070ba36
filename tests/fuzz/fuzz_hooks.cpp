// libFuzzer target: every marker hook's handler, and the payload reader under
// them, must take any bytes as a payload without crashing, hanging, leaking
// or writing outside its scratch directory.
#include "hooks/compact_reinject.hpp"
#include "hooks/idle_stop.hpp"
#include "hooks/phase_change.hpp"
#include "hooks/session_end.hpp"
#include "hooks/stop_failure.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace {

const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "agent-hooks-fuzz.XXXXXX").string();
    if (!::mkdtemp(pattern.data())) std::abort();
    return std::filesystem::path(pattern);
  }();
  return dir;
}

template <typename F> void guarded(F&& f) {
  try {
    f();
  } catch (const std::exception&) { // an Error is a valid outcome (the runner reports it)
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const auto& dir = scratch();
  const auto phase = dir / "f.phase";
  // The phase file alternates between empty (nudges) and a phase.
  std::ofstream(phase, std::ios::trunc) << (size % 2 ? "" : "PHASE:working\n");
  std::ofstream(dir / "f.context") << "context\n";

  ah::hooks::IdleStopArgs idle{.marker = dir / "claude-idle-f.ts", .phase_file = phase, .session = "f"};
  guarded([&] { ah::hooks::idle_stop(idle, payload, 1); });
  ah::hooks::PhaseChangeArgs change{.phase_file = phase, .marker = dir / "phase-changed-f.marker"};
  guarded([&] { ah::hooks::phase_change(change, payload, 1); });
  ah::hooks::StopFailureArgs failure{.phase_file = phase, .marker = dir / "phase-changed-f.marker"};
  guarded([&] { ah::hooks::stop_failure(failure, payload, 1); });
  ah::hooks::SessionEndArgs end{.marker = dir / "claude-exited-f.ts"};
  guarded([&] { ah::hooks::session_end(end, payload, 1); });
  ah::hooks::CompactReinjectArgs reinject{.context_file = dir / "f.context"};
  guarded([&] { ah::hooks::compact_reinject(reinject, payload); });
  std::filesystem::remove(dir / "claude-nudge-f.count");
  return 0;
}
