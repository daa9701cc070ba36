#pragma once
// The phase-monitor command line: one table of subcommands, one error
// boundary. A subcommand declares its arguments on its own CLI11 app and
// returns the action that runs once the command line parsed.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace ah::monitor {

// Options shared by every subcommand.
struct GlobalOptions {
  std::string config; // --config FILE; empty: the default path
};

// What a subcommand does after parsing; returns the exit status.
using Action = std::function<int()>;

struct Subcommand {
  std::string_view name;
  std::string_view summary; // one line for `phase-monitor --help`
  // Declares the subcommand's arguments on `app` and returns its action. The
  // action may read `global`, which is filled in by then.
  Action (*define)(CLI::App& app, const GlobalOptions& global);
};

// Every subcommand, in the order --help lists them.
std::span<const Subcommand> subcommands() noexcept;

// Runs phase-monitor as main() would; returns the exit status: the
// subcommand's, 1 after an error (printed as "phase-monitor: error: …"), 64
// for bad arguments.
int monitor_main(int argc, char** argv);

} // namespace ah::monitor
