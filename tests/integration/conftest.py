"""Fixtures for the integration tests: an integration's webhook endpoint on a local port."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """An integration's endpoint: records each POST and answers with the scripted codes."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[int] = []  # status codes to answer, in order; then 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                code = receiver.answers.pop(0) if receiver.answers else 200
                receiver.requests.append(
                    {"headers": dict(self.headers), "body": body, "answered": code}
                )
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if code < 300 else b"receiver is sad")

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/loopdesk"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def payloads(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]

    def delivered(self) -> list[dict]:
        return [r for r in self.requests if 200 <= r["answered"] < 300]


@pytest.fixture
def receiver():
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def routing_admin(builtin_forms, create_user, login):
    """An admin logged in, the shipped workflow (three rules) and a second team: what the
    routing builder's tests start from."""
    from webapp.extensions import db
    from webapp.models import Role, Team
    from webapp.services.workflow_versions import active_version

    active_version()
    db.session.add(Team(slug="polish-desk", name="Polish Desk"))
    db.session.commit()
    admin = create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    login(admin)
    return admin
