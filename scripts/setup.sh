#!/usr/bin/env bash
# Sets up a fresh Debian machine for agent-hooks and builds it:
#   1. installs the Debian packages that are missing (compiler, CMake, the
#      libraries, tmux, Node.js/npm, python3; help2man, which writes the
#      manual pages from --help; and what the package tests use: dpkg-dev,
#      lintian, man-db, bsdextrautils for col),
#   2. installs the pinned Claude Code CLI from npm into a cache folder,
#   3. configures and builds into build/ (or --build-dir).
#
#   (--fuzz also installs clang and the libFuzzer runtime matching it)
#
# usage: scripts/setup.sh [--build-dir DIR] [--sanitize] [--fuzz] [--no-claude] [--no-build]
# Environment: AGENT_HOOKS_CACHE (default ~/.cache/agent-hooks) holds the CLI.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$root/build"
sanitize=OFF
want_fuzz=0
want_claude=1
want_build=1
while (($#)); do
  case $1 in
  --build-dir) build_dir=$2; shift ;;
  --sanitize) sanitize=ON ;;
  --fuzz) want_fuzz=1 ;;
  --no-claude) want_claude=0 ;;
  --no-build) want_build=0 ;;
  -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "setup.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
  shift
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

packages=(g++ cmake make pkgconf nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libfmt-dev catch2
  tmux file python3 nodejs npm help2man dpkg-dev lintian man-db bsdextrautils)
((want_fuzz)) && packages+=(clang)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (e.g. a preinstalled toolchain).
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=($(printf '%s\n' "${missing[@]}" | grep -vx -e nodejs -e npm || true))
fi
if ((${#missing[@]})); then
  say "Installing Debian packages: ${missing[*]}"
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ((want_fuzz)); then
  # The libFuzzer runtime is packaged per clang version (libclang-rt-14-dev on
  # Debian 12, a newer one on later releases): take the one of the clang here.
  rt="libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
  if ! dpkg-query -W -f='${Status}' "$rt" 2>/dev/null | grep -q "install ok installed"; then
    say "Installing $rt (libFuzzer)"
    sudo=()
    ((EUID == 0)) || sudo=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$rt"
  fi
fi

if ((want_claude)); then
  version=$(cat "$root/scripts/claude-code-version")
  cache=${AGENT_HOOKS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-hooks}
  dir="$cache/claude-code-$version"
  exe="$dir/node_modules/@anthropic-ai/claude-code/bin/claude.exe"
  if [[ -x "$exe" ]] && "$exe" --version 2>/dev/null | grep -q "^$version "; then
    say "Claude Code $version already installed in $dir"
  else
    say "Installing Claude Code $version from npm into $dir"
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "@anthropic-ai/claude-code@$version" >/dev/null)
    "$exe" --version | grep -q "^$version " || { echo "setup.sh: $exe did not report version $version" >&2; exit 1; }
  fi
fi

if ((want_build)); then
  say "Building into $build_dir (sanitizers: $sanitize)"
  # Release with -Werror: the optimiser's warnings (GCC 12's -Wrestrict at
  # -O3) show only there, so CI builds what users build and no warning creeps
  # in. The sanitizer build keeps debug info for its reports.
  build_type=Release
  [[ $sanitize == ON ]] && build_type=RelWithDebInfo
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" -DAGENT_HOOKS_SANITIZE="$sanitize" \
    -DAGENT_HOOKS_WERROR=ON >/dev/null
  cmake --build "$build_dir" -j "$(nproc)"
fi
