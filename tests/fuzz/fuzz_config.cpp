// libFuzzer target: the TOML configuration loader. Any bytes are either a
// configuration or an Error naming the position; typed look-ups of any key
// answer a value, nothing, or an Error naming the key — never a crash.
#include "common/config.hpp"
#include "common/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ah::ConfigFile config;
  try {
    config = ah::ConfigFile::parse(text, "fuzz.toml");
  } catch (const ah::Error&) {
    return 0;
  }
  for (const char* key : {"marker_dir", "lock_timeout", "poll_interval", "terminal_phases",
                          "guard.primary_branch", "guard.disabled_rules", "tmux.socket", "a.b.c", ""}) {
    try {
      (void)config.get_string(key);
    } catch (const ah::Error&) {
    }
    try {
      (void)config.get_int(key);
    } catch (const ah::Error&) {
    }
    try {
      (void)config.get_bool(key);
    } catch (const ah::Error&) {
    }
    try {
      (void)config.get_strings(key);
    } catch (const ah::Error&) {
    }
  }
  return 0;
}
