#pragma once
// Where the per-session state files live and what they are called (the bash
// helpers' names, so existing orchestrators find them).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah {

// The marker folder's variable. Unset (and no `marker_dir` in the config),
// the markers live in the private folder (common/state/private_dir.hpp),
// which no other user can open; monitor/settings.cpp is the one place that
// resolves the setting. A shared folder such as the bash helpers' /tmp is
// used only when the user names it.
inline constexpr const char* k_marker_dir_env = "AGENT_HOOKS_MARKER_DIR";

struct MarkerFiles {
  std::filesystem::path idle;          // claude-idle-SESSION.ts: epoch of the last finished response
  std::filesystem::path phase_changed; // phase-changed-SESSION.marker: the phase file was just written
  std::filesystem::path exited;        // claude-exited-SESSION.ts: "EPOCH REASON" when Claude exited
  std::filesystem::path nudge_count;   // claude-nudge-SESSION.count: nudges sent so far
  std::filesystem::path
      state; // agent-session-SESSION.json: the session state file (common/state), in state_dir()
  std::filesystem::path turn; // claude-turn-SESSION.json: the turn record (common/state/turn), in state_dir()

  // Every file above, for cleaning up a session.
  std::vector<std::filesystem::path> all() const {
    return {idle, phase_changed, exited, nudge_count, state, turn};
  }
};

// Where the state files of the sessions whose markers are in `marker_dir`
// live: `marker_dir` itself when no one else can write to it (a private
// folder); else (a shared folder such as /tmp) a folder of the user's own,
// `state_home(…)/shared-HASH` (HASH: stable_hash of the marker folder's
// absolute path). Another user can plant a file at any name in a shared
// folder, and a state file of ours could not be renamed over theirs: the
// session could not be started. Markers stay in the shared folder (their
// names are the bash helpers', which orchestrators read); the state file is
// ours alone. Looks at the disk (a stat of `marker_dir`); a folder that
// cannot be looked at counts as private (nothing can be written there
// either). `home` and `xdg_state_home` are $HOME and $XDG_STATE_HOME; the
// overload without them reads the environment.
std::filesystem::path state_dir(const std::filesystem::path& marker_dir);
std::filesystem::path state_dir(const std::filesystem::path& marker_dir, std::string_view home,
                                std::string_view xdg_state_home);

// Makes the state folder of `marker_dir` ready to be written, when it is not
// `marker_dir` itself: created 0700 (its parents as needed), and checked to
// be a real folder of ours closed to others. Throws Error naming the fix.
void prepare_state_dir(const std::filesystem::path& marker_dir);

// The marker files of `session` in `dir` (its state file in state_dir(dir)).
// Throws Error when the session name is invalid.
MarkerFiles marker_files(const std::filesystem::path& dir, std::string_view session);

// The names of the sessions that have any of the files above in `dir` (or a
// state file in state_dir(dir)),
// sorted and without duplicates (invalid names are skipped). Unreadable
// directory: empty.
std::vector<std::string> sessions_in(const std::filesystem::path& dir);

// A file at one of our names (a marker, a state file, a phase file) that
// another user owns, as the warning that says it is ignored: nothing we do
// reads, believes, removes or fails on it. nullopt when the file is ours or
// missing. `what` names the kind of file ("marker", "state file").
std::optional<std::string> not_ours_warning(const std::filesystem::path& file, std::string_view what);

// Makes a marker folder the user named fit to hold the markers of a session
// before it is used: a shared sticky directory (such as /tmp: world-writable
// with the sticky bit, where another user's file at one of our names is
// ignored) is taken as it is; any other directory must be a real directory
// (not a link) owned by us and not writable by group or others; a missing
// one is created with mode 0700. (The default, the private folder, is
// prepare_private_dir's.) Throws Error naming the directory, what is wrong
// and the fix.
void prepare_marker_dir(const std::filesystem::path& dir);

} // namespace ah
