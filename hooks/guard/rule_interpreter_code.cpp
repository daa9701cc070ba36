// Rule 8: what interpreter one-liners (python -c, node -e, perl -e, ruby -e,
// php -r, a script fed to a bare interpreter) delete, and code the reader
// cannot follow. The shell commands they run are judged by every rule as
// nested scripts (engine.cpp); this rule judges the rest of the reading.
#include "hooks/guard/rule.hpp"

#include <fmt/format.h>

namespace ah::guard {

namespace {

Denial denial(const CommandView& view, std::string_view what, std::string_view instead) {
  return Denial{std::string(k_rule_interpreter_code),
                fmt::format("the {} code run by `{}` {}; {}", language_name(view.language),
                            describe(view, 80), what, instead)};
}

constexpr std::string_view k_plainer =
    "run the command as a plain shell command instead (the guard reads shell, not code built at run time)";

} // namespace

RuleResult check_interpreter_code(const CommandView& view, const RuleContext& ctx) {
  if (view.readings.empty()) return std::nullopt;
  for (const CodeReading& reading : view.readings) {
    if (!reading.error.empty())
      return denial(view, fmt::format("cannot be read by the guard ({})", reading.error),
                    "put the code in a file and run the file, or split it into smaller pieces");
    for (const CodeDelete& d : reading.deletes) {
      const std::string places = allowed_delete_places(ctx);
      if (!d.path) {
        return denial(view,
                      fmt::format("deletes with {}() a path that is not a literal, so the guard cannot tell "
                                  "what it removes",
                                  d.call),
                      fmt::format("spell the path out as a literal, and delete only {}", places));
      }
      std::string path;
      if (!d.path->empty() && d.path->front() == '/')
        path = normalize_path(*d.path);
      else if (ctx.paths.cwd && !ctx.paths.pwd_reassigned)
        path = normalize_path(*d.path, *ctx.paths.cwd);
      if (path.empty()) {
        return denial(view,
                      fmt::format("deletes the relative path '{}' with {}() where the current directory is "
                                  "not known to the guard",
                                  *d.path, d.call),
                      fmt::format("use an absolute path, and delete only {}", places));
      }
      if (!delete_allowed(path, false, ctx)) {
        return denial(
            view,
            fmt::format("deletes '{}' ({}) with {}(), outside the places it may", *d.path, path, d.call),
            fmt::format("delete only {}", places));
      }
    }
    if (!reading.opaque.empty() &&
        (reading.names_danger || !reading.deletes.empty() || !reading.unknown_commands.empty()))
      return denial(view,
                    fmt::format("builds code or names at run time ({}) and names a delete or process call, "
                                "so the guard cannot tell what it does",
                                reading.opaque),
                    k_plainer);
    if (!reading.unknown_commands.empty())
      return denial(view,
                    fmt::format("runs a command with {} that is not a literal, so the guard cannot tell what "
                                "it runs",
                                reading.unknown_commands.front()),
                    "spell the command out as a literal string or list, or run it as a plain shell command");
  }
  return std::nullopt;
}

} // namespace ah::guard
