#include "hooks/guard/audit.hpp"

#include "common/error.hpp"
#include "common/json.hpp"

#include <ctime>
#include <fcntl.h>
#include <unistd.h>

namespace ah::guard {

std::string audit_line(const AuditRecord& record) {
  std::time_t t = static_cast<std::time_t>(record.time);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  // In the order a reader scans a line: when, who, which rule, what, why.
  nlohmann::ordered_json line = {{"time", stamp},
                                 {"session", record.session},
                                 {"rule", record.rule},
                                 {"command", record.command},
                                 {"reason", record.reason}};
  // Invalid UTF-8 in a command must not stop the record.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void append_audit(const std::string& path, const AuditRecord& record) {
  const std::string line = audit_line(record);
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw_errno("cannot open audit log " + path);
  ssize_t n;
  do {
    n = ::write(fd, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  int err = errno;
  ::close(fd);
  if (n < 0) throw_errno("cannot write audit log " + path, err);
  if (static_cast<std::size_t>(n) != line.size()) throw Error("short write to audit log " + path);
}

} // namespace ah::guard
