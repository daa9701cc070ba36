#include "monitor/watch_command.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"
#include "common/state/session_state.hpp"
#include "common/text.hpp"
#include "monitor/settings.hpp"
#include "monitor/watch/driver.hpp"
#include "session/tmux.hpp"

#include <charconv>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <memory>
#include <unistd.h>

namespace ah::monitor {

namespace {

struct WatchArgs {
  std::string phase_file;
  std::string idle_timeout;
  std::string session;
  bool ack = false;
  bool json = false;
  bool poll_only = false;
  std::string poll_interval; // empty: the setting
  bool report_waiting = false;
  bool hold_on_limit = false;
  std::optional<std::string> resume_text;
};

std::chrono::milliseconds parse_seconds(const std::string& text, const char* what) {
  const auto n = parse_seconds_in(text, k_timeout_range);
  if (!n)
    throw CLI::ValidationError(
        what, fmt::format("'{}' is not {} (e.g. 3600)", text, describe_range(k_timeout_range)));
  return std::chrono::seconds(static_cast<long long>(*n));
}

int run(const WatchArgs& args, const GlobalOptions& global) {
  const MonitorSettings settings = MonitorSettings::load(global);
  if (args.phase_file.empty())
    throw CLI::ValidationError("PHASE_FILE", "is empty (name the file the agent writes its phase to)");
  const auto idle_timeout = parse_seconds(args.idle_timeout, "IDLE_TIMEOUT");
  std::chrono::milliseconds poll{};
  if (!args.poll_interval.empty()) {
    const auto given = parse_poll_interval(args.poll_interval);
    if (!given)
      throw CLI::ValidationError("--poll-interval",
                                 fmt::format("'{}' is not {} (e.g. 10 or 0.5)", args.poll_interval,
                                             describe_range(k_interval_range)));
    poll = *given;
  } else {
    poll = settings.poll_interval();
  }

  WatchRun wr;
  wr.phase_file = args.phase_file;
  wr.ack = args.ack;
  wr.json = args.json;
  WatchTargets targets{.phase_file = wr.phase_file, .marker_dir = {}, .marker_names = {}, .other_files = {}};
  std::unique_ptr<SessionControl> session;
  if (!args.session.empty()) {
    if (auto problem = session_name_problem(args.session)) throw CLI::ValidationError("SESSION", *problem);
    const MarkerFiles m = marker_files(settings.marker_dir(), args.session);
    wr.phase_changed_marker = m.phase_changed;
    wr.idle_marker = m.idle;
    wr.exit_marker = m.exited;
    wr.state_file = m.state;
    wr.turn_file = m.turn;
    targets.other_files.push_back(m.turn);
    targets.marker_dir = settings.marker_dir();
    for (const auto& p : {m.idle, m.phase_changed, m.exited, m.state})
      targets.marker_names.push_back(p.filename().string());
    std::string socket = settings.tmux_socket();
    if (socket.empty()) {
      try {
        if (auto st = state::read_session_state(settings.marker_dir(), args.session))
          socket = st->tmux_socket;
      } catch (const Error&) {
      }
      // Recorded by a create that checked it; checked again, as it may have been replaced since.
      if (auto problem = session::socket_problem(socket)) throw Error(*problem);
    }
    session = make_session_control(settings.marker_dir(), args.session, socket);
  }

  WatchConfig config{.idle_timeout = idle_timeout,
                     .poll_interval = poll,
                     .terminal_phases = settings.terminal_phases(),
                     .report_waiting = args.report_waiting || settings.report_waiting(),
                     .hold_on_limit = args.hold_on_limit || settings.hold_on_limit()};
  if (config.hold_on_limit && args.session.empty())
    throw CLI::ValidationError("--hold-on-limit", "needs SESSION: a held session is resumed through tmux");
  wr.resume_text = args.resume_text.value_or(settings.resume_text());
  if (config.hold_on_limit && trim(wr.resume_text).empty())
    throw CLI::ValidationError("--resume-text", "is empty: a resumed session needs a prompt to go on with");
  WatchLoop loop(config, WatchClock::now());
  // A caller that stopped reading must not kill us mid-write: the write fails and we end.
  std::signal(SIGPIPE, SIG_IGN);
  auto events = make_event_source(targets, poll, args.poll_only, args.ack ? STDIN_FILENO : -1);
  log::debug("watching {} ({}), idle timeout {} s, poll interval {} ms", wr.phase_file.string(),
             events->polling() ? "polling" : "inotify", idle_timeout.count() / 1000, poll.count());
  return run_watch(wr, loop, *events, session.get(), stdout);
}

} // namespace

Action define_watch(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<WatchArgs>();
  app.add_option("PHASE_FILE", args->phase_file, "the file the agent writes its phase to (line 1)")
      ->required();
  app.add_option("IDLE_TIMEOUT", args->idle_timeout,
                 "seconds without a phase change before the session is killed")
      ->required();
  app.add_option("SESSION", args->session,
                 "the tmux session to watch for crashes and an idle prompt (none: only the file)");
  app.add_flag("--ack", args->ack, "after each event line, wait for one line on stdin before going on");
  app.add_flag("--json", args->json, "JSON lines with ISO timestamps and the phase file's detail lines");
  app.add_option("--poll-interval", args->poll_interval,
                 "seconds (fractions allowed) per idle-prompt interval and between polls (default "
                 "PHASE_POLL_INTERVAL, 10)")
      ->type_name("S");
  app.add_flag("--poll-only", args->poll_only,
               "never use inotify; poll every interval (for filesystems inotify does not see, e.g. NFS)");
  app.add_flag("--report-waiting", args->report_waiting,
               "report a session that starts waiting for a person (a permission prompt, a question) as "
               "the event PHASE:waiting; the loop goes on (default: report_waiting, "
               "AGENT_HOOKS_REPORT_WAITING)");
  app.add_flag("--hold-on-limit", args->hold_on_limit,
               "a PHASE:failed written for a usage limit (Reason: api_error: rate_limit) is held, not "
               "reported: at the limit's reset the phase file is emptied and the session resumed with "
               "--resume-text (default: hold_on_limit, AGENT_HOOKS_HOLD_ON_LIMIT)");
  app.add_option("--resume-text", args->resume_text,
                 "what a held session is given when the limit resets (default: resume_text, "
                 "AGENT_HOOKS_RESUME_TEXT, 'continue')")
      ->type_name("TEXT");
  app.footer(R"(Prints one line per event, `event PHASE MTIME_SECONDS` (an empty phase is `-`), and last
`exit REASON`, one of:
  done          PHASE:done or PHASE:merged was written
  NAME          another terminal phase was written (failed, escalate, or one of terminal_phases)
  idle_prompt   Claude sat at its prompt for 3 poll intervals with no phase: session killed
  idle_timeout  no event for IDLE_TIMEOUT seconds: session killed
  crashed       Claude exited with a non-terminal phase and was not restarted (exit status 1)
  signal        SIGTERM, SIGINT or SIGHUP ended the watch (the session is left as it is)
  caller_gone   with --ack: the caller closed its end or exited (the session is left as it is;
                the line is written only if someone still reads)
Exit status 0, or 1 when crashed.

With --hold-on-limit, a usage limit prints `held UNTIL_EPOCH HOLDS` instead of the PHASE:failed
event (UNTIL: the reset time Claude Code gave, else 300 s on), and at that time `resumed HOLDS`
or `resume_failed HOLDS PROBLEM`; the idle timeout does not run while held, and Claude exiting
while held is a crash. authentication_failed and billing_error are reported as they are.
Callers that read only `event` and `exit` lines (the shim) are not disturbed by these.

With --ack, the time between an event and its ack (the callback's time) is not idle time: the
idle timeout and the idle-prompt grace start again at the ack.

Example:
  phase-monitor watch --ack "$XDG_RUNTIME_DIR/dev-P-42.phase" 7200 dev-P-42)");
  return [args, &global] { return run(*args, global); };
}

} // namespace ah::monitor
