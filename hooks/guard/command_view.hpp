#pragma once
// A simple command as the guard judges it: wrappers (sudo, env, timeout,
// xargs, …) and leading assignments seen through, brace expansions applied,
// and the program named by its base name.
#include "common/shell_words.hpp"
#include "common/text.hpp" // same_name, for the users of the view
#include "hooks/guard/code_reader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah::guard {

struct CommandView {
  const shell::SimpleCommand* command = nullptr;
  std::vector<shell::Word> args; // args[0] names the program
  std::string name;              // base name of args[0]; empty when it is not known
  // Strings the command runs as shell code of its own (bash -c, eval, env -S,
  // a heredoc fed to a shell), to be parsed as nested scripts.
  std::vector<std::string> nested_scripts;
  bool nested_in_same_scope = false; // eval runs in the current shell
  bool args_from_stdin = false;      // run by xargs: more arguments come from stdin
  bool script_from_stdin = false;    // a shell without -c or a script file: it runs its input
  // An interpreter whose code rule 8 reads: its one-liners (python -c,
  // node -e, …) and the scripts fed to it by heredoc, and whether it runs
  // what is piped into it (`echo … | python3`). The engine adds what it read.
  CodeLanguage language = CodeLanguage::none;
  std::vector<std::string> code;
  bool code_from_stdin = false;
  std::vector<CodeReading> readings; // one per code string, filled in by the engine

  std::size_t size() const noexcept { return args.size(); }
  const std::string& text(std::size_t i) const { return args[i].text; }
};

// Builds the view of `command`. `words` are taken from it and brace-expanded.
CommandView make_view(const shell::SimpleCommand& command);
// make_view, moving the words out of `command` instead of copying them
// (command.words is left in a valid but unspecified state). For a caller
// that is done with the words, as the guard's engine is after this.
CommandView take_view(shell::SimpleCommand& command);

// Brace expansion of one word (a{b,c}d → abd acd), at most `limit` results;
// words without a brace come back unchanged.
std::vector<shell::Word> expand_braces(const shell::Word& word, std::size_t limit = 64);

// The base name of a program path (/usr/bin/git → git).
std::string_view program_name(std::string_view path) noexcept;

// Where git's subcommand is in `view` after its global options (-C DIR,
// -c k=v, --git-dir=…, --work-tree=…, --no-pager, …); nullopt when none.
std::optional<std::size_t> git_subcommand(const CommandView& view);

// What `view` writes to stdout that is plain to see: heredoc and here-string
// bodies, and the arguments of echo and printf (for `… | bash`).
std::string visible_output(const CommandView& view);

// True when `view` copies its stdin to stdout unchanged (tee FILE…, cat or
// cat -): what was piped into it flows on to the next command.
bool passes_input_through(const CommandView& view);

// The command text for messages: the words joined by spaces, shortened.
std::string describe(const CommandView& view, std::size_t max_chars = 120);

} // namespace ah::guard
