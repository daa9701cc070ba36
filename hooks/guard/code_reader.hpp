#pragma once
// Rule 8's reader of interpreter one-liners (python -c, node -e, perl -e,
// ruby -e, php -r, and scripts fed to a bare interpreter): a bounded,
// token-level reader of the language's string literals and calls — not an
// interpreter — that finds file deletes, shell commands run from the code,
// and code built at run time that it cannot follow (docs/guard.md).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah::guard {

enum class CodeLanguage : std::uint8_t { none, python, javascript, perl, ruby, php };

std::string_view language_name(CodeLanguage language) noexcept;

// The interpreter `name` (a program's base name) runs code of, or none.
CodeLanguage interpreter_language(std::string_view name) noexcept;

struct CodeLimits {
  std::size_t max_code = 1024 * 1024; // bytes of one code string
  unsigned max_depth = 64;            // nesting of ( [ { and of eval/exec of literal code
  std::size_t max_tokens = 400'000;   // the reader's work: tokens read, literal code re-read included
};

// A delete the code makes: the call as written and its literal path.
struct CodeDelete {
  std::string call;                // e.g. "shutil.rmtree"
  std::optional<std::string> path; // nullopt: not a literal (a variable, an f-string, …)
  bool recursive = false;          // removes a tree (rmtree, rm -r, recursive: true)
};

// What the reader found in one code string.
struct CodeReading {
  std::vector<CodeDelete> deletes;
  // Shell commands the code runs (os.system, subprocess.run([...]), backticks,
  // child_process.execSync, …), as shell text; list forms are quoted word by word.
  std::vector<std::string> commands;
  // Calls to a process or shell function whose command is not a literal.
  std::vector<std::string> unknown_commands;
  // The first construct that builds code or names at run time (eval,
  // getattr with a computed name, …); empty when there is none.
  std::string opaque;
  // True when the code names a delete or process function, module or
  // module alias anywhere (also inside strings): with `opaque`, a denial.
  bool names_danger = false;
  // Set when the code is past the limits; the reading is then incomplete.
  std::string error;
};

// Reads `code` written in `language`.
CodeReading read_code(CodeLanguage language, std::string_view code, const CodeLimits& limits = {});

} // namespace ah::guard
