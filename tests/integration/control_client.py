"""A minimal client of halod's control socket for the integration tests (the protocol is
src/control/command.h): send one line, read the reply up to its empty line."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Union

SocketPath = Union[str, Path]


def connect(path: SocketPath, timeout: float = 5.0) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(str(path))
    return s


def read_reply(s: socket.socket, buffer: bytearray | None = None) -> str:
    """Reads up to and including the empty line that ends a reply; returns the reply
    without it. Raises ConnectionError when the server closes first."""
    data = buffer if buffer is not None else bytearray()
    while True:
        if data.startswith(b"\n"):  # an empty reply
            del data[:1]
            return ""
        end = data.find(b"\n\n")
        if end >= 0:
            reply = data[:end + 1].decode()
            del data[:end + 2]
            return reply
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before the end of the reply: {bytes(data)!r}")
        data += chunk


def command(path: SocketPath, line: str, timeout: float = 5.0) -> str:
    """One line (one or more ';'-separated commands) on a fresh connection; the reply of
    the first command."""
    with connect(path, timeout) as s:
        s.sendall(line.encode() + b"\n")
        return read_reply(s)


def json_command(path: SocketPath, line: str, timeout: float = 5.0):
    reply = command(path, line + " json", timeout)
    assert not reply.startswith("error:"), reply
    return json.loads(reply)


def read_all(s: socket.socket) -> bytes:
    """Everything until the server closes."""
    data = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return bytes(data)
        data += chunk


def wait_for_socket(path: SocketPath, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            command(path, "show info", timeout=1.0)
            return
        except OSError:
            time.sleep(0.02)
    raise AssertionError(f"no control socket at {path} within {timeout} s")


class Session:
    """An interactive connection (`prompt`): the server answers each line with its
    commands' replies and then "> "."""

    def __init__(self, path: SocketPath, timeout: float = 5.0) -> None:
        self.sock = connect(path, timeout)
        self.buf = bytearray()
        self.sock.sendall(b"prompt\n")
        self._expect_prompt()

    def _expect_prompt(self) -> None:
        while not self.buf.startswith(b"> "):
            if len(self.buf) >= 2:
                raise AssertionError(f"expected the prompt, got {bytes(self.buf[:200])!r}")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed instead of prompting")
            self.buf += chunk
        del self.buf[:2]

    def ask(self, line: bytes | str, replies: int = 1) -> list[str]:
        """Sends one line and returns the replies of its `replies` commands."""
        self.sock.sendall((line.encode() if isinstance(line, str) else line) + b"\n")
        out = [read_reply(self.sock, self.buf) for _ in range(replies)]
        self._expect_prompt()
        return out

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
