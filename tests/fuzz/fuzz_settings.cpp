// libFuzzer target: the settings merger. Any bytes either are refused with an
// Error or parse; a parsed file merged with our hook set renders to a file
// that parses again, and merging twice changes nothing (idempotence), and
// uninstalling leaves no entry of ours.
#include "install/settings.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

const std::vector<ah::install::HookEntry>& wanted() {
  static const std::vector<ah::install::HookEntry> entries{
      {"idle-stop", "Stop", "", "/opt/agent-hooks/libexec/idle-stop /tmp/claude-idle-s.ts"},
      {"phase-change", "PostToolUse", "Bash|Write|Edit",
       "/opt/agent-hooks/libexec/phase-change /tmp/s.phase x"},
      {"session-end", "SessionEnd", "", "/opt/agent-hooks/libexec/session-end /tmp/claude-exited-s.ts"},
  };
  return entries;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::filesystem::path hooks_dir = "/opt/agent-hooks/libexec";
  ah::install::Settings doc;
  try {
    doc = ah::install::parse_settings(text, "fuzz.json");
  } catch (const std::exception&) {
    return 0;
  }
  try {
    ah::install::apply_hook_set(doc, wanted(), hooks_dir);
    const std::string once = ah::install::render_settings(doc);
    ah::install::Settings again = ah::install::parse_settings(once, "once.json");
    ah::install::apply_hook_set(again, wanted(), hooks_dir);
    if (ah::install::render_settings(again) != once) __builtin_trap();
    if (!ah::install::find_drift(again, wanted(), hooks_dir).empty()) __builtin_trap();
    ah::install::apply_hook_set(again, {}, hooks_dir);
    if (ah::install::find_drift(again, {}, hooks_dir).size() != 0) __builtin_trap();
  } catch (const nlohmann::json::exception&) {
    // Invalid UTF-8 kept from the input cannot be rendered: an Error-class outcome.
  }
  return 0;
}
