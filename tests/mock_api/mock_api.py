#!/usr/bin/env python3
"""A scripted mock of the Anthropic Messages API, served on loopback.

Claude Code (pointed here with ANTHROPIC_BASE_URL) sends POST /v1/messages with
"stream": true. The mock answers from a scenario file (JSON):

    {"rules": [
       {"match": "push the branch",                      # substring of the user's prompt
        "steps": [                                        # one reply per model turn
          {"tool_use": {"name": "Bash",
                        "input": {"command": "git push --force origin main",
                                  "description": "push"}}},
          {"text": "I was blocked."}]},
       {"match": "rate", "steps": [{"error": {"status": 429, "type": "rate_limit_error",
                                              "message": "Rate limited"}}]},
       {"match": "slow", "steps": [{"text": "Done.", "delay": 6}]},
       {"match": "over the limit", "rate_limit": {"reset_in": 10},
        "steps": [{"text": "Back after the reset."}]}],
     "default": {"text": "OK."}}

A rule applies when the last plain-text user message (not a tool_result)
contains `match`; its step index is the number of assistant messages after
that user message, so step 0 answers the prompt, step 1 answers the first
tool result, and so on; past the last step the last one repeats. Requests that
offer no tools (title generation and other side queries) get a plain text
answer.

Step keys besides text / tool_use / error: "delay" (seconds to wait before
answering: a slow turn), and in an error, "headers" (extra response headers).

A rule with "rate_limit" scripts a usage limit the way the Messages API
reports one to a subscriber: the first request matching the rule opens a
window of "reset_in" seconds (default 10); until it ends EVERY Messages request
(the limit is the account's, not the prompt's) gets HTTP 429 with
`retry-after` and the `anthropic-ratelimit-unified-*` headers Claude Code reads
(status rejected, reset = the window's end in epoch seconds, representative
claim "claim", default five_hour). After the window the rule answers from its
steps as usual. Optional: "message" (the error text), "headers" (more headers).
Claude Code 2.1.328 reads those headers only under a subscription or gateway
login (scripts/lib/claude-env.sh: mock_gateway_token); with an API key it shows
"API Error: Request rejected (429) · MESSAGE". Unless CLAUDE_CODE_MAX_RETRIES=0
it waits by itself for a reset up to about 60 s ahead and asks again.

A tool call that needs permission needs no key of its own: answer with a Bash
tool_use while Claude runs without --dangerously-skip-permissions (e.g.
`claude --permission-mode default`); a slow turn is a Bash tool_use such as
`sleep 6`, or "delay".
Every request body is appended to the log file as one JSON line so
tests can read what Claude sent back (tool results, hook context), with "at"
(epoch seconds it arrived) and, for an error reply, "status" and the limit's
"reset" (epoch seconds).

Usage: mock_api.py --scenario FILE --log FILE --port-file FILE [--port N]
The chosen port is written to --port-file once the server listens.
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTER = [0]


def next_id(prefix):
    with LOCK:
        COUNTER[0] += 1
        return f"{prefix}_mock{COUNTER[0]:06d}"


def text_of(content):
    """The plain text of a message's content, ignoring tool results."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, dict) and block.get("type") == "text":
            parts.append(block.get("text", ""))
    return "\n".join(parts)


def has_tool_result(content):
    return isinstance(content, list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in content)


# Open usage-limit windows: rule index -> epoch second at which the limit resets.
LIMIT_RESETS = {}


def limit_reply(rule_index, limit, reset):
    """The 429 a usage limit gets until `reset` (epoch seconds)."""
    claim = limit.get("claim", "five_hour")
    short = {"five_hour": "5h", "seven_day": "7d"}.get(claim, claim)
    headers = {
        "retry-after": str(max(0, reset - int(time.time()))),
        "anthropic-ratelimit-unified-status": "rejected",
        "anthropic-ratelimit-unified-reset": str(reset),
        "anthropic-ratelimit-unified-representative-claim": claim,
        f"anthropic-ratelimit-unified-{short}-status": "rejected",
        f"anthropic-ratelimit-unified-{short}-reset": str(reset),
        f"anthropic-ratelimit-unified-{short}-utilization": "1.0",
        "anthropic-ratelimit-unified-fallback": "unavailable",
        "anthropic-ratelimit-unified-overage-status": "rejected",
        "anthropic-ratelimit-unified-overage-disabled-reason": "org_level_disabled",
    }
    headers.update(limit.get("headers", {}))
    return {"error": {"status": 429, "type": "rate_limit_error",
                      "message": limit.get("message", "This request would exceed your account's rate limit. "
                                                      "Please try again later."),
                      "headers": headers}}


