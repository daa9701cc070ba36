#include "hooks/guard/engine.hpp"

#include "hooks/guard/working_dir.hpp"

#include <array>
#include <bit>
#include <cctype>
#include <fmt/format.h>
#include <iterator>

namespace ah::guard {

namespace {

using Check = RuleResult (*)(const CommandView&, const RuleContext&);

struct RuleEntry {
  std::string_view name;
  Check check;
  // The first letters of the programs the rule can refuse; empty: any
  // command (rules that look at every command's arguments or redirections).
  std::string_view first_letters = {};
};

// In the order of docs/guard.md.
constexpr RuleEntry k_rules[] = {
    {k_rule_force_push, check_force_push, "g"},
    {k_rule_recursive_delete, check_recursive_delete, "rf"},
    {k_rule_forge_merge, check_forge_merge},
    {k_rule_switch_primary, check_switch_primary, "g"},
    {k_rule_close_issue, check_close_issue},
    {k_rule_factory_root, check_factory_root},
    {k_rule_host_management, check_host_management, "kpdt"},
    {k_rule_interpreter_code, check_interpreter_code, "pnbr"},
    {k_rule_forge_state, check_forge_state, "gtcwhxdp"},
    {k_rule_rewrite_history, check_rewrite_history, "g"},
};

// What a program named by an expansion is judged as.
constexpr std::string_view k_unknown_program_candidates[] = {"git", "rm", "find", "docker", "tmux"};

// The rules `settings` leave on, in order; looked up once per command string.
// Which of them can refuse a program is known from its first letter: the
// others are not asked.
struct EnabledRules {
  std::array<Check, std::size(k_rules)> checks{};
  std::size_t count = 0;
  std::uint32_t all = 0;                      // bit k: checks[k]
  std::array<std::uint32_t, 256> by_letter{}; // the checks a program starting with it may meet

  explicit EnabledRules(const Settings& settings) {
    static_assert(std::size(k_rules) <= 32);
    std::uint32_t any = 0;
    for (const RuleEntry& rule : k_rules) {
      if (!settings.rule_enabled(rule.name)) continue;
      const std::uint32_t bit = 1u << count;
      checks[count++] = rule.check;
      all |= bit;
      if (rule.first_letters.empty()) any |= bit;
      for (char c : rule.first_letters)
        by_letter[static_cast<unsigned char>(c)] |= bit;
    }
    for (std::uint32_t& mask : by_letter)
      mask |= any;
  }

  std::uint32_t for_name(std::string_view name) const noexcept {
    return name.empty() ? all : by_letter[static_cast<unsigned char>(name[0])];
  }
};

std::optional<Denial> check_rules(const CommandView& view, const RuleContext& ctx,
                                  const EnabledRules& rules) {
  for (std::uint32_t mask = rules.for_name(view.name); mask != 0; mask &= mask - 1)
    if (auto denial = rules.checks[static_cast<std::size_t>(std::countr_zero(mask))](view, ctx))
      return denial;
  return std::nullopt;
}

// The variable name a word starts with (NAME, NAME=…, NAME+=…, NAME[…]).
std::string_view leading_name(std::string_view text) noexcept {
  std::size_t n = 0;
  while (n < text.size() && (std::isalnum(static_cast<unsigned char>(text[n])) || text[n] == '_'))
    ++n;
  return text.substr(0, n);
}

// True for the programs that may set variables the guard follows: source and
// ., and those that take NAME or NAME=VALUE words (export, declare, read, set,
// for, …). Switched on the length first: most names are ruled out at once.
bool may_set_variables(std::string_view name) noexcept {
  switch (name.size()) {
  case 1: return name[0] == '.';
  case 3: return same_name(name, "let") || same_name(name, "set") || same_name(name, "for");
  case 4: return same_name(name, "read");
  case 5: return same_name(name, "local") || same_name(name, "unset");
  case 6:
    return same_name(name, "source") || same_name(name, "export") || same_name(name, "printf") ||
           same_name(name, "select");
  case 7:
    return same_name(name, "declare") || same_name(name, "typeset") || same_name(name, "mapfile") ||
           same_name(name, "getopts");
  case 8: return same_name(name, "readonly");
  case 9: return same_name(name, "readarray");
  default: return false;
  }
}

// Notes when `command` may give HOME, PWD or FACTORY_ROOT a value the guard
// cannot follow (an assignment, export/declare/read/…, or sourcing a file),
// so that later expansions of them count as unknown.
void note_reassignments(const shell::SimpleCommand& command, const CommandView& view, PathEnv& env) {
  auto note = [&env](std::string_view name) {
    if (same_name(name, "HOME")) env.home_reassigned = true;
    if (same_name(name, "PWD")) env.pwd_reassigned = true;
    if (same_name(name, "FACTORY_ROOT")) env.factory_root_reassigned = true;
  };
  for (const shell::Word& w : command.assignments)
    note(leading_name(w.text));
  const std::string_view name = view.name;
  if (!may_set_variables(name)) return;
  if (same_name(name, "source") || same_name(name, ".")) {
    env.home_reassigned = env.pwd_reassigned = env.factory_root_reassigned = true;
    return;
  }
  for (std::size_t i = 1; i < view.size(); ++i)
    note(leading_name(view.text(i)));
}

// `text` on one line, shortened to about `max` bytes.
std::string one_line(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max))
    out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  if (text.size() > max) out += "…";
  return out;
}

