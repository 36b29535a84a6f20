"""A local, scripted OpenAI-compatible server: `POST /v1/chat/completions` answers with the next
scripted response (tool calls or a final message), optionally after a delay or with an HTTP
error, and records every request. Real HTTP on 127.0.0.1 with a random port, so the agent's
OpenAI SDK client is exercised exactly as against a real server."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def tool_calls(*calls: tuple[str, object]) -> dict:
    """A response asking for tool calls: (name, arguments as dict or raw string)."""
    return {"message": {"role": "assistant", "content": None, "tool_calls": [
        {"id": f"call_{i}", "type": "function",
         "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)}}
        for i, (name, args) in enumerate(calls)]}, "finish_reason": "tool_calls"}


def final(text: str) -> dict:
    return {"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}


def http_error(status: int = 500) -> dict:
    return {"http_status": status}


class FakeOpenAI:
    def __init__(self) -> None:
        self.script: list[dict] = []
        self.requests: list[dict] = []
        self.delay = 0.0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self.send_response(404)
                    self.end_headers()
                    return
                fake.requests.append(body)
                step = fake.script.pop(0) if fake.script else final("Sorry, I'm not sure.")
                if fake.delay:
                    time.sleep(fake.delay)
                if "http_status" in step:
                    payload = json.dumps({"error": {"message": "boom", "type": "server_error"}}).encode()
                    self.send_response(step["http_status"])
                else:
                    payload = json.dumps({
                        "id": f"chatcmpl-{len(fake.requests)}", "object": "chat.completion", "created": 0,
                        "model": body.get("model", "fake"),
                        "choices": [{"index": 0, "message": step["message"], "finish_reason": step["finish_reason"],
                                     "logprobs": None}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out first
                    pass

        return Handler
