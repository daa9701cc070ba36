#pragma once
// Every tmux call of agent-hooks goes through this one component:
// argument vectors, never a shell string; sessions always targeted by exact
// name (`=NAME`, `=NAME:` for its pane), since a bare `-t NAME` is a prefix
// match; an optional private server (`-L NAME` or `-S PATH`; TMUX_TMPDIR is
// honoured by tmux itself). Distinct, clear errors for "tmux is not
// installed", "no server running" and "no such session", naming the session.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah::session {

struct TmuxOptions {
  std::string socket; // "" default server; contains '/': -S PATH; else -L NAME
};

// Why the socket setting `socket` must not be used, or nullopt when it may.
// A socket path (-S) is used only when the socket, if it exists, is a socket
// owned by us, and its folder is ours and not writable by others: a socket
// another user planted (or could plant) would put our panes, and Claude, on
// their server. A name (-L) lives in tmux's own per-user folder, which tmux
// checks itself.
std::optional<std::string> socket_problem(const std::string& socket);

// What a tmux command returned.
struct TmuxResult {
  int status = 0; // exit status (127: tmux could not be run)
  std::string out;
  std::string err;
};

// `text` for a tmux argument that tmux expands as a format (new-session's
// -s and -c, pipe-pane's command): every `#` doubled, so it stays literal.
std::string tmux_literal(std::string_view text);

class Tmux {
public:
  explicit Tmux(TmuxOptions options = {});

  // Runs `tmux [socket args] ARGS...`, stdin from /dev/null, bounded by
  // `timeout` (then killed). Never throws for a non-zero status.
  TmuxResult run(const std::vector<std::string>& args,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  // As run(), with `input` on tmux's stdin (e.g. `load-buffer -b NAME -`).
  TmuxResult run_with_input(const std::vector<std::string>& args, std::string_view input,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  // As run(), but throws Error when tmux fails: "tmux is not installed", "no
  // tmux server is running", "no tmux session named exactly 'S'" (each
  // naming `session` and the fix), else tmux's own message after `what`.
  TmuxResult run_checked(const std::vector<std::string>& args, std::string_view session,
                         std::string_view what,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  // True when a session named exactly `name` exists on the server. False
  // when it does not, or no server runs. Throws Error when tmux is missing.
  bool has_session(std::string_view name) const;

  // `=NAME` and `=NAME:` (its current pane).
  static std::string session_target(std::string_view name);
  static std::string pane_target(std::string_view name);

  // The pane's visible text (`capture-pane -p`), one line per row. Throws
  // Error (as run_checked) when the session is not there.
  std::string capture_pane(std::string_view name) const;

  // The pids of the processes running in the session's panes; empty when the
  // session is not there.
  std::vector<std::int64_t> pane_pids(std::string_view name) const;

  // The argument vector prefix (tmux plus -L/-S) every call starts with.
  std::vector<std::string> base_args() const;

  // The session's problem as a user-facing message, from a failed result:
  // what kind of failure it is and how to fix it.
  static std::string describe_failure(const TmuxResult& result, std::string_view session,
                                      const TmuxOptions& options);

  const TmuxOptions& options() const noexcept { return m_options; }

private:
  TmuxOptions m_options;
};

} // namespace ah::session