Denial parse_denial(const std::string& error) {
  return Denial{
      std::string(k_rule_shell_parse),
      fmt::format("the guard could not read this command as a shell would ({}), so it was not run; "
                  "rewrite it in plainer shell (fix the quoting, or split it into simpler commands)",
                  error)};
}

} // namespace

namespace {

// Reads the code an interpreter runs (rule 8): the shell commands it runs
// become nested scripts, judged by every rule; the rest is left on the view
// for check_interpreter_code.
void read_interpreter_code(CommandView& view) {
  for (const std::string& code : view.code) {
    CodeReading reading = read_code(view.language, code);
    for (std::string& command : reading.commands)
      view.nested_scripts.push_back(std::move(command));
    reading.commands.clear();
    view.readings.push_back(std::move(reading));
  }
}

// Judges the commands of one script as the parser hands them over, line by
// line: what a line does to the shell (cd, HOME=…, what a pipeline carries)
// counts for the lines after it. Stops judging at the first denial.
class Judge {
public:
  Judge(shell::Script& script, const Settings& settings, std::string_view cwd, Explanation* explain)
      : m_script(script), m_explain(explain), m_tracker(script, initial_cwd(cwd)),
        m_stand_in(settings.worktree.empty() ? worktree_stand_in(cwd, settings.home) : std::string()),
        m_reassigned{std::nullopt, settings.home, settings.factory_root},
        m_rules(settings), m_ctx{settings, m_reassigned,
                                 settings.worktree.empty() ? m_stand_in : settings.worktree} {}
  Judge(const Judge&) = delete;
  Judge& operator=(const Judge&) = delete;

  // Judges script.commands (which grows while it is walked: nested scripts
  // are appended to it).
  void judge_commands() {
    for (std::size_t i = 0; i < m_script.commands.size() && !m_denial; ++i)
      m_denial = judge(i);
  }

  // Judges a complete top-level line (see shell::parse_in_batches): only
  // the top level's directory matters for the lines after it.
  void judge_line() {
    judge_commands();
    m_tracker.forget_inner_scopes();
  }

  std::optional<Denial>& denial() noexcept { return m_denial; }

private:
  static std::optional<std::string> initial_cwd(std::string_view cwd) {
    if (!cwd.empty() && cwd.front() == '/') return normalize_path(cwd);
    return std::nullopt;
  }

  std::optional<Denial> judge(std::size_t i);
  // Parses and notes the nested scripts of `view` (bash -c, eval, …).
  std::optional<Denial> judge_nested(const shell::SimpleCommand& command, const CommandView& view);
  // The rules and the directory tracking for one command.
  std::optional<Denial> judge_view(shell::SimpleCommand& command, CommandView& view);

  // Lets the parser reuse a word vector for a later command.
  void give_back(std::vector<shell::Word>& words) {
    if (words.capacity() != 0 && m_script.spare_words.size() < 16)
      m_script.spare_words.push_back(std::move(words));
  }

  // Records how `view` (of `command`) was read, for --explain.
  void explain(const shell::SimpleCommand& command, const CommandView& view);

