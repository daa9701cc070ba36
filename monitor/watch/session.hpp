#pragma once
// The session the watch follows, as the loop needs it: alive or not, the
// process whose end means Claude is gone, and a kill. The real one reads the
// session's state file and asks tmux; the tests use a fake.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace ah::monitor {

class SessionControl {
public:
  virtual ~SessionControl() = default;
  // The session runs: the process the state file names (Claude, else the
  // lock wrapper) when it names one, else the tmux session exists.
  virtual bool alive() = 0;
  // Kills it (session/kill: waits for Claude, removes the markers and state).
  virtual void kill() = 0;
  // The process whose end means Claude is gone: Claude's pid from the
  // session state file, else the lock wrapper's; 0 when unknown.
  virtual std::int64_t process_to_follow() = 0;
  // Gives the session its next prompt after a hold: `text`, typed once the
  // session is ready (session/inject). Returns the problem, "" when delivered.
  virtual std::string resume(const std::string& text) = 0;
};

// The session `name` of marker folder `marker_dir` on the tmux server
// `socket` ("" for the default one).
std::unique_ptr<SessionControl> make_session_control(std::filesystem::path marker_dir, std::string name,
                                                     std::string socket);

} // namespace ah::monitor
