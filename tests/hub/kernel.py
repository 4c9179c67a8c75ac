"""Run code in a Jupyter kernel through the server's REST and WebSocket API, as a browser does."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import websocket


def start_kernel(client: httpx.Client, server: str) -> str:
    """Start a ``python3`` kernel on the server at URL `server`; its id."""
    reply = client.post(f"{server}api/kernels", json={"name": "python3"})
    reply.raise_for_status()
    return str(reply.json()["id"])


def execute(server: str, kernel: str, token: str, code: str, timeout: float = 120) -> str:
    """Run `code` in `kernel`; its output as text (stdout, displays, tracebacks)."""
    url = f"{server.replace('http://', 'ws://')}api/kernels/{kernel}/channels"
    socket = websocket.create_connection(
        url, header=[f"Authorization: token {token}"], timeout=timeout
    )
    msg_id = uuid.uuid4().hex
    outputs: list[str] = []
    try:
        socket.send(json.dumps(_request(msg_id, code)))
        while True:
            message: dict[str, Any] = json.loads(socket.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                outputs.append(content["text"])
            elif kind in ("display_data", "execute_result"):
                outputs.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                outputs.append("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                return "\n".join(outputs)
    finally:
        socket.close()


def _request(msg_id: str, code: str) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "username": "test",
            "session": uuid.uuid4().hex,
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "channel": "shell",
        "buffers": [],
        "content": {
            "code": code,
            "silent": False,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
    }
