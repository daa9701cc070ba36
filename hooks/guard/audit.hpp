#pragma once
// The audit trail: one JSON line per denial, appended to a log file.
#include <cstdint>
#include <string>
#include <string_view>

namespace ah::guard {

struct AuditRecord {
  std::int64_t time = 0; // epoch seconds
  std::string_view session;
  std::string_view rule;
  std::string_view command;
  std::string_view reason;
};

// The JSON line (with its newline) for `record`; time as ISO 8601 UTC.
std::string audit_line(const AuditRecord& record);

// Appends the line to `path` with one write on an O_APPEND descriptor, so
// concurrent guards never interleave. Throws Error on failure.
void append_audit(const std::string& path, const AuditRecord& record);

} // namespace ah::guard