  shell::Script& m_script;
  Explanation* m_explain;
  CwdTracker m_tracker;
  // Rule 2's worktree: the configured one, else the payload's cwd.
  const std::string m_stand_in;
  PathEnv m_reassigned;
  const EnabledRules m_rules;
  // One context for every command: only its cwd (when the command runs in
  // another directory than the one before) and the reassignment flags
  // change, so a long cwd is not copied for each command.
  RuleContext m_ctx;
  std::size_t m_ctx_dir = static_cast<std::size_t>(-1); // tracker's number of m_ctx.paths.cwd
  std::size_t m_nested_budget = 2 * shell::Limits{}.max_input;
  std::string m_pipe_data; // what the current pipeline element was seen to write
  std::optional<Denial> m_denial;
};

std::optional<Denial> Judge::judge(std::size_t i) {
  shell::SimpleCommand& command = m_script.commands[i];
  // --explain shows the words as written too: they are copied, not taken.
  CommandView view = m_explain ? make_view(command) : take_view(command);
  // `echo … | bash`, `cat <<EOF | sh`: what flows into a shell is its script.
  if (command.pipe_in) {
    if (view.script_from_stdin && !m_pipe_data.empty()) view.nested_scripts.push_back(m_pipe_data);
    if (view.code_from_stdin && !m_pipe_data.empty()) view.code.push_back(m_pipe_data);
    // tee and cat pass what they read on to the next command.
    if (!command.pipe_out || !passes_input_through(view)) m_pipe_data.clear();
  }
  if (command.pipe_out) m_pipe_data += visible_output(view);
  if (!view.code.empty()) read_interpreter_code(view);
  if (view.nested_scripts.empty()) return judge_view(command, view);
  // Nested scripts are appended to script.commands, which may move its
  // commands: this one is moved out first. (Only here: a std::optional
  // holding it on every path costs a zero-fill per command.)
  shell::SimpleCommand held(std::move(command));
  view.command = &held;
  if (auto denial = judge_nested(held, view)) return denial;
  return judge_view(held, view);
}

std::optional<Denial> Judge::judge_nested(const shell::SimpleCommand& command, const CommandView& view) {
  for (const std::string& nested : view.nested_scripts) {
    // Nested scripts re-read text already read once (eval eval eval …);
    // their total is bounded so a chain of them stays cheap.
    if (nested.size() > m_nested_budget)
      return parse_denial("its nested scripts (bash -c, eval, …) repeat too much text");
    m_nested_budget -= nested.size();
    std::uint32_t scope = view.nested_in_same_scope ? command.scope : m_script.new_scope(command.scope);
    const std::size_t first_new = m_script.commands.size();
    if (!shell::parse_nested(m_script, nested, scope, command.depth + 1)) {
      // Not the top-level parser's error: keep that free for it.
      std::optional<Denial> denial = parse_denial(m_script.error);
      m_script.error.clear();
      return denial;
    }
    if (!view.nested_in_same_scope) continue;
    // eval's commands run now but are judged after the ones that follow
    // it: what they do to this shell (cd, HOME=…) must count from here on.
    for (std::size_t k = first_new; k < m_script.commands.size(); ++k) {
      if (m_script.commands[k].scope != scope) continue;
      CommandView inner = make_view(m_script.commands[k]);
      note_reassignments(m_script.commands[k], inner, m_reassigned);
      if ((inner.name.empty() && !inner.args.empty()) || changes_directory(inner) ||
          same_name(inner.name, "eval") || same_name(inner.name, "source") || same_name(inner.name, "."))
        m_tracker.set(scope, std::nullopt);
    }
  }
  return std::nullopt;
}

void Judge::explain(const shell::SimpleCommand& command, const CommandView& view) {
  const std::string indent(2 * command.depth, ' ');
  std::string written;
  for (const shell::Word& w : command.words)
    written += (written.empty() ? "" : " ") + w.text;
  auto& out = m_explain->lines;
  out.push_back(fmt::format("{}command: {}", indent, written));
  const std::string in = m_ctx.paths.cwd ? *m_ctx.paths.cwd : std::string("(unknown)");
  if (view.args.empty()) {
    out.push_back(fmt::format("{}  no program (only assignments or wrappers); in {}", indent, in));
    return;
  }
  const std::size_t wrappers =
      command.words.size() >= view.args.size() ? command.words.size() - view.args.size() : 0;
  std::string seen_through;
  for (std::size_t k = 0; k < wrappers && k < command.words.size(); ++k)
    seen_through += (seen_through.empty() ? "" : " ") + command.words[k].text;
  out.push_back(fmt::format("{}  program: {}{}; in {}", indent,
                            view.name.empty() ? "(named by an expansion: " + view.text(0) + ")" : view.name,
                            seen_through.empty() ? std::string() : " (through " + seen_through + ")", in));
  std::string args;
  for (std::size_t k = 1; k < view.size(); ++k)
    args += (args.empty() ? "" : " ") + view.text(k);
  if (!args.empty()) out.push_back(fmt::format("{}  arguments: {}", indent, args));
  for (std::size_t k = 1; k < view.size(); ++k) {
    const shell::Word& w = view.args[k];
    const std::string_view t = w.text;
    const bool path_like =
        !t.empty() && t[0] != '-' &&
        (t.find('/') != std::string_view::npos || t[0] == '~' || t[0] == '.' || w.has_expansion());
    if (!path_like) continue;
    ResolvedPath p = resolve_path(w, m_ctx.paths);
    out.push_back(p.resolved() ? fmt::format("{}  path: {} -> {}{}", indent, t, p.path,
                                             p.pattern ? " (a pattern: the directory it expands in)" : "")
                               : fmt::format("{}  path: {} -> unknown ({})", indent, t, p.unknown));
  }
  if (view.args_from_stdin) out.push_back(fmt::format("{}  more arguments come from stdin", indent));
  for (const std::string& nested : view.nested_scripts)
    out.push_back(fmt::format("{}  runs a nested script: {}", indent, one_line(nested, 100)));
  for (const CodeReading& r : view.readings) {
    if (r.deletes.empty() && r.unknown_commands.empty() && r.opaque.empty() && r.error.empty()) {
      out.push_back(fmt::format("{}  {} code read: no deletes, nothing it cannot follow{}", indent,
                                language_name(view.language),
                                view.nested_scripts.empty() ? "" : " (its commands are read below)"));
      continue;
    }
    out.push_back(fmt::format("{}  {} code read:", indent, language_name(view.language)));
    for (const CodeDelete& d : r.deletes)
      out.push_back(
          fmt::format("{}    deletes with {}(): {}", indent, d.call, d.path ? *d.path : "(not a literal)"));
    for (const std::string& u : r.unknown_commands)
      out.push_back(fmt::format("{}    runs a command that is not a literal, with {}", indent, u));
    if (!r.opaque.empty())
      out.push_back(fmt::format("{}    cannot follow: {}{}", indent, r.opaque,
                                r.names_danger ? " (and it names a delete or process call)" : ""));
    if (!r.error.empty()) out.push_back(fmt::format("{}    cannot read it: {}", indent, r.error));
  }
  if (view.code_from_stdin && view.readings.empty())
    out.push_back(fmt::format("{}  {} reads its program from stdin (nothing seen to flow in)", indent,
                              language_name(view.language)));
}

std::optional<Denial> Judge::judge_view(shell::SimpleCommand& command, CommandView& view) {
  if (m_explain) {
    if (const std::size_t dir = m_tracker.dir_of(command.scope); dir != m_ctx_dir) {
      m_ctx.paths.cwd = m_tracker.cwd(command.scope);
      m_ctx.paths.cwd_normal = m_tracker.normal(command.scope);
      m_ctx_dir = dir;
    }
    explain(command, view);
  }
  note_reassignments(command, view, m_reassigned);
  m_ctx.paths.home_reassigned = m_reassigned.home_reassigned;
  m_ctx.paths.pwd_reassigned = m_reassigned.pwd_reassigned;
  m_ctx.paths.factory_root_reassigned = m_reassigned.factory_root_reassigned;
  if (const std::size_t dir = m_tracker.dir_of(command.scope); dir != m_ctx_dir) {
    m_ctx.paths.cwd = m_tracker.cwd(command.scope);
    m_ctx.paths.cwd_normal = m_tracker.normal(command.scope);
    m_ctx_dir = dir;
  }
  if (auto denial = check_rules(view, m_ctx, m_rules)) return denial;
  if (view.name.empty() && !view.args.empty()) {
    // The program comes from an expansion ($GIT, $(which rm)): judge the
    // arguments as if it were each program the rules know to be dangerous.
    for (std::string_view candidate : k_unknown_program_candidates) {
      view.name = candidate;
      if (auto denial = check_rules(view, m_ctx, m_rules)) {
        denial->reason =
            fmt::format("the program '{}' is not known to the guard, and as {} this is refused: {}",
                        view.text(0), candidate, denial->reason);
        return denial;
      }
    }
    view.name.clear();
  }
  if (changes_directory(view)) {
    std::optional<std::string> dir = directory_after(view, m_ctx.paths);
    const bool normal = directory_is_normal(dir, m_ctx.paths);
    m_tracker.set(command.scope, std::move(dir), normal);
  }
  give_back(view.args);
  give_back(command.words);
  return std::nullopt;
}

} // namespace

std::optional<Denial> evaluate_command(std::string_view command, const Settings& settings,
                                       std::string_view cwd, Explanation* explain) {
  // Judged line by line while it is read, so that a long command is never
  // held whole in memory; after a denial the rest is only read, since a
  // string the guard cannot read is refused as such wherever the error is.
  shell::Script script;
  Judge judge(script, settings, cwd, explain);
  shell::parse_in_batches(script, command, [&judge](shell::Script&) { judge.judge_line(); });
  if (!script.ok()) return parse_denial(script.error);
  judge.judge_commands();
  return std::move(judge.denial());
}

} // namespace ah::guard
