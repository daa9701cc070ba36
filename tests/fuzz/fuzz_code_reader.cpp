// libFuzzer target: rule 8's one-liner reader must accept any bytes in any of
// its languages without crashing, hanging or reading out of bounds, stay
// within its limits, and read the same code the same way twice. The first
// byte picks the language; the rest is the code. The same code is also run
// through the whole guard as `python3 -c`, `node -e` and a heredoc, so the
// commands it finds are parsed and judged too.
#include "hooks/guard/code_reader.hpp"
#include "hooks/guard/engine.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace ah::guard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr CodeLanguage k_languages[] = {CodeLanguage::python, CodeLanguage::javascript,
                                                 CodeLanguage::perl, CodeLanguage::ruby, CodeLanguage::php};
  const CodeLanguage language = k_languages[data[0] % 5];
  const std::string_view code(reinterpret_cast<const char*>(data + 1), size - 1);

  CodeLimits limits;
  limits.max_tokens = 20'000; // small, so that the budget's edge is reached often
  const CodeReading first = read_code(language, code, limits);
  const CodeReading second = read_code(language, code, limits);
  if (first.commands != second.commands || first.deletes.size() != second.deletes.size() ||
      first.opaque != second.opaque || first.error != second.error)
    __builtin_trap(); // not deterministic
  // Every command and delete comes from text of the code (literal code read
  // by eval/exec at most doubles it per level, and levels are bounded).
  std::size_t found = 0;
  for (const std::string& c : first.commands)
    found += c.size();
  if (first.commands.size() > code.size() + 1 || first.deletes.size() > code.size() + 1) __builtin_trap();

  static const Settings settings = [] {
    Settings s;
    s.worktree = "/work/wt";
    s.home = "/home/agent";
    s.session = "dev-1";
    return s;
  }();
  if (code.size() < 4096 && code.find('\'') == std::string_view::npos) {
    static constexpr std::string_view k_programs[] = {"python3 -c '", "node -e '", "perl -e '", "ruby -e '",
                                                      "php -r '"};
    std::string command(k_programs[data[0] % 5]);
    command.append(code);
    command.push_back('\'');
    (void)evaluate_command(command, settings, "/work/wt");
  }
  std::string heredoc = "python3 - <<'EOF_FUZZ'\n";
  heredoc.append(code);
  heredoc.append("\nEOF_FUZZ\n");
  (void)evaluate_command(heredoc, settings, "/work/wt");
  (void)found;
  return 0;
}