def open_limit(now):
    """The 429 of a usage-limit window still open at `now`, if any."""
    with LOCK:
        for i, reset in LIMIT_RESETS.items():
            if now < reset:
                return i, reset
    return None


def choose_reply(scenario, body):
    default = scenario.get("default", {"text": "OK."})
    rules = scenario.get("rules", [])
    now = time.time()
    window = open_limit(now)
    if window:
        return limit_reply(window[0], rules[window[0]]["rate_limit"], window[1])
    if not body.get("tools"):
        return {"text": "Mock title"}
    messages = body.get("messages", [])
    # The last user message that the user wrote (not a tool result).
    prompt_index = None
    for i in range(len(messages) - 1, -1, -1):
        m = messages[i]
        if m.get("role") == "user" and not has_tool_result(m.get("content")) and text_of(m.get("content")).strip():
            prompt_index = i
            break
    if prompt_index is None:
        return default
    prompt = text_of(messages[prompt_index].get("content"))
    turns = sum(1 for m in messages[prompt_index + 1:] if m.get("role") == "assistant")
    for index, rule in enumerate(rules):
        if rule.get("match", "") in prompt:
            limit = rule.get("rate_limit")
            if limit is not None:
                with LOCK:
                    first = index not in LIMIT_RESETS
                    if first:
                        # Whole seconds: the header is an epoch second; round up so the
                        # window lasts at least reset_in.
                        LIMIT_RESETS[index] = int(now + float(limit.get("reset_in", 10))) + 1
                if first:
                    return limit_reply(index, limit, LIMIT_RESETS[index])
            steps = rule.get("steps") or [default]
            return steps[min(turns, len(steps) - 1)]
    return default


def sse(event, data):
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def stream_events(reply, model):
    msg_id = next_id("msg")
    yield sse("message_start", {"type": "message_start", "message": {
        "id": msg_id, "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 1, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0}}})
    index = 0
    stop_reason = "end_turn"
    if "text" in reply:
        yield sse("content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": {"type": "text", "text": ""}})
        yield sse("content_block_delta", {"type": "content_block_delta", "index": index,
                                          "delta": {"type": "text_delta", "text": reply["text"]}})
        yield sse("content_block_stop", {"type": "content_block_stop", "index": index})
        index += 1
    if "tool_use" in reply:
        tool = reply["tool_use"]
        yield sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": {
            "type": "tool_use", "id": next_id("toolu"), "name": tool["name"], "input": {}}})
        yield sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": {
            "type": "input_json_delta", "partial_json": json.dumps(tool.get("input", {}))}})
        yield sse("content_block_stop", {"type": "content_block_stop", "index": index})
        stop_reason = "tool_use"
    yield sse("message_delta", {"type": "message_delta",
                                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                                "usage": {"output_tokens": 8}})
    yield sse("message_stop", {"type": "message_stop"})


def whole_message(reply, model):
    content = []
    if "text" in reply:
        content.append({"type": "text", "text": reply["text"]})
    if "tool_use" in reply:
        content.append({"type": "tool_use", "id": next_id("toolu"), "name": reply["tool_use"]["name"],
                        "input": reply["tool_use"].get("input", {})})
    return {"id": next_id("msg"), "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": "tool_use" if "tool_use" in reply else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 8}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    scenario = {}
    log_path = None

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def send_json(self, status, obj, headers=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.send_json(200, {})

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        path = self.path.split("?")[0]
        at = time.time()
        reply = choose_reply(self.scenario, body) if path.endswith("/v1/messages") else {}
        entry = {"path": path, "at": at, "body": body}
        if "error" in reply:
            entry["status"] = int(reply["error"].get("status", 500))
            reset = (reply["error"].get("headers") or {}).get("anthropic-ratelimit-unified-reset")
            if reset is not None:
                entry["reset"] = int(reset)
        with LOCK:
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")
        if path.endswith("/count_tokens"):
            self.send_json(200, {"input_tokens": 12})
            return
        if not path.endswith("/v1/messages"):
            self.send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": path}})
            return
        model = body.get("model", "claude-mock")
        if reply.get("delay"):
            time.sleep(float(reply["delay"]))
        if "error" in reply:
            err = reply["error"]
            self.send_json(int(err.get("status", 500)), {"type": "error", "error": {
                "type": err.get("type", "api_error"), "message": err.get("message", "mock error")}},
                err.get("headers"))
            return
        if not body.get("stream"):
            self.send_json(200, whole_message(reply, model))
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        self.end_headers()
        for chunk in stream_events(reply, model):
            self.wfile.write(chunk)
            self.wfile.flush()
        self.close_connection = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with open(args.scenario, encoding="utf-8") as f:
        Handler.scenario = json.load(f)
    Handler.log_path = args.log
    open(args.log, "a").close()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
