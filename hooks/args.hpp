#pragma once
// Command-line handling for the hook executables.
//
// Not CLI11 (which phase-monitor uses): a hook starts on every tool call, and
// measured on a static executable, CLI11 plus the <iostream> static
// initialisation it brings cost ~20% of a static no-op's whole start — more
// than a hook's budget (scripts/bench-hooks.sh). Hooks take a few positional
// arguments and flags, which this covers: `--name VALUE`, `--name=VALUE`,
// boolean flags, `--` ending options, `-h`/`--help`, `--version`.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah::hooks {

class ArgParser {
public:
  ArgParser(std::string_view program, std::string_view description);

  using Setter = std::function<void(std::string_view)>;

  // A positional argument, in declaration order.
  ArgParser& add_positional(std::string_view name, Setter set, std::string_view help, bool required);
  ArgParser& add_positional(std::string_view name, std::string& value, std::string_view help, bool required);
  ArgParser& add_positional(std::string_view name, std::filesystem::path& value, std::string_view help,
                            bool required);
  // A flag taking a value: `--name VALUE` or `--name=VALUE`.
  ArgParser& add_option(std::string_view name, Setter set, std::string_view value_name,
                        std::string_view help);
  ArgParser& add_option(std::string_view name, std::string& value, std::string_view value_name,
                        std::string_view help);
  ArgParser& add_option(std::string_view name, std::filesystem::path& value, std::string_view value_name,
                        std::string_view help);
  // A boolean flag.
  ArgParser& add_flag(std::string_view name, bool& value, std::string_view help);
  // A check run after parsing; returns the problem, if any.
  ArgParser& add_check(std::function<std::optional<std::string>()> check);
  ArgParser& footer(std::string_view text);

  enum class Outcome { run, help, version, error };
  // Parses argv[1..]. On help/version/error, `message` holds the text to
  // print (help and version on stdout, errors on stderr).
  Outcome parse(int argc, const char* const* argv, std::string& message);

  std::string help_text() const;

private:
  struct Positional {
    std::string name;
    Setter set;
    std::string help;
    bool required;
  };
  struct Option {
    std::string name;
    Setter set; // empty for a boolean flag
    bool* flag;
    std::string value_name;
    std::string help;
  };
  const Option* find_option(std::string_view name) const;

  std::string m_program;
  std::string m_description;
  std::string m_footer;
  std::vector<Positional> m_positionals;
  std::vector<Option> m_options;
  std::vector<std::function<std::optional<std::string>()>> m_checks;
};

} // namespace ah::hooks
