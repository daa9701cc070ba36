#include "common/markers.hpp"

#include "common/io.hpp"
#include "common/session_name.hpp"

#include <algorithm>

namespace ah {

MarkerFiles marker_files(const std::filesystem::path& dir, std::string_view session) {
  require_valid_session_name(session);
  const std::string s(session);
  return MarkerFiles{
      .idle = dir / ("claude-idle-" + s + ".ts"),
      .phase_changed = dir / ("phase-changed-" + s + ".marker"),
      .exited = dir / ("claude-exited-" + s + ".ts"),
      .nudge_count = dir / ("claude-nudge-" + s + ".count"),
      .state = dir / ("agent-session-" + s + ".json"),
  };
}

namespace {
struct NamePattern {
  std::string_view prefix, suffix;
};
constexpr NamePattern k_patterns[] = {{"claude-idle-", ".ts"},
                                      {"phase-changed-", ".marker"},
                                      {"claude-exited-", ".ts"},
                                      {"claude-nudge-", ".count"},
                                      {"agent-session-", ".json"}};
} // namespace

std::vector<std::string> sessions_in(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    for (const auto& p : k_patterns) {
      if (name.size() <= p.prefix.size() + p.suffix.size() || !name.starts_with(p.prefix) ||
          !name.ends_with(p.suffix))
        continue;
      std::string session = name.substr(p.prefix.size(), name.size() - p.prefix.size() - p.suffix.size());
      if (!session_name_problem(session)) out.push_back(std::move(session));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::filesystem::path default_marker_dir() {
  if (auto dir = env_value(k_marker_dir_env)) return *dir;
  return "/tmp";
}

} // namespace ah
