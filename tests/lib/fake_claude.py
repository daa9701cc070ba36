#!/usr/bin/env python3
"""A small stand-in for Claude Code's TUI, for the session integration tests.

It draws what phase-monitor looks for, from the real 2.1.328 screens: the
input prompt (a rule of U+2500, a line "❯" + U+00A0 + input, another rule),
or a start-up dialog ("❯ " cursor, "Enter to confirm · Esc to cancel"). It
reads the terminal in raw mode: a bracketed paste (ESC[200~ ... ESC[201~, CR
inside it kept as a newline) goes into the input box, and Enter outside a
paste submits it: the text is appended to $FAKE_CLAUDE_LOG followed by a NUL.

Environment:
  FAKE_CLAUDE_MODE     ready (default) | trust (the trust dialog first, then the
                       prompt) | apikey (the API-key dialog, forever) | die
                       (print an error and exit 3 at once)
  FAKE_CLAUDE_DELAY    seconds before drawing anything
  FAKE_CLAUDE_SWALLOW  how many Enters to ignore (a redraw that swallows keys)
  FAKE_CLAUDE_ENV_DUMP a file that receives the environment (NUL-separated)
  FAKE_CLAUDE_EXIT_MARKER  on SIGHUP/SIGTERM: sleep 0.3 s, then write
                       "EPOCH other" there (as a SessionEnd hook would), then exit
  FAKE_CLAUDE_PIDFILE  a file that receives our pid
  FAKE_CLAUDE_RAW_LOG  a file that receives every byte read from the terminal,
                       as read (what reached the pane, escapes included)
  FAKE_CLAUDE_TURN     the session's turn record (claude-turn-S.json): on a
                       submit, write it as the prompt-submit hook would (state
                       working, the prompt's digest), and when the turn ends
                       as idle-stop would (state idle)
  FAKE_CLAUDE_WORK     seconds a turn stays working (default 0: it ends at once)
  FAKE_CLAUDE_SUBMIT_HIDDEN  how many submits take the text out of the box
                       without recording it (a submit Claude lost after all)

Escape twice clears a non-empty input box, as Claude Code 2.1.328 does
(the first one shows "esc again to clear"); Escape on an empty box in a
working turn interrupts it without writing the record (Claude fires no
Stop hook then). While a turn is working, the
screen shows "esc to interrupt" and a submit is queued inside the turn, as
Claude does: it is logged with the prefix "IN-TURN:" and records nothing.
"""
import json
import os
import re
import signal
import sys
import termios
import time
import tty

if "--version" in sys.argv[1:]:
    print("2.1.328 (Claude Code)")
    sys.exit(0)

RULE = "\u2500" * 60
NBSP = "\u00a0"
mode = os.environ.get("FAKE_CLAUDE_MODE", "ready")
swallow = int(os.environ.get("FAKE_CLAUDE_SWALLOW", "0"))
turn_file = os.environ.get("FAKE_CLAUDE_TURN")
work_seconds = float(os.environ.get("FAKE_CLAUDE_WORK", "0"))
hidden = int(os.environ.get("FAKE_CLAUDE_SUBMIT_HIDDEN", "0"))
working_until = 0.0
esc_armed = False
prompt_count = 0
log = os.environ.get("FAKE_CLAUDE_LOG")
raw_log = os.environ.get("FAKE_CLAUDE_RAW_LOG")
out = sys.stdout


def on_signal(sig, _frame):
    marker = os.environ.get("FAKE_CLAUDE_EXIT_MARKER")
    if marker:
        time.sleep(0.3)
        with open(marker, "w") as f:
            f.write(f"{int(time.time())} other\n")
    os._exit(0)


signal.signal(signal.SIGHUP, on_signal)
signal.signal(signal.SIGTERM, on_signal)

if os.environ.get("FAKE_CLAUDE_PIDFILE"):
    with open(os.environ["FAKE_CLAUDE_PIDFILE"], "w") as f:
        f.write(str(os.getpid()))
if os.environ.get("FAKE_CLAUDE_ENV_DUMP"):
    with open(os.environ["FAKE_CLAUDE_ENV_DUMP"], "wb") as f:
        f.write(b"".join(k + b"=" + v + b"\0" for k, v in os.environb.items()))

time.sleep(float(os.environ.get("FAKE_CLAUDE_DELAY", "0")))

if mode == "die":
    print("fake-claude: fatal: cannot start (FAKE_CLAUDE_MODE=die)", flush=True)
    sys.exit(3)


def draw(lines):
    out.write("\x1b[2J\x1b[H" + "\r\n".join(lines))
    out.flush()


def prompt_screen(text, note=""):
    body = text.split("\n")
    if working_until and not note:
        note = "\u2733 Working\u2026 (esc to interrupt)"
    lines = [" fake Claude Code", note, RULE, "\u276f" + NBSP + body[0]]
    lines += ["  " + b for b in body[1:]]
    lines += [RULE, "  \u23f5\u23f5 bypass permissions on"]
    draw(lines)


