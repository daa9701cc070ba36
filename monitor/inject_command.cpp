#include "monitor/inject_command.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/state/session_name.hpp"
#include "monitor/settings.hpp"
#include "session/inject.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <memory>
#include <unistd.h>

namespace ah::monitor {

namespace {

constexpr int k_exit_pasted_unready = 3;

struct InjectArgs {
  std::string session;
  std::string text;
  int ready_timeout = 0;
  int lock_timeout = 0;
  bool paste_when_not_ready = false;
  bool strip_controls = false;
  bool json = false;
};

int run_inject(const InjectArgs& a, const GlobalOptions& global) {
  if (auto problem = session_name_problem(a.session)) throw CLI::ValidationError("SESSION", *problem);
  std::string text =
      a.text == "-" ? read_all(STDIN_FILENO, std::chrono::minutes(5), 16 * 1024 * 1024) : a.text;
  std::size_t removed = 0;
  if (a.strip_controls) {
    text = session::strip_paste_controls(text, removed);
    if (removed > 0)
      fmt::print(stderr, "phase-monitor: removed {} control character{} from the text (--strip-controls)\n",
                 removed, removed == 1 ? "" : "s");
  } else if (auto control = session::find_paste_control(text)) {
    throw CLI::ValidationError(
        "TEXT", fmt::format("holds {}, a control character that could end the paste or steer the terminal; "
                            "nothing pasted (--strip-controls removes them)",
                            session::describe_paste_control(text, *control)));
  }
  if (text.empty()) throw CLI::ValidationError("TEXT", "the text to inject is empty");
  const MonitorSettings s = MonitorSettings::load(global);
  session::Tmux tmux({.socket = s.tmux_socket()});
  session::SystemClock clock;
  session::InjectOptions o;
  o.ready_timeout = a.ready_timeout > 0 ? std::chrono::seconds(a.ready_timeout) : s.ready_timeout();
  o.lock_timeout = a.lock_timeout > 0 ? std::chrono::seconds(a.lock_timeout) : s.lock_timeout();
  o.marker_dir = s.marker_dir();
  o.paste_when_not_ready = a.paste_when_not_ready;
  const auto r = session::inject_text(tmux, a.session, text, o, clock);
  if (a.json) {
    Json report = {{"session", a.session},
                   {"delivered", r.delivered},
                   {"enters", r.enters},
                   {"reacquired_lock", r.reacquired_lock},
                   {"pasted_unready", r.pasted_unready},
                   {"bytes", text.size()}};
    if (a.strip_controls) report["controls_removed"] = removed;
    if (!r.delivered) report["error"] = r.problem;
    fmt::print("{}\n", report.dump());
  }
  if (r.pasted_unready) {
    fmt::print(stderr,
               "phase-monitor: warning: {}; pasted the text and pressed Enter anyway (not confirmed)\n",
               r.problem);
    return k_exit_pasted_unready;
  }
  if (!r.delivered) {
    fmt::print(stderr, "phase-monitor: error: {}\n", r.problem);
    return k_exit_failure;
  }
  return k_exit_ok;
}

} // namespace

Action define_inject(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<InjectArgs>();
  app.add_option("SESSION", a->session, "session name")->required();
  app.add_option("TEXT", a->text, "the prompt, or - to read it from stdin")->required();
  app.add_option("--ready-timeout", a->ready_timeout,
                 "seconds to wait for Claude's prompt first (default: config ready_timeout, 120)")
      ->check(seconds_check(k_timeout_range))
      ->type_name("S");
  app.add_option("--lock-timeout", a->lock_timeout,
                 "seconds to wait for the session lock when the session had handed it back (default: 300)")
      ->check(seconds_check(k_timeout_range))
      ->type_name("S");
  app.add_flag("--paste-when-not-ready", a->paste_when_not_ready,
               "when the session runs but shows no prompt within the ready timeout, paste and press Enter "
               "anyway, as the bash helpers did (exit status 3)");
  app.add_flag("--strip-controls", a->strip_controls,
               "remove ESC, the other control characters but newline and tab, DEL and the C1 controls from "
               "the text (saying how many on stderr) instead of refusing it");
  app.add_flag("--json", a->json, "print a JSON report on stdout");
  app.footer(
      "Waits until the session is ready (taking the session lock again if it was released), removes "
      "its idle marker, pastes the text through a private tmux buffer with bracketed paste (newlines do "
      "not submit early), presses Enter and checks that Claude took it, pressing again a few times if "
      "not. The text arrives byte for byte (tabs excepted: Claude's input turns them into spaces). Text "
      "holding a control character that could end the paste early or steer the terminal (ESC, as in the "
      "paste's end ESC[201~, any other C0 control but newline and tab, DEL, a C1 control) is refused, naming "
      "the first one, unless --strip-controls removes them.\n\n"
      "Example:\n  printf 'Fix issue 42.\\nRun the tests.\\n' | phase-monitor inject dev-42 -\n\n"
      "Exit status: 0 delivered, 1 not delivered, 3 pasted with --paste-when-not-ready into a session that "
      "was not ready (not confirmed), 64 bad arguments.");
  return [a, &global] { return run_inject(*a, global); };
}

} // namespace ah::monitor
