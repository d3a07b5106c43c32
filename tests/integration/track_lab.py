"""Helpers for the tracking and notify scenarios (test_track_*.py, test_notify.py).

  with_tracking(conf, defs=..., instance=..., global_=...)  puts tracker blocks into a
                          vrrp_config() text: `defs` before the vrrp_instance, `instance`
                          lines inside it, `global_` lines inside global_defs
  procs (fixture)         tracked processes: copies of /bin/sleep under unique names (comm is
                          the file's basename, at most 15 characters) in a temporary
                          directory, run in the root namespace (process events are host-wide)
                          and killed by pid at teardown
  wire (fixture)          wire(lab) -> AdvertSniffer: the VRRP adverts the client's eth0
                          sees, with the priority each node advertises (the effective
                          priority, whichever daemon sent it)
  script_file(path, text) writes an executable script

Process tracking needs the kernel's process-events connector, which only delivers events to
sockets of the initial network namespace: the node that tracks processes runs its daemon in
the root namespace with `net_namespace` naming its host's namespace
(`vrrp.start(..., root_ns=True)`).
"""

from __future__ import annotations

import ctypes
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

import pytest

_names = itertools.count(1)


def with_tracking(conf: str, defs: str = "", instance: str = "", global_: str = "") -> str:
    if global_:
        conf = conf.replace("global_defs {\n", "global_defs {\n" + global_.rstrip("\n") + "\n", 1)
    if defs:
        conf = conf.replace("vrrp_instance ", defs.rstrip("\n") + "\n" + "vrrp_instance ", 1)
    if instance:
        conf = conf.replace("    virtual_ipaddress {",
                            instance.rstrip("\n") + "\n    virtual_ipaddress {", 1)
    return conf


# Scripts run as root: keepalived only warns without enable_script_security, halod refuses the
# configuration ("security violation: script ... would run as root but enable_script_security
# is not set"). The lab's directories are root's, mode 0700, so the scripts pass the check.
SCRIPT_SECURITY = "    enable_script_security\n    script_user root\n"


def script_file(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


# ---- tracked processes -------------------------------------------------------------------


class TrackedProcesses:
    """Processes with names of their own, started and killed by the test."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"halo-tp-{os.getpid()}-"))
        self.procs: list[subprocess.Popen] = []

    def name(self) -> str:
        """A new process name, unique on the host, with its binary (a copy of /bin/sleep)."""
        n = f"ht{os.getpid() % 100000}x{next(_names)}"
        assert len(n) <= 15, n
        shutil.copy("/bin/sleep", self.dir / n)
        return n

    def path(self, name: str) -> str:
        return str(self.dir / name)

    def start(self, name: str, seconds: str = "100000") -> subprocess.Popen:
        p = subprocess.Popen([self.path(name), seconds], stdin=subprocess.DEVNULL,
                             start_new_session=True)
        self.procs.append(p)
        return p

    @staticmethod
    def stop(p: subprocess.Popen) -> None:
        if p.poll() is None:
            p.kill()
        p.wait(timeout=10)

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def procs():
    t = TrackedProcesses()
    try:
        yield t
    finally:
        t.close()


# ---- VRRP adverts on the wire ----------------------------------------------------------------

_ETH_P_ALL = 0x0003
_CLONE_NEWNET = 0x40000000


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


class AdvertSniffer:
    """Every IPv4 VRRP advert the host's eth0 receives: (monotonic time, source, VRID,
    priority), recorded by a thread. The lab's bridge floods multicast, so a client sees
    every node's adverts."""

    def __init__(self, netns: str) -> None:
        self.events: list[tuple[float, str, int, int]] = []
        self._lock = threading.Lock()
        self._stop = False
        here = os.open("/proc/self/ns/net", os.O_RDONLY)
        there = os.open(f"/run/netns/{netns}", os.O_RDONLY)
        try:
            _setns(there)
            try:
                self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                          socket.htons(_ETH_P_ALL))
                self.sock.bind(("eth0", 0))
            finally:
                _setns(here)
        finally:
            os.close(here)
            os.close(there)
        self.sock.settimeout(0.1)
        self.thread = threading.Thread(target=self._run, name="advert-sniffer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                f, addr = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            now = time.monotonic()
            if addr[2] == socket.PACKET_OUTGOING or len(f) < 14 + 20 + 8:
                continue
            if f[12:14] != b"\x08\x00" or f[14 + 9] != 112:
                continue
            ihl = (f[14] & 0x0F) * 4
            v = f[14 + ihl:]
            src = socket.inet_ntoa(f[14 + 12:14 + 16])
            with self._lock:
                self.events.append((now, src, v[1], v[2]))

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()

    # ---- queries -------------------------------------------------------------------------

    def adverts(self, src: str, since: float = 0.0) -> list[tuple[float, int]]:
        """(time, priority) of every advert from `src` received at or after `since`."""
        with self._lock:
            return [(t, p) for t, s, _v, p in self.events if s == src and t >= since]

    def last_priority(self, src: str, within: float = 1.0) -> Optional[int]:
        """The priority of `src`'s latest advert, if it came in the last `within` seconds."""
        a = self.adverts(src, time.monotonic() - within)
        return a[-1][1] if a else None

    def changes(self, src: str, since: float = 0.0) -> list[tuple[float, int]]:
        """(time, new priority) each time `src`'s advertised priority changed after `since`
        (the first advert counts as a change)."""
        out: list[tuple[float, int]] = []
        for t, p in self.adverts(src, since):
            if not out or out[-1][1] != p:
                out.append((t, p))
        return out


@pytest.fixture
def wire():
    made: list[AdvertSniffer] = []

    def make(lab, host: str = "client") -> AdvertSniffer:
        s = AdvertSniffer(lab.ns(host))
        made.append(s)
        return s

    try:
        yield make
    finally:
        for s in made:
            s.close()


# ---- processes of a daemon -----------------------------------------------------------------


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, state letter) of every process whose parent is `pid`."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # exited while we looked: normal
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append((int(entry), fields[0]))
    return out


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def quiet_fd_count(pid: int) -> int | None:
    """The process's open descriptors at a moment when it has no child (None while one runs):
    a running script holds the pipes of its output, so a count taken then is not the
    daemon's own."""
    if children(pid):
        return None
    n = fd_count(pid)
    return None if children(pid) else n


def pid_alive(pid: int) -> bool:
    """Exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:].split()[0] != "Z"


def kill_pid(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass

