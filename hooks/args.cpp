#include "hooks/args.hpp"

#include <fmt/format.h>

namespace ah::hooks {

ArgParser::ArgParser(std::string_view program, std::string_view description)
    : m_program(program), m_description(description) {}

ArgParser& ArgParser::add_positional(std::string_view name, Setter set, std::string_view help,
                                     bool required) {
  m_positionals.push_back({std::string(name), std::move(set), std::string(help), required});
  return *this;
}

ArgParser& ArgParser::add_positional(std::string_view name, std::string& value, std::string_view help,
                                     bool required) {
  return add_positional(
      name, [&value](std::string_view v) { value = v; }, help, required);
}

ArgParser& ArgParser::add_positional(std::string_view name, std::filesystem::path& value,
                                     std::string_view help, bool required) {
  return add_positional(
      name, [&value](std::string_view v) { value = v; }, help, required);
}

ArgParser& ArgParser::add_option(std::string_view name, Setter set, std::string_view value_name,
                                 std::string_view help) {
  m_options.push_back(
      {std::string(name), std::move(set), nullptr, std::string(value_name), std::string(help)});
  return *this;
}

ArgParser& ArgParser::add_option(std::string_view name, std::string& value, std::string_view value_name,
                                 std::string_view help) {
  return add_option(
      name, [&value](std::string_view v) { value = v; }, value_name, help);
}

ArgParser& ArgParser::add_option(std::string_view name, std::filesystem::path& value,
                                 std::string_view value_name, std::string_view help) {
  return add_option(
      name, [&value](std::string_view v) { value = v; }, value_name, help);
}

ArgParser& ArgParser::add_flag(std::string_view name, bool& value, std::string_view help) {
  m_options.push_back({std::string(name), {}, &value, {}, std::string(help)});
  return *this;
}

ArgParser& ArgParser::add_check(std::function<std::optional<std::string>()> check) {
  m_checks.push_back(std::move(check));
  return *this;
}

ArgParser& ArgParser::footer(std::string_view text) {
  m_footer = text;
  return *this;
}

const ArgParser::Option* ArgParser::find_option(std::string_view name) const {
  for (const auto& option : m_options)
    if (option.name == name) return &option;
  return nullptr;
}

ArgParser::Outcome ArgParser::parse(int argc, const char* const* argv, std::string& message) {
  auto error = [&](std::string text) {
    message = fmt::format("{}: {}\nRun '{} --help' for usage.\n", m_program, text, m_program);
    return Outcome::error;
  };
  std::size_t next_positional = 0;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!options_done && arg.size() > 1 && arg[0] == '-') {
      if (arg == "--") {
        options_done = true;
        continue;
      }
      if (arg == "-h" || arg == "--help") {
        message = help_text();
        return Outcome::help;
      }
      if (arg == "--version") return Outcome::version;
      auto eq = arg.find('=');
      std::string_view name = arg.substr(0, eq);
      const Option* option = find_option(name);
      if (!option) return error(fmt::format("unknown option '{}'", name));
      if (!option->set) {
        if (eq != std::string_view::npos) return error(fmt::format("option '{}' takes no value", name));
        *option->flag = true;
      } else if (eq != std::string_view::npos) {
        option->set(arg.substr(eq + 1));
      } else if (i + 1 < argc) {
        option->set(argv[++i]);
      } else {
        return error(fmt::format("option '{}' needs a value ({})", name, option->value_name));
      }
      continue;
    }
    if (next_positional >= m_positionals.size()) return error(fmt::format("unexpected argument '{}'", arg));
    m_positionals[next_positional++].set(arg);
  }
  for (std::size_t i = next_positional; i < m_positionals.size(); ++i)
    if (m_positionals[i].required) return error(fmt::format("missing argument {}", m_positionals[i].name));
  for (const auto& check : m_checks)
    if (auto problem = check()) return error(*problem);
  return Outcome::run;
}

std::string ArgParser::help_text() const {
  std::string usage = fmt::format("Usage: {} [OPTIONS]", m_program);
  for (const auto& p : m_positionals)
    usage += p.required ? " " + p.name : " [" + p.name + "]";
  std::string text = usage + "\n\n" + m_description + "\n";
  if (!m_positionals.empty()) {
    text += "\nArguments:\n";
    for (const auto& p : m_positionals)
      text += fmt::format("  {:<22} {}\n", p.name, p.help);
  }
  text += "\nOptions:\n";
  for (const auto& o : m_options) {
    std::string left = o.set ? o.name + " " + o.value_name : o.name;
    text += fmt::format("  {:<22} {}\n", left, o.help);
  }
  text += fmt::format("  {:<22} {}\n", "-h, --help", "print this help and exit");
  text += fmt::format("  {:<22} {}\n", "--version", "print the version and exit");
  if (!m_footer.empty()) text += "\n" + m_footer + "\n";
  return text;
}

} // namespace ah::hooks
