#include "session/ready.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace ah::session;

namespace {
std::string rule() {
  std::string r;
  for (int i = 0; i < 60; ++i)
    r += "\u2500";
  return r;
}
const std::string NBSP = "\u00a0";

// The screens of Claude Code 2.1.328, as capture-pane printed them.
std::string ready_screen(const std::string& input = "") {
  return " \u2590\u259b\u2588\u2588\u2588\u259c\u258c   Claude Code v2.1.328\n"
         " \u259d\u259d   \u259d\u259d   /tmp/w1\n\n" +
         rule() + "\n\u276f" + NBSP + input + "\n" + rule() +
         "\n  \u23f5\u23f5 bypass permissions on (shift+tab to cycle)\n\n\n";
}

std::string api_key_screen() {
  return rule() + "\n  Detected a custom API key in your environment\n\n  ANTHROPIC_API_KEY: "
                  "sk-ant-...6789abcdefghijklmnop\n\n"
                  "  Do you want to use this API key?\n\n    Yes\n  \u276f No (recommended)\n\n"
                  "  Enter to confirm \u00b7 Esc to cancel\n";
}

std::string trust_screen(bool cursor_on_yes) {
  return rule() +
         "\n Accessing workspace:\n\n /tmp/w3\n\n Quick safety check: Is this a project you created or "
         "one you trust?\n\n Security guide\n\n" +
         (cursor_on_yes ? "   No, exit\n \u276f Yes, I trust this folder\n"
                        : " \u276f No, exit\n   Yes, I trust this folder\n") +
         "\n Enter to confirm \u00b7 Esc to cancel\n";
}

std::string bypass_screen() {
  return rule() +
         "\n  WARNING: Claude Code running in Bypass Permissions mode\n\n  By proceeding, you accept all "
         "responsibility for actions taken while running in Bypass\n  Permissions mode.\n\n"
         "  \u276f No, exit\n    Yes, I accept\n\n  Enter to confirm \u00b7 Esc to cancel\n";
}
} // namespace

TEST_CASE("the framed prompt is ready", "[ready]") {
  auto v = analyse_pane(ready_screen());
  CHECK(v.prompt);
  CHECK(v.dialog == DialogKind::none);
  CHECK(v.ready());
  CHECK(v.input.empty());
}

TEST_CASE("the prompt box's text is read, over several lines", "[ready]") {
  auto v = analyse_pane(rule() + "\n\u276f" + NBSP + "hello\n  world\n" + rule() + "\n");
  CHECK(v.ready());
  CHECK(v.input == "hello\n  world");
}

TEST_CASE("an earlier prompt in the transcript is not a dialog", "[ready]") {
  auto v = analyse_pane("\u276f hello\n  world\n\u25cf OK.\n" + rule() + "\n\u276f" + NBSP +
                        "Resend your message\n" + rule() + "\n");
  CHECK(v.ready());
  CHECK(v.dialog == DialogKind::none);
}

TEST_CASE("dialogs are not ready, whatever they draw", "[ready]") {
  CHECK(analyse_pane(api_key_screen()).dialog == DialogKind::api_key);
  CHECK_FALSE(analyse_pane(api_key_screen()).ready());
  CHECK(analyse_pane(trust_screen(false)).dialog == DialogKind::trust);
  CHECK_FALSE(analyse_pane(trust_screen(false)).ready());
  CHECK(analyse_pane(bypass_screen()).dialog == DialogKind::bypass);
  CHECK_FALSE(analyse_pane(bypass_screen()).ready());
}

TEST_CASE("a prompt with a dialog drawn over it is not ready", "[ready]") {
  auto v = analyse_pane(ready_screen() + "  \u276f 1. Something\n    2. Other\n  Enter to confirm\n");
  CHECK(v.prompt);
  CHECK(v.dialog == DialogKind::unknown);
  CHECK_FALSE(v.ready());
}

TEST_CASE("❯ with a plain space, or without rules, is not the prompt", "[ready]") {
  CHECK_FALSE(analyse_pane(rule() + "\n\u276f hello\n" + rule() + "\n").prompt);
  CHECK_FALSE(analyse_pane("\u276f" + NBSP + "\n").prompt);
  CHECK_FALSE(analyse_pane(rule() + "\n\u276f" + NBSP + "\n").prompt);            // no rule below
  CHECK_FALSE(analyse_pane("text\n\u276f" + NBSP + "\n" + rule() + "\n").prompt); // no rule above
  CHECK_FALSE(analyse_pane("").prompt);
}

TEST_CASE("a busy Claude shows it is working", "[ready]") {
  auto v = analyse_pane("\u273b Thinking\u2026 (esc to interrupt)\n" + ready_screen());
  CHECK(v.working);
  CHECK(v.ready());
}

TEST_CASE("dialog_answer trusts the folder and accepts bypass mode, never the API key", "[ready]") {
  CHECK(dialog_answer(trust_screen(false)) == 1);
  CHECK(dialog_answer(trust_screen(true)) == 0);
  CHECK(dialog_answer(bypass_screen()) == 1);
  CHECK_FALSE(dialog_answer(api_key_screen()));
  CHECK_FALSE(dialog_answer(ready_screen()));
  CHECK_FALSE(dialog_answer("  \u276f 1. Something\n  Enter to confirm\n"));
}

TEST_CASE("last_lines keeps the last non-empty lines", "[ready]") {
  CHECK(last_lines("a\n\nb\nc\n\n", 2) == "  | b\n  | c\n");
  CHECK(last_lines("", 3).empty());
}
