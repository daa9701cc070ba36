#pragma once
// A pane's output as events. tmux copies what the pane prints into a FIFO of
// ours (`pipe-pane`), so a wait for the screen to change wakes when the pane
// prints rather than on a timer: `create` and `wait-ready` see Claude's
// prompt within a few milliseconds of its drawing, while looking at the pane
// (a tmux client each time) only when something was drawn.
//
// Hand-written because no library we use does it: tmux's control mode would
// give the same `%output` stream, but as a client attached to the session it
// takes part in sizing the window and runs the user's attach hooks.
//
// The FIFO lives in the private folder (no other user can open it or write
// to it) and is removed with this object; the pane's pipe is closed again
// (`pipe-pane` with no command). A pane that already has a pipe (the user's
// logging) is left alone: then there are no events and the caller looks on
// its timer, as before.
#include "session/tmux.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ah::session {

class PaneOutput {
public:
  // Starts copying the pane of `session` into a FIFO. Never throws: when it
  // cannot (no private folder, the pane has a pipe, tmux refused), fd() is
  // -1 and why() says why, for the debug log.
  PaneOutput(const Tmux& tmux, std::string_view session);
  // For a pane known to have no pipe (a look just now): makes the FIFO but
  // leaves the `pipe-pane` to the caller, who runs pipe_args() in a tmux call
  // of its own (chained with what it does next, saving a tmux client) and
  // says how it went with piped(). fd() is -1 until then.
  struct Chained {};
  PaneOutput(const Tmux& tmux, std::string_view session, Chained);
  std::vector<std::string> pipe_args() const;
  void piped(bool ok) noexcept;
  ~PaneOutput();
  PaneOutput(const PaneOutput&) = delete;
  PaneOutput& operator=(const PaneOutput&) = delete;

  // The descriptor that is readable when the pane printed (or when its pipe
  // ended); -1 when there are no events.
  int fd() const noexcept { return m_fd; }
  // Reads what arrived. Returns false, and stops the events (fd() is -1),
  // when the pipe ended: the pane died, or someone replaced the pipe.
  bool drain() noexcept;
  const std::string& why() const noexcept { return m_why; }

private:
  // Makes the FIFO in the private folder and opens it; false (m_why set) when it cannot.
  bool make_fifo();
  const Tmux& m_tmux;
  std::string m_session;
  std::filesystem::path m_fifo;
  int m_fd = -1;
  int m_pending_fd = -1; // Chained: the FIFO's descriptor until piped()
  bool m_piped = false;
  std::string m_why;
};

} // namespace ah::session