def digest(prompt):
    """prompt_digest of common/state/turn.cpp: FNV-1a 64 of the text with a
    paste's <pasted_content id="X"> wrapper taken off, every run of whitespace
    one space, and both ends trimmed."""
    ws = " \t\n\r\v\f"
    s = prompt.strip(ws)
    opening, closing = '<pasted_content id="', '</pasted_content id="'
    if s.startswith(opening) and s.endswith('">'):
        id_end = s.find('"', len(opening))
        if id_end >= 0 and s[id_end:id_end + 2] == '">':
            ident = s[len(opening):id_end]
            tail = closing + ident + '">'
            if len(s) >= id_end + 2 + len(tail) and s.endswith(tail):
                prompt = s[id_end + 2:len(s) - len(tail)]
    norm = " ".join(w for w in re.split("[" + re.escape(ws) + "]+", prompt) if w)
    h = 0xcbf29ce484222325
    for b in norm.encode("utf-8", "surrogateescape"):
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def write_turn(state, prompt=None):
    if not turn_file:
        return
    record = {}
    try:
        with open(turn_file) as f:
            record = json.load(f)
    except (OSError, ValueError):
        pass
    now_ms = int(time.time() * 1000)
    record.update({"state": state, "since_ms": now_ms, "claude_pid": os.getpid()})
    if prompt is not None:
        record["prompt"] = {"id": f"fake-{prompt_count}", "digest": digest(prompt),
                            "bytes": len(prompt.encode("utf-8", "surrogateescape")), "at_ms": now_ms}
    tmp = turn_file + ".fake-tmp"
    with open(tmp, "w") as f:
        json.dump(record, f)
    os.chmod(tmp, 0o600)
    os.replace(tmp, turn_file)


def trust_screen(cursor):
    opts = ["No, exit", "Yes, I trust this folder"]
    lines = [RULE, " Accessing workspace:", " " + os.getcwd(), " Quick safety check: Is this a project you trust?"]
    for i, o in enumerate(opts):
        lines.append((" \u276f " if i == cursor else "   ") + o)
    lines.append(" Enter to confirm \u00b7 Esc to cancel")
    draw(lines)


def apikey_screen():
    draw([RULE, "  Detected a custom API key in your environment", "  Do you want to use this API key?",
          "    Yes", "  \u276f No (recommended)", "  Enter to confirm \u00b7 Esc to cancel"])


fd = sys.stdin.fileno()
old = termios.tcgetattr(fd)
tty.setraw(fd)
out.write("\x1b[?2004h")  # ask for bracketed paste, as Claude does
state = "trust" if mode == "trust" else "apikey" if mode == "apikey" else "prompt"
cursor = 0
text = ""
note = ""
if state == "trust":
    trust_screen(cursor)
elif state == "apikey":
    apikey_screen()
else:
    prompt_screen(text)

buf = b""
pasting = False
paste = b""
import select


def end_turn():
    global working_until, note
    working_until = 0.0
    note = "\u25cf Done."
    write_turn("idle")
    if state == "prompt":
        prompt_screen(text, note)


try:
    while True:
        if working_until:
            ready, _, _ = select.select([fd], [], [], max(0.0, working_until - time.time()))
            if not ready:
                end_turn()
                continue
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        if raw_log:
            with open(raw_log, "ab") as f:
                f.write(chunk)
        buf += chunk
        while buf:
            if pasting:
                end = buf.find(b"\x1b[201~")
                if end < 0:
                    # keep a possible partial end marker
                    keep = 6
                    paste += buf[:-keep] if len(buf) > keep else b""
                    buf = buf[-keep:] if len(buf) > keep else buf
                    break
                paste += buf[:end]
                buf = buf[end + 6:]
                pasting = False
                text += paste.replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode("utf-8", "replace")
                paste = b""
                prompt_screen(text)
                continue
            if buf.startswith(b"\x1b[200~"):
                pasting = True
                buf = buf[6:]
                continue
            if buf.startswith(b"\x1b[") and len(buf) >= 3:
                key = buf[:3]
                buf = buf[3:]
                if state == "trust" and key in (b"\x1b[A", b"\x1b[B"):
                    cursor = 1 if key == b"\x1b[B" else 0
                    trust_screen(cursor)
                continue
            if buf == b"\x1b":
                # A lone Escape key: the first arms the clear, the second
                # empties a box that holds text.
                buf = b""
                if state == "prompt" and working_until and not text:
                    # Interrupted: as Claude Code, no Stop hook (the record stays working).
                    working_until = 0.0
                    note = "Interrupted \u00b7 What should Claude do instead?"
                    prompt_screen(text, note)
                elif state == "prompt" and text:
                    if esc_armed:
                        text = ""
                        esc_armed = False
                        prompt_screen(text, note)
                    else:
                        esc_armed = True
                        prompt_screen(text, "esc again to clear")
                continue
            if buf.startswith(b"\x1b") and len(buf) < 3:
                break
            c = buf[:1]
            buf = buf[1:]
            if c == b"\r":
                if state == "trust":
                    if cursor == 0:
                        sys.exit(1)
                    state = "prompt"
                    prompt_screen(text)
                    continue
                if state != "prompt" or not text:
                    continue  # as Claude, an empty prompt is not submitted
                if swallow > 0:
                    swallow -= 1
                    continue
                in_turn = bool(working_until)
                if log:
                    with open(log, "ab") as f:
                        f.write((b"IN-TURN:" if in_turn else b"") + text.encode("utf-8", "surrogateescape") + b"\0")
                prompt_count += 1
                submitted = text
                text = ""
                esc_armed = False
                if in_turn:
                    prompt_screen(text, "Queued \u00b7 ctrl+x ctrl+s to send now")
                    continue
                if hidden > 0:
                    hidden -= 1
                    note = "\u25cf OK."
                    prompt_screen(text, note)
                    continue
                write_turn("working", submitted)
                if work_seconds > 0:
                    working_until = time.time() + work_seconds
                    note = ""
                    prompt_screen(text, note)
                else:
                    note = "\u25cf OK."
                    prompt_screen(text, note)
                    end_turn()
            elif c == b"\x03":
                sys.exit(130)
            elif state == "prompt" and c >= b" ":
                text += c.decode("latin-1")
                prompt_screen(text, note)
finally:
    termios.tcsetattr(fd, termios.TCSADRAIN, old)
