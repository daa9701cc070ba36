#!/usr/bin/env bash
# Writes the section 1 manual pages from the built executables' own --help
# and --version, so a page says exactly what --help says in the same build:
#   phase-monitor.1, and phase-monitor-SUBCOMMAND.1 per subcommand (as git
#   does; the subcommands are read from `phase-monitor --help`, so a new one
#   gets its page without a change here),
#   HOOK.1 for each hook named on the command line,
#   and agent-hooks.7, the overview, from the README's opening (overview-page.py).
# help2man does the formatting; each page's NAME line is the first sentence
# of its --help description. Pages are compressed with gzip -9n, as Debian
# installs them. The date is the one of the newest changelog entry (or
# SOURCE_DATE_EPOCH), so the same sources give the same pages.
#
# usage: packaging/man-pages.sh MONITOR_DIR HOOK_DIR OUT_DIR HOOK...
#   writes OUT_DIR/man1/*.1.gz and OUT_DIR/man7/agent-hooks.7.gz (and removes
#   the pages of executables that are gone)
set -euo pipefail

monitor_dir=$1 hook_dir=$2 out_dir=$3
shift 3
hooks=("$@")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ -z "${SOURCE_DATE_EPOCH:-}" ]]; then
  SOURCE_DATE_EPOCH=$(date -d "$(sed -n 's/^ -- .*>  //p' "$here/changelog" | head -1)" +%s)
fi
export SOURCE_DATE_EPOCH
# help2man runs the programs and writes the pages in C.UTF-8 (with its
# --locale below): English headings, and the help's UTF-8 (❯, …) kept.
export LC_ALL=C.UTF-8

# Built into a fresh folder that replaces the old one, so a subcommand that
# was removed loses its page.
tmp=$(mktemp -d "$out_dir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/man1" "$tmp/man7"

# name_of HELP_TEXT: the first sentence of the description, without its
# full stop: the help's first line when it comes before "Usage:" (CLI11's
# form), else the first paragraph after "Usage:" (the hooks' form).
name_of() {
  awk 'NR == 1 && !/^Usage:/ { print; exit } seen && NF { print; exit } /^Usage:/ { seen = 1 }' <<<"$1" |
    sed -E 's/\. .*//; s/\.$//'
}

# see_also FILE ENTRY...: a help2man include file with a SEE ALSO section.
see_also() {
  local file=$1 entry sep=
  shift
  {
    printf '[SEE ALSO]\n'
    for entry in "$@"; do
      printf '%s.BR %s (%s)' "$sep" "${entry%(*}" "${entry#*(}" | sed 's/)$//; s/-/\\-/g'
      sep=$',\n'
    done
    printf '\n'
  } >"$file"
}

# page PROGRAM PAGE_NAME HELP_OPTION VERSION_STRING SEE_ALSO...: one page.
# VERSION_STRING is "PAGE_NAME (agent-hooks) VERSION": help2man takes the
# page's title from it (PHASE-MONITOR-WATCH, not PHASE-MONITOR).
page() {
  local program=$1 name=$2 help_option=$3 version=$4
  shift 4
  local help
  help=$("$program" $help_option)
  see_also "$tmp/$name.h2m" "$@"
  help2man --no-info --locale=C.UTF-8 --section=1 --name="$(name_of "$help")" \
    --help-option="$help_option" --version-string="$version" \
    --include="$tmp/$name.h2m" --output="$tmp/man1/$name.1" "$program"
  gzip -9n "$tmp/man1/$name.1"
}

monitor="$monitor_dir/phase-monitor"
version=$("$monitor" --version | awk '{ print $NF }')
# The subcommands: the indented lines under "Subcommands:" in the top-level help.
mapfile -t subcommands < <("$monitor" --help |
  awk '/^[A-Za-z]+:$/ { section = tolower($0); next } section == "subcommands:" && /^  [a-z]/ { print $1 }')
((${#subcommands[@]})) || { echo "man-pages.sh: no subcommands in '$monitor --help'" >&2; exit 1; }

monitor_pages=()
for sub in "${subcommands[@]}"; do monitor_pages+=("phase-monitor-$sub(1)"); done
page "$monitor" phase-monitor --help "phase-monitor (agent-hooks) $version" "agent-hooks(7)" "${monitor_pages[@]}"
for sub in "${subcommands[@]}"; do
  page "$monitor" "phase-monitor-$sub" "$sub --help" "phase-monitor-$sub (agent-hooks) $version" \
    "phase-monitor(1)" "agent-hooks(7)"
done
for hook in "${hooks[@]}"; do
  page "$hook_dir/$hook" "$hook" --help "$hook (agent-hooks) $version" "agent-hooks(7)" "phase-monitor(1)"
done

python3 "$here/overview-page.py" "$here/../README.md" "$version" "$SOURCE_DATE_EPOCH" \
  "$tmp/man7/agent-hooks.7" $(cd "$tmp/man1" && ls)
gzip -9n "$tmp/man7/agent-hooks.7"

rm -rf "$out_dir/man1" "$out_dir/man7"
mkdir -p "$out_dir"
mv "$tmp/man1" "$tmp/man7" "$out_dir/"
