// libFuzzer target: the shell-word parser and the guard's rules must accept
// any bytes without crashing, hanging or reading out of bounds.
#include "common/shell_words.hpp"
#include "hooks/guard/command_view.hpp"
#include "hooks/guard/engine.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ah::shell::Script script = ah::shell::parse(input);
  auto check_spans = [](const ah::shell::Word& word) {
    for (const auto& span : word.spans)
      if (span.begin > span.end || span.end > word.text.size()) __builtin_trap();
  };
  for (const auto& command : script.commands) {
    for (const auto& word : command.words)
      check_spans(word);
    for (const auto& word : ah::guard::make_view(command).args)
      check_spans(word);
  }

  static const ah::guard::Settings settings = [] {
    ah::guard::Settings s;
    s.worktree = "/work/wt";
    s.factory_root = "/factory";
    s.home = "/home/agent";
    s.session = "dev-1";
    return s;
  }();
  (void)ah::guard::evaluate_command(input, settings, "/work/wt/sub");
  return 0;
}
