#include "common/state/process_id.hpp"

#include "common/state/proc_stat.hpp"

namespace ah::state {

Liveness liveness(const ProcessId& id, const std::filesystem::path& proc_root) noexcept {
  const auto stat = read_proc_stat(id.pid, proc_root);
  if (!stat || stat->exited()) return Liveness::exited;
  if (id.start_time == 0) return Liveness::unverified;
  return stat->start_time == id.start_time ? Liveness::running : Liveness::exited;
}

ProcessId process_id_of(std::int64_t pid, const std::filesystem::path& proc_root) noexcept {
  const auto stat = read_proc_stat(pid, proc_root);
  return {pid, stat && !stat->exited() ? stat->start_time : 0};
}

} // namespace ah::state
