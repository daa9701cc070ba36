#!/usr/bin/env bash
# The package's manual pages: one per program and per phase-monitor
# subcommand (as listed by the packaged phase-monitor's own --help), plus
# agent-hooks(7); each renders without a groff or man warning; and each says
# what --help says (every option --help names is on the page, every
# paragraph of --help is in it), since both come from the same text.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib/package.bash"
package_deb >/dev/null
MAN="$PKG_ROOT/usr/share/man"

# programs: "PAGE PROGRAM [SUBCOMMAND]" per section 1 page we expect.
programs() {
  local sub h
  echo "phase-monitor $MONITOR"
  for sub in $("$MONITOR" --help | awk '/^[A-Za-z]+:$/ { s = tolower($0); next } s == "subcommands:" && /^  [a-z]/ { print $1 }'); do
    echo "phase-monitor-$sub $MONITOR $sub"
  done
  for h in "$HOOKS_DIR"/*; do echo "$(basename "$h") $h"; done
}

# rendered PAGE: the page as text, one paragraph per line (no hyphenation,
# no justification, a wide line), so it compares with --help.
rendered() {
  LC_ALL=C.UTF-8 MANWIDTH=1000 man --nh --nj -l "$1" 2>/dev/null | col -bx | sed "s/^ *//" | tr -s " "
}

test_every_program_and_subcommand_has_a_page_and_the_overview_is_there() {
  local page prog sub missing=()
  while read -r page prog sub; do
    [[ -f "$MAN/man1/$page.1.gz" ]] || missing+=("man1/$page.1.gz")
  done < <(programs)
  [[ -f "$MAN/man7/agent-hooks.7.gz" ]] || missing+=("man7/agent-hooks.7.gz")
  expect_eq "${missing[*]}" "" "pages missing from the package"
  # No page without a program: a removed subcommand loses its page.
  local extra
  extra=$(comm -13 <(programs | awk '{ print $1 ".1.gz" }' | sort) <(ls "$MAN/man1" | sort))
  expect_eq "$extra" "" "pages of no program"
}

test_every_page_renders_without_warnings() {
  local page warnings
  for page in "$MAN"/man*/*.gz; do
    [[ "$(gzip -dc "$page" | head -c 200)" == *.TH* ]] || fail "$page is not a manual page"
    warnings=$(man --warnings -l "$page" 2>&1 >/dev/null)
    expect_eq "$warnings" "" "man --warnings -l $page"
  done
}

test_each_page_says_what_help_says() {
  local page prog sub help text option line
  while read -r page prog sub; do
    help=$("$prog" $sub --help) || fail "$prog $sub --help failed"
    text=$(rendered "$MAN/man1/$page.1.gz")
    expect_contains "$text" "$(awk 'NR == 1 && !/^Usage:/ { print; exit } seen && NF { print; exit } /^Usage:/ { seen = 1 }' <<<"$help" |
      sed -E 's/\. .*//; s/\.$//')" "the NAME of $page"
    for option in $(grep -oE -- '(^|[ ,])--?[a-zA-Z][-a-zA-Z0-9]*' <<<"$help" | tr -d ' ,' | sort -u); do
      expect_contains "$text" "$option" "$page (an option of $prog $sub --help)"
    done
    # Each prose paragraph of --help (lines not indented, not headings).
    while IFS= read -r line; do
      [[ -z "$line" || "$line" == Usage:* || "$line" == *: || "$line" == " "* ]] && continue
      expect_contains "$text" "$(tr -s ' ' <<<"$line")" "$page (a paragraph of $prog $sub --help)"
    done <<<"$help"
  done < <(programs)
}

test_the_overview_is_the_readme_opening() {
  local text first
  text=$(rendered "$MAN/man7/agent-hooks.7.gz")
  first=$(sed -n '3,4p' "$TESTS_DIR/../README.md" | tr '\n' ' ' | sed 's/ $//; s/\.$//')
  expect_contains "$text" "agent-hooks - ${first,}" "the NAME of agent-hooks(7)"
  expect_contains "$text" "phase-monitor(1)" "the SEE ALSO of agent-hooks(7)"
}

run_tests
