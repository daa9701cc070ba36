#include "session/prompt_queue.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/io.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fmt/format.h>
#include <sys/stat.h>

namespace ah::session {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_suffix = ".prompt";
constexpr std::string_view k_taken = ".taken";
constexpr std::size_t k_digits = 12;
// A queued prompt is read back with the cap inject reads stdin with.
constexpr std::size_t k_prompt_max = 16 * 1024 * 1024;

// The sequence number of a queue entry's name (NNNNNNNNNNNN.prompt, with
// `.taken` when `taken`), or nullopt for any other name.
std::optional<unsigned long long> sequence_of(std::string_view name, bool taken) {
  if (taken) {
    if (!name.ends_with(k_taken)) return std::nullopt;
    name.remove_suffix(k_taken.size());
  }
  if (name.size() != k_digits + k_suffix.size() || !name.ends_with(k_suffix)) return std::nullopt;
  unsigned long long n = 0;
  for (std::size_t i = 0; i < k_digits; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(name[i] - '0');
  }
  return n;
}

std::vector<fs::path> entries(const fs::path& dir, bool taken) {
  std::vector<std::pair<unsigned long long, fs::path>> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (auto n = sequence_of(it->path().filename().string(), taken)) found.emplace_back(*n, it->path());
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  out.reserve(found.size());
  for (auto& [n, p] : found)
    out.push_back(std::move(p));
  return out;
}

} // namespace

fs::path queue_dir(const fs::path& marker_dir, std::string_view session) {
  require_valid_session_name(session);
  return state_dir(marker_dir) / ("queue-" + std::string(session));
}

PromptQueue::PromptQueue(const fs::path& marker_dir, std::string_view session)
    : m_dir(queue_dir(marker_dir, session)) {}

void PromptQueue::check_dir() const {
  struct stat st {};
  if (::lstat(m_dir.c_str(), &st) != 0) throw_errno("cannot use the prompt queue " + m_dir.string());
  if (!S_ISDIR(st.st_mode) || !owned_by_us(st.st_uid) || (st.st_mode & 077))
    throw Error(fmt::format("the prompt queue {} is not a folder of ours closed to others ({}, mode {:o}); "
                            "remove it and queue again",
                            m_dir.string(), file_kind(st.st_mode), st.st_mode & 07777));
}

PromptQueue::Added PromptQueue::push(std::string_view text) {
  const fs::path parent = m_dir.parent_path();
  // The state folder, when it is not the marker folder itself (a private
  // one, which the settings made ready already).
  make_dirs(parent);
  if (::mkdir(m_dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw_errno("cannot create the prompt queue " + m_dir.string());
  check_dir();
  // Sequence numbers are handed out one at a time: the next one is one more
  // than the largest in the folder, taken files included.
  FileLock lock(m_dir / ".lock", std::chrono::seconds(10));
  unsigned long long last = 0;
  for (bool taken : {false, true})
    for (const auto& p : entries(m_dir, taken))
      last = std::max(last, *sequence_of(p.filename().string(), taken));
  const fs::path file = m_dir / fmt::format("{:0{}}{}", last + 1, k_digits, k_suffix);
  write_file_atomic(file, text, 0600);
  return Added{file, entries(m_dir, false).size() + entries(m_dir, true).size()};
}

std::vector<fs::path> PromptQueue::pending() const {
  return entries(m_dir, false);
}

std::vector<fs::path> PromptQueue::taken() const {
  return entries(m_dir, true);
}

std::optional<TakenPrompt> PromptQueue::reclaim(const fs::path& taken_file) const {
  std::string name = taken_file.filename().string();
  if (!sequence_of(name, true)) return std::nullopt;
  auto text = read_file(taken_file,
                        ReadLimits{.max_bytes = k_prompt_max, .owner_only = true, .follow_symlinks = false});
  if (!text) return std::nullopt;
  name.resize(name.size() - k_taken.size());
  return TakenPrompt{taken_file, name, std::move(*text)};
}

std::optional<TakenPrompt> PromptQueue::take() {
  if (!path_exists(m_dir)) return std::nullopt;
  check_dir();
  for (const auto& p : pending()) {
    const fs::path taken = p.string() + std::string(k_taken);
    if (std::rename(p.c_str(), taken.c_str()) != 0) {
      if (errno == ENOENT) continue; // another deliverer took it first
      throw_errno("cannot take " + p.string() + " from the prompt queue");
    }
    try {
      if (auto prompt = reclaim(taken)) return prompt;
    } catch (const Error&) {
    }
    // Not a prompt we can read (not ours, too large): set aside, never typed.
    const fs::path bad = m_dir / (p.filename().string() + ".unreadable");
    std::rename(taken.c_str(), bad.c_str());
  }
  return std::nullopt;
}

void PromptQueue::done(const TakenPrompt& prompt) {
  remove_file(prompt.file);
}

void PromptQueue::give_back(const TakenPrompt& prompt) {
  const fs::path back = m_dir / prompt.name;
  if (std::rename(prompt.file.c_str(), back.c_str()) != 0)
    throw_errno("cannot put " + prompt.file.string() + " back into the prompt queue");
}

bool PromptQueue::remove_all() noexcept {
  struct stat st {};
  if (::lstat(m_dir.c_str(), &st) != 0) return errno == ENOENT;
  if (!S_ISDIR(st.st_mode) || !owned_by_us(st.st_uid)) return false;
  std::error_code ec;
  fs::remove_all(m_dir, ec);
  return !ec;
}

} // namespace ah::session
