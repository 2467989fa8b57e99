"""A real HTTP receiver for webhook tests: http.server in a thread on 127.0.0.1, recording
every request and answering as each test tells it to."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    # (path, how many tries of this webhook-id came before) -> (status, headers, body)
    answer: Callable[[str, int], tuple[int, dict[str, str], bytes]] = lambda path, tries: (
        204,
        {},
        b"",
    )

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def at(self, path: str) -> list[Received]:
        return [request for request in self.requests if request.path == path]


def start() -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {key.lower(): value for key, value in self.headers.items()}
            tries = sum(
                1
                for request in receiver.requests
                if request.path == self.path
                and request.headers.get("webhook-id") == headers.get("webhook-id")
            )
            receiver.requests.append(Received(self.path, headers, body))
            status, extra, content = receiver.answer(self.path, tries)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver
