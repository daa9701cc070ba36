#include "monitor/watch/warnings.hpp"

#include "common/log.hpp"
#include "common/state/markers.hpp"

#include <array>
#include <cstddef>
#include <set>

namespace ah::monitor {

namespace {

std::array<std::string, static_cast<std::size_t>(WarningSource::count)> g_last_warning;
std::set<std::filesystem::path> g_not_ours_told;

} // namespace

void warn_once(WarningSource source, const std::string& message) {
  std::string& last = g_last_warning[static_cast<std::size_t>(source)];
  if (message == last) return;
  last = message;
  log::warn("{}", message);
}

void resolved(WarningSource source) {
  g_last_warning[static_cast<std::size_t>(source)].clear();
}

} // namespace ah::monitor

namespace ah::monitor {

bool ignored_as_not_ours(const std::filesystem::path& path, std::string_view what) {
  auto warning = not_ours_warning(path, what);
  if (!warning) return false;
  if (g_not_ours_told.insert(path).second) log::warn("{}", *warning);
  return true;
}

} // namespace ah::monitor
