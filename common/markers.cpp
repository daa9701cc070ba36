#include "common/markers.hpp"

#include "common/io.hpp"
#include "common/session_name.hpp"

namespace ah {

MarkerFiles marker_files(const std::filesystem::path& dir, std::string_view session) {
  require_valid_session_name(session);
  const std::string s(session);
  return MarkerFiles{
      .idle = dir / ("claude-idle-" + s + ".ts"),
      .phase_changed = dir / ("phase-changed-" + s + ".marker"),
      .exited = dir / ("claude-exited-" + s + ".ts"),
      .nudge_count = dir / ("claude-nudge-" + s + ".count"),
  };
}

std::filesystem::path default_marker_dir() {
  if (auto dir = env_value(k_marker_dir_env)) return *dir;
  return "/tmp";
}

} // namespace ah
