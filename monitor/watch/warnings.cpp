#include "monitor/watch/warnings.hpp"

#include "common/log.hpp"

#include <array>
#include <cstddef>

namespace ah::monitor {

namespace {

std::array<std::string, static_cast<std::size_t>(WarningSource::count)> g_last_warning;

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
