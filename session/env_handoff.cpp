#include "session/env_handoff.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/process_id.hpp"

#include <cerrno>
#include <charconv>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
#include <optional>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

extern char** environ;

namespace ah::session {

namespace {

// What a handed-over environment may weigh (the kernel's own limit on an
// exec's arguments and environment is of this order).
constexpr std::size_t k_max_env_bytes = 4 * 1024 * 1024;

constexpr unsigned k_seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

template <typename T> std::optional<T> number(std::string_view s) {
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

} // namespace

EnvHandoff::EnvHandoff(std::string_view text) {
  // Close-on-exec: the wrapper reaches it through /proc, not by
  // inheritance, so no child of ours (tmux, install-hooks) gets it.
  m_fd = ::memfd_create("agent-hooks-env", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (m_fd < 0) throw_errno("cannot create the memory file that hands the environment to the session");
  try {
    write_all(m_fd, text);
    if (::fcntl(m_fd, F_ADD_SEALS, k_seals) != 0) throw_errno("cannot seal the environment's memory file");
  } catch (...) {
    ::close(m_fd);
    throw;
  }
}

EnvHandoff::~EnvHandoff() {
  if (m_fd >= 0) ::close(m_fd);
}

std::string EnvHandoff::reference() const {
  const auto self = state::process_id_of(::getpid());
  return fmt::format("{}:{}:{}", self.pid, self.start_time, m_fd);
}

std::string environment_text() {
  std::string text;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("TMUX=") || entry.starts_with("TMUX_PANE=")) continue;
    text.append(entry);
    text.push_back('\0');
  }
  return text;
}

std::string read_env_handoff(std::string_view reference, const std::filesystem::path& proc_root) {
  const auto c1 = reference.find(':'), c2 = reference.rfind(':');
  std::optional<std::int64_t> pid;
  std::optional<std::uint64_t> start;
  std::optional<int> fd;
  if (c1 != std::string_view::npos && c1 != c2) {
    pid = number<std::int64_t>(reference.substr(0, c1));
    start = number<std::uint64_t>(reference.substr(c1 + 1, c2 - c1 - 1));
    fd = number<int>(reference.substr(c2 + 1));
  }
  if (!pid || !start || !fd || *pid <= 0 || *start == 0 || *fd < 0)
    throw Error(fmt::format("the environment reference '{}' is not PID:START:FD", reference));
  const state::ProcessId creator{*pid, *start};
  const auto gone = [&] {
    return Error(fmt::format("the create that started this session (pid {}) is gone, and with it the "
                             "environment for Claude; start the session again",
                             *pid));
  };
  if (state::liveness(creator, proc_root) != state::Liveness::running) throw gone();
  const auto path = proc_root / std::to_string(*pid) / "fd" / std::to_string(*fd);
  const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (in < 0) {
    const int err = errno;
    if (state::liveness(creator, proc_root) != state::Liveness::running) throw gone();
    throw_errno("cannot open the environment handed over at " + path.string(), err);
  }
  std::unique_ptr<int, void (*)(int*)> guard(new int(in), [](int* p) {
    ::close(*p);
    delete p;
  });
  // The pid may have been reused between the look and the open: look again.
  if (state::liveness(creator, proc_root) != state::Liveness::running) throw gone();
  struct stat st {};
  if (::fstat(in, &st) != 0) throw_errno("cannot look at the environment handed over at " + path.string());
  const int seals = ::fcntl(in, F_GET_SEALS);
  if (!S_ISREG(st.st_mode) || !owned_by_us(st.st_uid) || seals < 0 ||
      (static_cast<unsigned>(seals) & k_seals) != k_seals)
    throw Error(fmt::format("{} is not the sealed environment a create of ours hands over", path.string()));
  if (static_cast<std::size_t>(st.st_size) > k_max_env_bytes)
    throw Error(fmt::format("the environment handed over at {} is {} bytes, more than {}", path.string(),
                            st.st_size, k_max_env_bytes));
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::pread(in, text.data() + got, text.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_errno("cannot read the environment handed over at " + path.string());
    got += static_cast<std::size_t>(n);
  }
  return text;
}

int sweep_env_files(const std::filesystem::path& dir, std::string_view session) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return 0;
  const int dfd = ::dirfd(d.get());
  const std::string prefix = fmt::format(".agent-env-{}.", session);
  int removed = 0;
  while (const dirent* entry = ::readdir(d.get())) {
    const std::string_view name = entry->d_name;
    // mkstemp's six characters after the prefix, exactly.
    if (!name.starts_with(prefix) || name.size() != prefix.size() + 6) continue;
    struct stat st {};
    if (::fstatat(dfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
        !owned_by_us(st.st_uid))
      continue;
    if (::unlinkat(dfd, entry->d_name, 0) == 0) ++removed;
  }
  return removed;
}

} // namespace ah::session
