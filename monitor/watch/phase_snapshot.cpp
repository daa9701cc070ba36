#include "monitor/watch/phase_snapshot.hpp"

#include "common/io.hpp"
#include "common/state/phase_file.hpp"
#include "common/text.hpp"
#include "monitor/watch/warnings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

namespace ah::monitor {

namespace fs = std::filesystem;

namespace {

constexpr int k_phase_read_attempts = 4;  // reads of a phase file that changes while it is read
constexpr std::size_t k_max_details = 64; // detail lines reported with --json

std::int64_t ns_of(const struct timespec& t) noexcept {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

FileStamp stamp_from(const struct stat& st) noexcept {
  return FileStamp{.exists = true,
                   .dev = static_cast<std::uint64_t>(st.st_dev),
                   .ino = static_cast<std::uint64_t>(st.st_ino),
                   .mtime_ns = ns_of(st.st_mtim),
                   .ctime_ns = ns_of(st.st_ctim),
                   .size = static_cast<std::int64_t>(st.st_size)};
}

} // namespace

FileStamp stamp_of(const fs::path& path) noexcept {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  return stamp_from(st);
}

PhaseSnapshot read_phase_snapshot(const fs::path& phase_file) {
  PhaseSnapshot snap;
  // Never block on a FIFO planted at the name; O_NOATIME where we may.
  int fd = ::open(phase_file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(phase_file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR) {
      warn_once(WarningSource::phase_file,
                fmt::format("cannot read the phase file {}: {}; taken as empty until it can be read",
                            phase_file.string(), std::strerror(errno)));
      snap.stamp = stamp_of(phase_file);
    } else {
      resolved(WarningSource::phase_file); // a missing file is no problem: the agent has not written it yet
    }
    return snap;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return snap;
  }
  snap.stamp = stamp_from(st);
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    warn_once(WarningSource::phase_file,
              fmt::format("the phase file {} is {}, not a regular file; taken as empty until it is one again",
                          phase_file.string(), file_kind(st.st_mode)));
    return snap;
  }
  if (!owned_by_us(st.st_uid)) {
    ::close(fd);
    // Another user wrote it (or made it first, with a mode that lets the
    // agent write it): a phase it holds is not the agent's word.
    const fs::path folder = phase_file.parent_path().empty() ? fs::path(".") : phase_file.parent_path();
    struct stat dir {};
    const bool shared = ::stat(folder.c_str(), &dir) == 0 && (dir.st_mode & (S_IWGRP | S_IWOTH));
    warn_once(WarningSource::phase_file,
              fmt::format("the phase file {} belongs to uid {}, not to us: not believed, taken as empty{}",
                          phase_file.string(), st.st_uid,
                          shared ? fmt::format(" (its folder {} is writable by others: keep phase files in a "
                                               "private folder, such as $XDG_RUNTIME_DIR/agent-hooks)",
                                               folder.string())
                                 : std::string()));
    snap.stamp = {};
    return snap;
  }
  resolved(WarningSource::phase_file);
  // The stamp must be that of the text read. A write landing between the
  // fstat and the read (the new text under the old mtime and size) was
  // reported once then and once more at the next look, so the file is read
  // again until its stamp holds still across a read (a few tries at most).
  std::string content;
  content.reserve(
      std::min<std::size_t>(static_cast<std::size_t>(std::max<off_t>(st.st_size, 0)) + 1, k_phase_read_max));
  char buf[8192];
  for (int attempt = 0;; ++attempt) {
    content.clear();
    if (attempt > 0 && ::lseek(fd, 0, SEEK_SET) != 0) break;
    while (content.size() < k_phase_read_max) {
      const ssize_t got = ::read(fd, buf, std::min(sizeof buf, k_phase_read_max - content.size()));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      content.append(buf, static_cast<std::size_t>(got));
    }
    struct stat after {};
    if (::fstat(fd, &after) != 0) break;
    const FileStamp read_under = stamp_from(after);
    const bool still = read_under == snap.stamp;
    snap.stamp = read_under;
    if (still || attempt == k_phase_read_attempts - 1) break;
  }
  ::close(fd);
  std::string_view rest(content);
  const auto nl = rest.find('\n');
  snap.phase = remove_whitespace(rest.substr(0, nl));
  // Digested as far as reported: line 1 and the detail lines taken.
  std::size_t reported = nl == std::string_view::npos ? content.size() : nl + 1;
  if (nl != std::string_view::npos) {
    rest.remove_prefix(nl + 1);
    while (!rest.empty() && snap.details.size() < k_max_details) {
      const auto end = rest.find('\n');
      std::string_view line = rest.substr(0, end);
      reported += end == std::string_view::npos ? line.size() : end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!trim(line).empty()) snap.details.emplace_back(line);
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  snap.content_digest = std::hash<std::string_view>{}(std::string_view(content).substr(0, reported));
  return snap;
}

} // namespace ah::monitor
