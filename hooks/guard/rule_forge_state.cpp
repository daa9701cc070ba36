// Rule 9: shared forge and host state beyond merges and closed issues:
// deleting, archiving or renaming repositories, releases, issues, secrets
// and variables through gh, tea, glab or a DELETE request on a repository
// path; and, outside the supervisor, removing docker volumes, images and
// networks (docs/guard.md).
#include "hooks/guard/rule.hpp"

#include <fmt/format.h>

namespace ah::guard {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool is_one_of(std::string_view word, std::initializer_list<std::string_view> names) noexcept {
  for (std::string_view n : names)
    if (word == n) return true;
  return false;
}

// The first two words of `view` that are neither options nor the values of
// the options in `with_value` (",repo,R,": the names without dashes).
std::pair<std::string_view, std::string_view> verbs(const CommandView& view, std::string_view with_value) {
  std::string_view found[2];
  std::size_t n = 0;
  for (std::size_t i = 1; i < view.size() && n < 2; ++i) {
    const std::string_view t = view.text(i);
    if (t.size() > 1 && t[0] == '-') {
      const std::string_view name = t.substr(t[1] == '-' ? 2 : 1);
      if (name.find('=') == std::string_view::npos &&
          with_value.find(fmt::format(",{},", name)) != std::string_view::npos)
        ++i;
      continue;
    }
    found[n++] = t;
  }
  return {found[0], found[1]};
}

// The method an HTTP client is told to use (-X DELETE, --request=DELETE,
// --method DELETE, -XDELETE); empty when none is given.
std::string_view request_method(const CommandView& view) {
  for (std::size_t i = 1; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    if (t.size() > 2 && t[0] == '-' && t[1] != '-' && t.find('X') != std::string_view::npos) {
      // a cluster of short options: -sXDELETE, -sX DELETE
      const std::string_view rest = t.substr(t.find('X') + 1);
      if (!rest.empty()) return rest;
      if (i + 1 < view.size()) return view.text(i + 1);
    }
    for (std::string_view opt : {"-X", "--request", "--method"}) {
      if (t == opt && i + 1 < view.size()) return view.text(i + 1);
      if (t.size() > opt.size() && t.starts_with(opt)) {
        std::string_view rest = t.substr(opt.size());
        if (opt == "-X") return rest;
        if (rest[0] == '=') return rest.substr(1);
      }
    }
  }
  return {};
}

// True when an argument names a repository (or GitLab project) API path.
bool names_repository_path(const CommandView& view) {
  for (std::size_t i = 1; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    if (t.starts_with("repos/") || t.starts_with("/repos/") || t.find("/repos/") != std::string_view::npos ||
        t.starts_with("projects/") || t.starts_with("/projects/") ||
        t.find("/api/v4/projects/") != std::string_view::npos)
      return true;
  }
  return false;
}

// httpie: http [OPTIONS] [METHOD] URL …
bool httpie_deletes(const CommandView& view) {
  for (std::size_t i = 1; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    if (t.size() > 1 && t[0] == '-') continue;
    return equals_ignoring_case(t, "DELETE");
  }
  return false;
}

// What a forge CLI call changes for good, or "".
std::string forge_change(const CommandView& view) {
  const std::string_view name = view.name;
  if (same_name(name, "gh") || same_name(name, "glab") || same_name(name, "tea")) {
    auto [group, verb] = verbs(view, ",R,repo,X,method,f,F,field,raw-field,H,header,q,jq,t,template,"
                                     "hostname,login,l,remote,");
    if (group == "api") {
      if (equals_ignoring_case(request_method(view), "DELETE") && names_repository_path(view))
        return "a DELETE request on a repository path";
      return {};
    }
    const bool del = is_one_of(verb, {"delete", "remove", "rm", "del"});
    if (is_one_of(group, {"repo", "repos"}) && (del || is_one_of(verb, {"archive", "rename", "transfer"})))
      return fmt::format("{} {} {}", name, group, verb);
    if (is_one_of(group, {"release", "releases", "r"}) && (del || verb == "delete-asset"))
      return fmt::format("{} {} {}", name, group, verb);
    if (is_one_of(group, {"issue", "issues", "i"}) && del) return fmt::format("{} {} {}", name, group, verb);
    if (is_one_of(group, {"secret", "variable", "label", "labels", "deploy-key", "ssh-key"}) && del)
      return fmt::format("{} {} {}", name, group, verb);
    return {};
  }
  if (same_name(name, "curl") || same_name(name, "wget")) {
    if (equals_ignoring_case(request_method(view), "DELETE") && names_repository_path(view))
      return "a DELETE request on a repository path";
    return {};
  }
  if (same_name(name, "http") || same_name(name, "https") || same_name(name, "xh") ||
      same_name(name, "xhs")) {
    if (httpie_deletes(view) && names_repository_path(view)) return "a DELETE request on a repository path";
  }
  return {};
}

// docker (or podman) volume/image/network removal, or "".
std::string docker_change(const CommandView& view) {
  if (!same_name(view.name, "docker") && !same_name(view.name, "podman")) return {};
  auto [first, second] = verbs(view, ",H,host,c,context,config,l,log-level,tlscacert,tlscert,tlskey,url,"
                                     "connection,root,runroot,");
  if (first == "rmi") return fmt::format("{} rmi", view.name);
  if (is_one_of(first, {"volume", "image", "network"}) && is_one_of(second, {"rm", "remove", "prune"}))
    return fmt::format("{} {} {}", view.name, first, second);
  return {};
}

// True for the programs this rule knows (switched on the length first: most
// programs are ruled out at once).
bool is_forge_state_program(std::string_view n) noexcept {
  switch (n.size()) {
  case 2: return same_name(n, "gh") || same_name(n, "xh");
  case 3: return same_name(n, "tea") || same_name(n, "xhs");
  case 4: return same_name(n, "glab") || same_name(n, "curl") || same_name(n, "wget") || same_name(n, "http");
  case 5: return same_name(n, "https");
  case 6: return same_name(n, "docker") || same_name(n, "podman");
  default: return false;
  }
}

} // namespace

RuleResult check_forge_state(const CommandView& view, const RuleContext& ctx) {
  if (!is_forge_state_program(view.name)) return std::nullopt;
  if (std::string what = forge_change(view); !what.empty()) {
    return Denial{
        std::string(k_rule_forge_state),
        fmt::format("{} (`{}`) changes shared forge state for good (repositories, releases, issues, "
                    "secrets), which is not an agent's to change; report what should change "
                    "(write your phase file, or PHASE:escalate) and let the orchestrator do it",
                    what, describe(view))};
  }
  if (std::string what = docker_change(view);
      !what.empty() && ctx.settings.session_class() != SessionClass::supervisor) {
    return Denial{
        std::string(k_rule_forge_state),
        fmt::format("`{}` removes docker volumes, images or networks shared by the host, which only "
                    "the supervisor session may do; remove only containers you started with --rm, "
                    "or report the problem (PHASE:escalate) and let the supervisor act",
                    describe(view))};
  }
  return std::nullopt;
}

} // namespace ah::guard
