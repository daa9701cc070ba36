// Rule 7: only the supervisor manages processes, containers and tmux sessions.
#include "hooks/guard/rule.hpp"

#include <fmt/format.h>

namespace ah::guard {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.substr(0, prefix.size()) == prefix;
}

// kill with a pid or a signal; `kill -l` and job specs (%1, the agent's own
// background jobs) are fine.
bool kill_manages_host(const CommandView& view) {
  bool signal = false;
  bool pid = view.args_from_stdin; // xargs kill: the pids come from stdin
  for (std::size_t i = 1; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    if (t == "-l" || t == "-L" || t == "--list" || t == "--table") return false;
    if (t == "--") continue;
    if (t.size() > 1 && t[0] == '-') {
      signal = true;
      if (t == "-s" || t == "-n" || t == "--signal") ++i;
      continue;
    }
    if (!t.empty() && t[0] == '%') continue;
    pid = true;
  }
  return pid || signal;
}

// The docker (or podman) subcommand words after the global options.
std::pair<std::string_view, std::string_view> docker_verbs(const CommandView& view) {
  std::size_t i = 1;
  while (i < view.size()) {
    const std::string_view t = view.text(i);
    if (t.size() < 2 || t[0] != '-') break;
    bool takes_value =
        t.find('=') == std::string::npos &&
        (t == "-H" || t == "--host" || t == "-c" || t == "--context" || t == "--config" || t == "-l" ||
         t == "--log-level" || t == "--tlscacert" || t == "--tlscert" || t == "--tlskey" || t == "--url" ||
         t == "--connection" || t == "--root" || t == "--runroot");
    i += takes_value ? 2 : 1;
  }
  std::string_view first = i < view.size() ? std::string_view(view.text(i)) : std::string_view();
  std::size_t j = i + 1;
  while (j < view.size() && view.text(j).size() > 1 && view.text(j)[0] == '-')
    ++j;
  std::string_view second = j < view.size() ? std::string_view(view.text(j)) : std::string_view();
  return {first, second};
}

bool docker_manages_host(const CommandView& view) {
  auto [first, second] = docker_verbs(view);
  if (first == "rm" || first == "stop" || first == "kill" || first == "prune" || first == "rmi") return true;
  if (first == "container")
    return second == "rm" || second == "stop" || second == "kill" || second == "prune";
  if (first == "system" || first == "image" || first == "volume" || first == "network" || first == "builder")
    return second == "prune";
  if (first == "compose") return second == "down" || second == "stop" || second == "kill" || second == "rm";
  return false;
}

// tmux accepts unique prefixes of command names and the alias `send`.
bool is_tmux_host_command(std::string_view cmd) {
  if (cmd == "send") return true;
  if (cmd.size() >= 7 && (starts_with("kill-session", cmd) || starts_with("kill-server", cmd))) return true;
  if (cmd.size() >= 6 && starts_with("send-keys", cmd)) return true;
  return false;
}

bool tmux_manages_host(const CommandView& view) {
  std::size_t i = 1;
  while (i < view.size()) {
    const std::string_view t = view.text(i);
    if (t.size() < 2 || t[0] != '-') break;
    char last = t.back();
    i += (t.size() == 2 && (last == 'L' || last == 'S' || last == 'f' || last == 'c' || last == 'T')) ? 2 : 1;
  }
  // Commands are separated by a lone ; (written \; or ';').
  bool at_command = true;
  for (; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    if (t == ";") {
      at_command = true;
      continue;
    }
    if (at_command && is_tmux_host_command(t)) return true;
    at_command = !t.empty() && t.back() == ';' && t.size() > 1 && t[t.size() - 2] == '\\';
  }
  return false;
}

} // namespace

RuleResult check_host_management(const CommandView& view, const RuleContext& ctx) {
  const std::string_view name = view.name;
  // Every program this rule knows starts with one of these letters.
  if (name.empty() || (name[0] != 'k' && name[0] != 'p' && name[0] != 'd' && name[0] != 't'))
    return std::nullopt;
  bool manages = false;
  if (same_name(name, "kill"))
    manages = kill_manages_host(view);
  else if (same_name(name, "pkill") || same_name(name, "killall"))
    manages = true;
  else if (same_name(name, "docker") || same_name(name, "podman"))
    manages = docker_manages_host(view);
  else if (same_name(name, "docker-compose") || same_name(name, "podman-compose"))
    manages = view.size() > 1 && (view.text(1) == "down" || view.text(1) == "stop" ||
                                  view.text(1) == "kill" || view.text(1) == "rm");
  else if (same_name(name, "tmux"))
    manages = tmux_manages_host(view);
  // The session's class is looked at last: most commands manage nothing.
  if (!manages || ctx.settings.session_class() == SessionClass::supervisor) return std::nullopt;
  return Denial{
      std::string(k_rule_host_management),
      fmt::format("`{}` manages processes, containers or tmux sessions of the host, which only the "
                  "supervisor session may do; stop your own background jobs with kill %JOB, or report "
                  "the problem (PHASE:escalate) and let the supervisor act",
                  describe(view))};
}

} // namespace ah::guard
