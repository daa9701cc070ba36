#!/usr/bin/env bash
# Reproduces the figures of docs/reliability.md: kill -9 at random moments of
# a hook's write, of the installer and of write-context; 1,000 hooks at once
# on one marker; links, FIFOs and devices planted where we read and write;
# session names that would escape the marker directory; file modes under
# umask 000; as root, a second local user's attacks on a session (two
# throwaway users, removed at the end; skipped when not root). Every check
# prints its runs and failures; exit 1 on any failure.
#
# usage: scripts/reliability.sh [--quick] [--build-dir DIR] [--only second-user]
#   --quick       a tenth of the runs (CI runs this form, about a minute)
#   --build-dir   where the executables were built (default build/)
#   --only second-user   that section alone (root only)
# RELIABILITY_SEED sets the seed of the random kill moments (default 1).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build"
args=()
while (($#)); do
  case $1 in
  --quick) args+=(--quick) ;;
  --build-dir) build=$2; shift ;;
  --only) args+=(--only "${2:-}"); shift ;;
  -h | --help) sed -n '2,/^set -/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "reliability.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
  shift
done
bin=${AGENT_HOOKS_BIN:-$build/bin}
[[ -x "$bin/phase-monitor" ]] || { echo "reliability.sh: no phase-monitor in $bin (build first: scripts/setup.sh)" >&2; exit 1; }
exec python3 "$root/scripts/lib/reliability.py" --bin "$bin" "${args[@]}"
