#include "session/process.hpp"

#include "common/error.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ah::session {

namespace {

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

void make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("cannot create a pipe");
  read_end.fd = fds[0];
  write_end.fd = fds[1];
}

int status_of(int wstatus) noexcept {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return 1;
}

} // namespace

ProcessResult run_process(const std::vector<std::string>& argv, std::string_view input,
                          std::chrono::milliseconds timeout) {
  ProcessResult result;
  if (argv.empty()) throw Error("run_process: empty command");
  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  if (!input.empty()) make_pipe(in_r, in_w);
  make_pipe(out_r, out_w);
  make_pipe(err_r, err_w);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (input.empty())
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  else
    posix_spawn_file_actions_adddup2(&actions, in_r.fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigfillset(&defaults);
  sigdelset(&defaults, SIGKILL);
  sigdelset(&defaults, SIGSTOP);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    result.status = 127;
    result.spawn_errno = rc;
    return result;
  }
  in_r.reset();
  out_w.reset();
  err_w.reset();

  // A reader that quit must not kill us with SIGPIPE while we feed it.
  struct sigaction ignore {
  }, old_pipe{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  if (!input.empty()) {
    ::sigaction(SIGPIPE, &ignore, &old_pipe);
    ::fcntl(in_w.fd, F_SETFL, O_NONBLOCK);
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t written = 0;
  std::array<char, 65536> buf{};
  while (out_r.fd >= 0 || err_r.fd >= 0 || in_w.fd >= 0) {
    std::array<pollfd, 3> pfds{};
    nfds_t n = 0;
    if (out_r.fd >= 0) pfds[n++] = {out_r.fd, POLLIN, 0};
    if (err_r.fd >= 0) pfds[n++] = {err_r.fd, POLLIN, 0};
    if (in_w.fd >= 0) pfds[n++] = {in_w.fd, POLLOUT, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    int ready = ::poll(pfds.data(), n, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      ::kill(pid, SIGKILL);
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (pfds[i].revents == 0) continue;
      if (pfds[i].fd == in_w.fd) {
        ssize_t w = ::write(in_w.fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) in_w.reset();
        continue;
      }
      Fd& src = pfds[i].fd == out_r.fd ? out_r : err_r;
      std::string& dst = pfds[i].fd == out_r.fd ? result.out : result.err;
      ssize_t r = ::read(src.fd, buf.data(), buf.size());
      if (r > 0)
        dst.append(buf.data(), static_cast<std::size_t>(r));
      else if (r == 0 || (errno != EINTR && errno != EAGAIN))
        src.reset();
    }
  }
  in_w.reset();
  if (!input.empty()) ::sigaction(SIGPIPE, &old_pipe, nullptr);

  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  result.status = result.timed_out ? 128 + SIGKILL : status_of(wstatus);
  if (result.timed_out)
    result.signal = SIGKILL;
  else if (WIFSIGNALED(wstatus))
    result.signal = WTERMSIG(wstatus);
  return result;
}

std::string describe_signal(int signal) {
  // sigabbrev_np (glibc 2.32): "SEGV" for 11, nullptr for a number without a name.
  if (const char* name = ::sigabbrev_np(signal)) return fmt::format("signal {}, SIG{}", signal, name);
  return fmt::format("signal {}", signal);
}

} // namespace ah::session
