# Build settings as INTERFACE targets, linked PRIVATE by our own targets only.

add_library(agent_hooks_settings INTERFACE)
target_compile_features(agent_hooks_settings INTERFACE cxx_std_20)
# Lean binaries: let the linker drop unused sections.
target_compile_options(agent_hooks_settings INTERFACE -ffunction-sections -fdata-sections)
target_link_options(agent_hooks_settings INTERFACE -Wl,--gc-sections)
target_compile_definitions(agent_hooks_settings INTERFACE $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)

add_library(agent_hooks_warnings INTERFACE)
target_compile_options(agent_hooks_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-align -Wformat=2 -Wimplicit-fallthrough
  $<$<BOOL:${AGENT_HOOKS_WERROR}>:-Werror>)

if(AGENT_HOOKS_SANITIZE)
  target_compile_options(agent_hooks_settings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(agent_hooks_settings INTERFACE -fsanitize=address,undefined)
endif()

# agent_hooks_static_exe(TARGET): link an executable fully statically, so a hook
# starts as fast as a static C program. Sanitizer runtimes need dynamic linking.
function(agent_hooks_static_exe target)
  if(NOT AGENT_HOOKS_SANITIZE)
    target_link_options(${target} PRIVATE -static)
  endif()
endfunction()

# Fuzz builds instrument every library for coverage, so the fuzz targets
# (tests/fuzz, tests/guard) see into the code they drive.
if(AGENT_HOOKS_FUZZ)
  target_compile_options(agent_hooks_settings INTERFACE -fsanitize=fuzzer-no-link)
endif()
