"""Shared helpers for halo's integration tests.

Everything that touches the system goes through here: network namespaces (created and
destroyed by the tests themselves, never touching the root namespace), running a program
with a time limit, waiting for a condition, and reading the header comments of the
configuration corpus under tests/configs/.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIGS = REPO_ROOT / "tests" / "configs"
SAMPLES = Path("/usr/share/doc/keepalived/samples")

# Interfaces the corpus and keepalived's samples refer to; each is one end of a veth pair
# created inside the test namespace (the other end is NAMEp).
DEFAULT_INTERFACES = ("eth0", "eth1", "eth2", "eth3", "eth0.1")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(message: str) -> None:
    """Skips the test on a developer's machine, fails it under CI (CI=true)."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: this must work in CI)", pytrace=False)
    pytest.skip(message)


def wait_until(pred: Callable[[], object], timeout: float, interval: float = 0.05,
               what: str = "condition") -> object:
    """Polls pred() until it returns something truthy; returns that value.

    The one place integration tests wait: raises AssertionError naming `what` when the
    condition does not hold within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))


@dataclasses.dataclass
class Run:
    """The outcome of one program run."""

    argv: Sequence[str]
    returncode: Optional[int]  # None: killed after the time limit
    stdout: str
    stderr: str

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    def describe(self, limit: int = 4000) -> str:
        err = self.stderr if len(self.stderr) <= limit else self.stderr[:limit] + "\n[...]"
        code = "timed out" if self.timed_out else f"exit {self.returncode}"
        return f"$ {' '.join(self.argv)}\n({code})\n{err}"


def run(argv: Sequence[str], timeout: float, cwd: str = "/") -> Run:
    try:
        p = subprocess.run(list(argv), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        def text(b):
            return b.decode(errors="replace") if isinstance(b, bytes) else (b or "")
        return Run(argv, None, text(e.stdout), text(e.stderr))
    return Run(argv, p.returncode, p.stdout.decode(errors="replace"),
               p.stderr.decode(errors="replace"))


class NetNs:
    """A network namespace of the test's own, with veth pairs created inside it."""

    _counter = itertools.count(1)

    def __init__(self) -> None:
        self.name = f"halo-t-{os.getpid()}-{next(NetNs._counter)}"
        self._created = False

    def create(self, interfaces: Sequence[str] = DEFAULT_INTERFACES) -> "NetNs":
        _ip("netns", "add", self.name)
        self._created = True
        try:
            for ifname in interfaces:
                self.add_veth(ifname)
        except Exception:
            self.delete()
            raise
        return self

    def add_veth(self, ifname: str) -> None:
        peer = f"{ifname}p"
        _ip("-n", self.name, "link", "add", ifname, "type", "veth", "peer", "name", peer)
        _ip("-n", self.name, "link", "set", ifname, "up")
        _ip("-n", self.name, "link", "set", peer, "up")

    def links(self) -> list[str]:
        out = _ip("-n", self.name, "-o", "link", "show")
        return [m.group(1) for m in re.finditer(r"^\d+: ([^:@]+)[@:]", out, re.M)]

    def exec_argv(self, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]

    def run(self, argv: Sequence[str], timeout: float) -> Run:
        return run(self.exec_argv(argv), timeout)

    def delete(self) -> None:
        if self._created:
            subprocess.run(["ip", "netns", "del", self.name], check=False,
                           capture_output=True)
            self._created = False


def _ip(*args: str) -> str:
    p = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {p.stderr.strip()}")
    return p.stdout


def namespaces_unavailable_reason() -> Optional[str]:
    """Why this machine cannot run namespace tests, or None if it can."""
    if os.geteuid() != 0:
        return "integration tests need root (network namespaces)"
    if shutil.which("ip") is None:
        return "integration tests need iproute2's 'ip'"
    return None


# ---- the configuration corpus ---------------------------------------------------------

_HEADER = re.compile(r"^#\s*([a-z-]+):\s?(.*?)\s*$")


@dataclasses.dataclass
class Case:
    """One configuration file and what its header comments say about it."""

    kind: str  # sample | good | broken | stricter
    path: Path
    expect_line: Optional[int] = None
    expect: list[str] = dataclasses.field(default_factory=list)
    config_id: Optional[str] = None
    why: list[str] = dataclasses.field(default_factory=list)
    keepalived_hangs: bool = False

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.path.name}"


def read_case(kind: str, path: Path) -> Case:
    case = Case(kind, path)
    if kind == "sample":
        return case
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if not line.startswith("#"):
                break
            m = _HEADER.match(line)
            if not m:
                continue
            key, value = m.group(1), m.group(2)
            if key == "expect-line":
                case.expect_line = int(value)
            elif key == "expect":
                case.expect.append(value.lower())
            elif key == "config-id":
                case.config_id = value
            elif key == "why":
                case.why.append(value)
            elif key == "keepalived" and value == "hangs":
                case.keepalived_hangs = True
    return case


def corpus(kind: str) -> list[Case]:
    if kind == "sample":
        return [Case("sample", p) for p in sorted(SAMPLES.glob("keepalived.conf.*"))]
    return [read_case(kind, p) for p in sorted((CONFIGS / kind).glob("*.conf"))]


_DIAG = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): "
                   r"(?P<msg>.*)$")


@dataclasses.dataclass
class Diagnostic:
    file: str
    line: int
    col: int
    severity: str
    message: str


def diagnostics(stderr: str) -> list[Diagnostic]:
    """The `FILE:LINE:COL: error|warning: message` lines of halod's output."""
    out = []
    for line in stderr.splitlines():
        m = _DIAG.match(line)
        if m:
            out.append(Diagnostic(m["file"], int(m["line"]), int(m["col"]), m["sev"], m["msg"]))
    return out
