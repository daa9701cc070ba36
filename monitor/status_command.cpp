#include "monitor/status_command.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/state/markers.hpp"
#include "common/state/phase_file.hpp"
#include "common/state/session_state.hpp"
#include "common/state/state_read.hpp"
#include "common/state/turn.hpp"
#include "common/text.hpp"
#include "monitor/settings.hpp"
#include "session/prompt_queue.hpp"
#include "session/tmux.hpp"

#include <charconv>
#include <fmt/format.h>
#include <memory>
#include <sys/stat.h>

namespace ah::monitor {

namespace {

namespace fs = std::filesystem;

struct Row {
  std::string session;
  std::string phase_file;
  std::string phase;
  std::int64_t phase_mtime = 0; // 0: no phase file
  std::int64_t idle_since = 0;  // 0: not idle
  std::int64_t exited_at = 0;   // 0: no exit marker
  std::string exit_reason;
  std::string lock = "-";
  std::int64_t claude_pid = 0;
  std::string claude = "-";              // yes | no | tmux (no pid known, the tmux session exists) | ?
  std::optional<state::TurnRecord> turn; // the hooks' turn record, when there is one
  std::size_t queued = 0;                // prompts in its queue (inject --queue), being delivered included
  std::vector<std::string> problems;
};

// Where the session stands, in one word: the turn record's state, a usage
// limit as `held`, and Claude's exit over all of them.
std::string state_word(const Row& r) {
  if (r.exited_at > 0 || r.claude == "no") return "exited";
  if (!r.turn) return "-";
  if (state::limit_resets_at(*r.turn)) return "held";
  return std::string(state::turn_state_name(r.turn->state));
}

// Epoch seconds of the state's start (the record keeps milliseconds).
std::int64_t state_since(const Row& r) {
  if (r.exited_at > 0) return r.exited_at;
  return r.turn ? r.turn->since_ms / 1000 : 0;
}

std::int64_t leading_epoch(std::string_view text) {
  text = trim(text);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() ? n : 0;
}

std::string age(std::int64_t since, std::int64_t now) {
  if (since <= 0) return "-";
  const std::int64_t s = std::max<std::int64_t>(0, now - since);
  if (s < 120) return fmt::format("{}s", s);
  if (s < 7200) return fmt::format("{}m", s / 60);
  if (s < 172800) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

// `text` cut to `width` characters (~ marks a cut), on a UTF-8 character
// boundary: a cut inside a character would print invalid UTF-8.
std::string fit(std::string_view text, std::size_t width) {
  // A character starts at every byte that is not a continuation byte (10xxxxxx).
  const auto starts = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
  std::size_t chars = 0, cut = 0;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (starts(text[i]) && ++chars == width) cut = i; // the cut goes before the width-th character
  if (chars <= width) return std::string(text);
  return std::string(text.substr(0, cut)) + "~";
}

Row row_for(const fs::path& marker_dir, const std::string& name, const MonitorSettings& settings) {
  Row row;
  row.session = name;
  const MarkerFiles m = marker_files(marker_dir, name);
  std::optional<state::SessionState> st;
  try {
    st = state::read_session_state(marker_dir, name);
  } catch (const Error& e) {
    row.problems.push_back(e.what());
  }
  try {
    if (auto idle = state::read_own_state(m.idle)) row.idle_since = leading_epoch(*idle);
  } catch (const Error& e) {
    row.problems.push_back(e.what());
  }
  try {
    if (auto exited = state::read_own_state(m.exited)) {
      const std::string_view text = trim(*exited);
      row.exited_at = leading_epoch(text);
      const auto space = text.find(' ');
      row.exit_reason = space == std::string_view::npos ? "" : std::string(trim(text.substr(space + 1)));
      if (row.exited_at == 0) row.exited_at = 1; // present but unreadable: still shown as exited
    }
  } catch (const Error& e) {
    row.problems.push_back(e.what());
  }
  std::string socket = settings.tmux_socket();
  if (st) {
    row.lock = st->lock == state::LockState::none ? "-" : std::string(state::to_string(st->lock));
    row.claude_pid = st->claude_pid;
    if (!st->phase_file.empty()) {
      row.phase_file = st->phase_file.string();
      try {
        row.phase = read_phase(st->phase_file);
      } catch (const Error& e) {
        row.problems.push_back(e.what());
      }
      struct stat s {};
      if (::stat(st->phase_file.c_str(), &s) == 0) row.phase_mtime = s.st_mtim.tv_sec;
    }
    if (socket.empty()) socket = st->tmux_socket;
  }
  row.turn = state::read_turn(m.turn);
  {
    const session::PromptQueue queue(marker_dir, name);
    row.queued = queue.pending().size() + queue.taken().size();
  }
  if (row.claude_pid > 0) {
    // With its start time, a pid reused by another process is not Claude.
    row.claude =
        state::maybe_running(state::liveness({row.claude_pid, st ? st->claude_start : 0})) ? "yes" : "no";
  } else {
    try {
      row.claude = session::Tmux(session::TmuxOptions{socket}).has_session(name) ? "tmux" : "no";
    } catch (const Error& e) {
      row.claude = "?";
      row.problems.push_back(e.what());
    }
  }
  return row;
}

void print_table(const std::vector<Row>& rows, std::int64_t now) {
  // 80 columns: SESSION 12, STATE 7, PHASE 18, AGE 5, IDLE 5, EXITED 12, LOCK 8, CLAUDE 6.
  constexpr auto k_format = "{:<12} {:<7} {:<18} {:>5} {:>5} {:<12} {:<8} {}\n";
  fmt::print(k_format, "SESSION", "STATE", "PHASE", "AGE", "IDLE", "EXITED", "LOCK", "CLAUDE");
  std::vector<std::string> notes;
  for (const auto& r : rows) {
    std::string exited = "-";
    if (r.exited_at > 0) exited = age(r.exited_at, now) + (r.exit_reason.empty() ? "" : " " + r.exit_reason);
    const std::string word = state_word(r);
    fmt::print(k_format, fit(r.session, 12), word, fit(r.phase.empty() ? "-" : r.phase, 18),
               age(r.phase_mtime, now), age(r.idle_since, now), fit(exited, 12), r.lock, r.claude);
    // What a person would ask next, on a line of its own.
    if (word == "waiting" && r.turn->waiting)
      notes.push_back(fmt::format("{} waits for {} for {}: {}", r.session, r.turn->waiting->kind,
                                  age(r.turn->waiting->at_ms / 1000, now), r.turn->waiting->what));
    else if (word == "held")
      notes.push_back(
          r.turn->reset_at
              ? fmt::format("{} hit a usage limit; it resets in {}", r.session, age(now, *r.turn->reset_at))
              : fmt::format("{} hit a usage limit; its reset time is not known", r.session));
  }
  for (const auto& r : rows)
    if (r.queued > 0)
      notes.push_back(
          fmt::format("{} has {} queued prompt{}", r.session, r.queued, r.queued == 1 ? "" : "s"));
  if (!notes.empty()) fmt::print("\n");
  for (const auto& n : notes)
    fmt::print("{}\n", n);
}

Json request_json(const std::optional<state::InputRequest>& r) {
  if (!r) return Json();
  return Json({{"kind", r->kind}, {"what", r->what}, {"since", r->at_ms / 1000}});
}

Json to_json(const std::vector<Row>& rows) {
  Json out = Json::array();
  for (const auto& r : rows) {
    Json item = {
        {"session", r.session},
        {"phase_file", r.phase_file},
        {"phase", r.phase},
        {"phase_mtime", r.phase_mtime},
        {"idle_since", r.idle_since},
        {"exited", r.exited_at > 0 ? Json({{"time", r.exited_at}, {"reason", r.exit_reason}}) : Json()},
        {"lock", r.lock == "-" ? "none" : r.lock},
        {"claude_pid", r.claude_pid},
        {"claude", r.claude},
        {"state", state_word(r) == "-" ? "unknown" : state_word(r)},
        {"state_since", state_since(r)},
        {"waiting",
         r.turn && r.turn->state == state::TurnState::waiting ? request_json(r.turn->waiting) : Json()},
        {"held_until", state_word(r) == "held" && r.turn->reset_at ? Json(*r.turn->reset_at) : Json()},
        {"error", r.turn && r.turn->state == state::TurnState::failed ? Json(r.turn->error) : Json()},
        {"last_prompt", r.turn && r.turn->prompt ? Json({{"id", r.turn->prompt->id},
                                                         {"time", r.turn->prompt->at_ms / 1000},
                                                         {"bytes", r.turn->prompt->bytes}})
                                                 : Json()},
        {"last_denied", r.turn ? request_json(r.turn->denied) : Json()},
        {"queue", r.queued},
        {"claude_session_id",
         r.turn && !r.turn->claude_session_id.empty() ? Json(r.turn->claude_session_id) : Json()},
        {"problems", r.problems}};
    out.push_back(std::move(item));
  }
  return out;
}

} // namespace

Action define_status(CLI::App& app, const GlobalOptions& global) {
  auto json = std::make_shared<bool>(false);
  app.add_flag("--json", *json, "a JSON array, one object per session");
  app.footer(
      "Columns: where the session stands (STATE: working, idle, waiting for a person, held by a usage\n"
      "limit, failed, exited; - when its hooks keep no turn record), the phase and its age, idle since\n"
      "(the Stop hook's marker), the exit marker's age and reason, the session lock, whether Claude\n"
      "runs (tmux: no pid known, the tmux session exists). A waiting or held session gets a line of its\n"
      "own below the table: what it waits for, or when the limit resets; so does one with queued\n"
      "prompts (inject --queue).\n\n"
      "Examples:\n  phase-monitor status\n  AGENT_HOOKS_MARKER_DIR=/tmp phase-monitor status   # the "
      "sessions the shim created");
  return [json, &global] {
    const MonitorSettings settings = MonitorSettings::load(global);
    std::vector<Row> rows;
    for (const auto& name : sessions_in(settings.marker_dir()))
      rows.push_back(row_for(settings.marker_dir(), name, settings));
    for (const auto& r : rows)
      for (const auto& p : r.problems)
        log::warn("session {}: {}", r.session, p);
    if (*json)
      fmt::print("{}\n", to_json(rows).dump(2, ' ', false, Json::error_handler_t::replace));
    else if (rows.empty())
      fmt::print("no sessions in {}\n", settings.marker_dir().string());
    else
      print_table(rows, epoch_seconds());
    return 0;
  };
}

} // namespace ah::monitor
