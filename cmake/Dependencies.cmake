# Every dependency comes from Debian's packages; nothing is downloaded at build time.
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(tomlplusplus 3 REQUIRED)
find_package(CLI11 2 REQUIRED)

# Debian ships toml++ as a shared library whose imported target forces
# TOML_HEADER_ONLY=0. We want header-only use (static hooks), so take only its
# include directories.
get_target_property(_toml_includes tomlplusplus::tomlplusplus INTERFACE_INCLUDE_DIRECTORIES)
add_library(agent_hooks_toml INTERFACE)
target_include_directories(agent_hooks_toml SYSTEM INTERFACE ${_toml_includes})
target_compile_definitions(agent_hooks_toml INTERFACE TOML_HEADER_ONLY=1 TOML_EXCEPTIONS=1)
