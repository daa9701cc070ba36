# Helpers for the session integration tests (source after common.sh): a
# private tmux server, HOME (with a space), marker directory and lock file per
# test, and the fake claude of tests/lib/fake_claude.py.
FAKE_CLAUDE="$TESTS_DIR/lib/fake_claude.py"

command -v tmux >/dev/null || skip_all "tmux is not installed"
command -v python3 >/dev/null || skip_all "python3 is needed for the fake claude"

# session_env: call first in each test.
session_env() {
  # A short folder of its own: a socket path is limited to 107 bytes.
  TMUX_TMPDIR=$(mktemp -d /tmp/ahs.XXXXXX)
  export TMUX_TMPDIR
  unset TMUX TMUX_PANE AGENT_HOOKS_TMUX_SOCKET AGENT_HOOKS_LOCK_FILE CLAUDE_BIN CLAUDE_MODEL
  export HOME="$t/my home"
  export AGENT_HOOKS_MARKER_DIR="$t/markers"
  export XDG_CONFIG_HOME="$t/config"
  # The private folder of the lock files (ah::private_dir): one per test.
  export XDG_RUNTIME_DIR="$t/run"
  mkdir -p "$HOME" "$t/work dir"
  mkdir -m 700 -p "$XDG_RUNTIME_DIR"
  M=$AGENT_HOOKS_MARKER_DIR
  W="$t/work dir"
  trap 'tmux kill-server 2>/dev/null || true; rm -rf "$TMUX_TMPDIR"' EXIT
}

pm() { run_prog phase-monitor "$@"; }

# create_fake NAME [ARGS...]: `phase-monitor create NAME "$W"` with the fake claude.
create_fake() {
  local name=$1
  shift
  pm create "$name" "$W" --no-install --claude-cmd "$FAKE_CLAUDE" "$@"
}

state_field() { # SESSION FIELD
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$M/agent-session-$1.json" "$2"
}
