#pragma once
// A session's prompt queue on disk: prompts left by `inject --queue` while
// the session's Claude is busy, delivered in order and once each when its
// turn ends (by the deliverer, session/queue_deliverer.hpp).
//
// The folder `queue-SESSION` in the session's state folder (state_dir of the
// marker folder: ours and closed to others), 0700. One 0600 file per prompt,
// `NNNNNNNNNNNN.prompt`: a sequence number, handed out under a lock on the
// folder's `.lock`, so names sort in arrival order whatever the wall clock
// does. A file appears under its name only once it is whole (written under a
// hidden name, then renamed). A deliverer claims the first prompt by
// renaming it to `NNNNNNNNNNNN.prompt.taken`: rename is atomic, so of two
// deliverers exactly one wins it. Delivered, the taken file is removed; not
// delivered, it is renamed back and stays first.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah::session {

// A prompt a deliverer took out of the queue.
struct TakenPrompt {
  std::filesystem::path file; // the .taken file
  std::string name;           // its name in the queue (NNNNNNNNNNNN.prompt)
  std::string text;
};

class PromptQueue {
public:
  // The queue of `session` (a valid name) whose markers live in `marker_dir`.
  PromptQueue(const std::filesystem::path& marker_dir, std::string_view session);

  const std::filesystem::path& dir() const noexcept { return m_dir; }

  struct Added {
    std::filesystem::path file;
    std::size_t position = 0; // 1: next to be delivered (a prompt being delivered counts)
  };
  // Adds `text` at the end, creating the folder when missing (checked: a
  // real folder of ours that no one else can open). Throws Error.
  Added push(std::string_view text);

  // The waiting prompts' files, in order (taken ones excluded).
  std::vector<std::filesystem::path> pending() const;
  // The prompts being delivered (.taken files), in order.
  std::vector<std::filesystem::path> taken() const;

  // Takes the first waiting prompt, or nullopt when none is left (or another
  // deliverer took each one first). Throws Error when the folder is not ours.
  std::optional<TakenPrompt> take();
  // Delivered: the prompt leaves the queue.
  void done(const TakenPrompt& prompt);
  // Not delivered: the prompt goes back to its place (first).
  void give_back(const TakenPrompt& prompt);
  // A .taken file a deliverer that died left behind, as a TakenPrompt (to be
  // done or given back); nullopt when unreadable.
  std::optional<TakenPrompt> reclaim(const std::filesystem::path& taken_file) const;

  // Removes the folder and everything in it (`kill`). True when nothing is
  // left; another user's folder at the name is left alone (false).
  bool remove_all() noexcept;

private:
  std::filesystem::path m_dir;
  // Throws Error unless m_dir is a real folder of ours, closed to others.
  void check_dir() const;
};

// The queue folder of `session` in the state folder of `marker_dir`.
std::filesystem::path queue_dir(const std::filesystem::path& marker_dir, std::string_view session);

} // namespace ah::session
