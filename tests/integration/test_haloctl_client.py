"""haloctl against a fake halod: a Python server speaking the control protocol
(src/control/command.h) on a temporary UNIX socket. No network namespace, no daemon.

Checked: the tables and --json output, every exit code (0 ok, 1 error line, 2 usage, 3 no
socket / permission denied, 4 busy, 5 silent server / early close / closing line), the exact
command lines sent, `events --follow` printing each line as it arrives, `watch` until SIGINT.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

INSTANCES = {
    "time": "2026-11-22T21:30:00.000000Z",
    "instances": [
        {"name": "VI_1", "interface": "eth0", "family": "inet", "vrid": 51, "state": "MASTER",
         "base_priority": 150, "effective_priority": 140,
         "virtual_addresses": ["192.0.2.10/24", "192.0.2.11/24"], "sync_group": None,
         "split_brain": False, "running": True, "not_running_reason": None,
         "last_transition": "2026-11-22T21:27:54.500000Z", "in_state_ms": 125500},
        {"name": "VI_backup_v6", "interface": "eth0.1", "family": "inet6", "vrid": 7,
         "state": "BACKUP", "base_priority": 90, "effective_priority": 90,
         "virtual_addresses": ["2001:db8::1/64"], "sync_group": None, "split_brain": True,
         "running": True, "not_running_reason": None, "last_transition": None,
         "in_state_ms": None},
    ],
    "sync_groups": [],
}

INSTANCES_TABLE = (
    "NAME          INTERFACE  VRID  STATE   PRIORITY  EFFECTIVE  VIPS                         SINCE  NOTE\n"
    "VI_1          eth0       51    MASTER  150       140        192.0.2.10/24,192.0.2.11/24  2m05s\n"
    "VI_backup_v6  eth0.1     7     BACKUP  90        90         2001:db8::1/64               -      SPLIT BRAIN\n"
)

STATE_EVENT = {"seq": 12, "time": "2026-11-22T21:30:00.123456Z", "type": "state",
               "instance": "VI_1", "from": "BACKUP", "to": "MASTER", "priority": 150}


def reply(*lines: str) -> bytes:
    """A reply as halod sends it: its lines, then the empty line that ends it."""
    return "".join(line + "\n" for line in lines).encode() + b"\n"


class FakeHalod:
    """A control socket in a thread. Each connection: read one line (recorded in `lines`),
    then `respond(conn, line)`; the connection is closed when it returns. `greet(conn)`, if
    set, runs before the line is read (a daemon that refuses at once)."""

    def __init__(self, path: Path, respond=None, greet=None):
        self.path = path
        self.respond = respond or (lambda conn, line: conn.sendall(reply("ok")))
        self.greet = greet
        self.lines: list[str] = []
        self.stop = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(16)
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, conn: socket.socket):
        with conn:
            try:
                if self.greet:
                    self.greet(conn)
                    return
                conn.settimeout(10)
                data = b""
                while b"\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                line = data.split(b"\n", 1)[0].decode()
                self.lines.append(line)
                self.respond(conn, line)
            except OSError:
                pass

    def close(self):
        self.stop.set()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for t in self.threads:
            t.join(timeout=10)


@pytest.fixture
def sockdir():
    # World-searchable, so that the permission test's unprivileged haloctl reaches the socket
    # itself (and is refused by the socket's mode, not by the directory's).
    d = Path(tempfile.mkdtemp(prefix=f"haloctl-{os.getpid()}-"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def fake(sockdir):
    servers: list[FakeHalod] = []

    def make(respond=None, greet=None, name="halo.sock") -> FakeHalod:
        s = FakeHalod(sockdir / name, respond, greet)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.close()


def run(haloctl, sock, *args, timeout=10, **kw) -> subprocess.CompletedProcess:
    cmd = [str(haloctl)] + (["--socket", str(sock)] if sock is not None else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def answering(text_or_bytes):
    data = text_or_bytes if isinstance(text_or_bytes, bytes) else reply(text_or_bytes)
    return lambda conn, line: conn.sendall(data)


# --- output -------------------------------------------------------------------------------

def test_instances_table(haloctl, fake):
    server = fake(answering(json.dumps(INSTANCES)))
    r = run(haloctl, server.path, "instances")
    assert r.returncode == 0, r.stderr
    assert r.stdout == INSTANCES_TABLE
    assert server.lines == ["show instances json"]


def test_json_prints_the_reply_as_it_is(haloctl, fake):
    body = json.dumps(INSTANCES, separators=(",", ":"))
    server = fake(answering(body))
    r = run(haloctl, server.path, "--json", "instances")
    assert r.returncode == 0, r.stderr
    assert r.stdout == body + "\n"
    # The global options work after the subcommand too.
    r = run(haloctl, server.path, "instances", "--json")
    assert r.stdout == body + "\n"
    assert json.loads(r.stdout) == INSTANCES


def test_instance_info_trackers_stats_send_their_show_command(haloctl, fake):
    instance = {"name": "VI_1", "state": "MASTER", "wanted_state": "BACKUP", "interface": "eth0",
                "family": "inet", "vrid": 51, "version": 3, "base_priority": 150,
                "configured_priority": 100, "effective_priority": 140,
                "tracked": [{"kind": "script", "name": "chk_web", "up": False, "pending": False,
                             "value": 0, "weight": -10, "reverse": False}],
                "counters": {"adverts_sent": 12, "rejected": {"bad_ttl": 4}}}
    answers = {
        "show instance VI_1 json": instance,
        "show info json": {"version": "0.1.0", "pid": 42, "uptime_ms": 7380000,
                           "started": "2026-11-22T19:27:00.000000Z"},
        "show trackers json": {"trackers": [{"kind": "file", "name": "wf", "up": True,
                                             "value": -5, "used_by": ["VI_1"]}]},
        "show stats json": {"instances": [{"name": "VI_1", "state": "MASTER",
                                           "counters": {"adverts_sent": 12}}]},
    }
    server = fake(lambda conn, line: conn.sendall(reply(json.dumps(answers[line]))))
    r = run(haloctl, server.path, "instance", "VI_1")
    assert r.returncode == 0, r.stderr
    assert "state:             MASTER (wanted BACKUP)\n" in r.stdout
    assert "  script  chk_web  down    -10     0\n" in r.stdout
    assert "  rejected:     bad_ttl 4\n" in r.stdout
    r = run(haloctl, server.path, "info")
    assert r.returncode == 0, r.stderr
    assert "started:           2026-11-22T19:27:00.000000Z (up 2h03m)\n" in r.stdout
    r = run(haloctl, server.path, "trackers")
    assert r.stdout.splitlines()[1].split() == ["file", "wf", "up", "-5", "-", "-", "VI_1"]
    r = run(haloctl, server.path, "stats")
    assert r.stdout.splitlines()[1].split()[:3] == ["VI_1", "MASTER", "12"]
    assert server.lines == ["show instance VI_1 json", "show info json", "show trackers json",
                            "show stats json"]


def test_servers_and_checks_tables(haloctl, fake):
    answers = {
        "show servers json": {
            "lb_backend": "nftables",
            "virtual_servers": [{
                "name": "[192.0.2.10]:tcp:80", "protocol": "TCP", "scheduler": "wrr",
                "method": "NAT", "quorum": 1, "hysteresis": 0, "quorum_up": True,
                "alive_weight_sum": 3, "sorry_server": None, "sorry_server_active": False,
                "backend_error": None,
                "real_servers": [
                    {"name": "[198.51.100.11]:tcp:80", "alive": True, "in_pool": True,
                     "weight": 3, "effective_weight": 3, "checks": 1, "checks_up": 1},
                    {"name": "[198.51.100.12]:tcp:80", "alive": False, "in_pool": False,
                     "weight": 1, "effective_weight": 1, "checks": 1, "checks_up": 0}]}]},
        "show checks json": {"checks": [
            {"id": "web/b/1", "kind": "MISC_CHECK", "target": "/bin/chk", "enabled": True,
             "up": False, "has_result": True, "last_exit_code": 2, "weight_contribution": 0,
             "attempts": 7, "failures": 3, "timeouts": 0, "transitions": 1,
             "since_change_ms": 4000, "last_reason": "exited with status 2"}]},
    }
    server = fake(lambda conn, line: conn.sendall(reply(json.dumps(answers[line]))))
    r = run(haloctl, server.path, "servers")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[1].split() == ["[192.0.2.10]:tcp:80", "TCP", "wrr", "NAT", "1", "3", "up", "-"]
    assert lines[4].split() == ["[192.0.2.10]:tcp:80", "[198.51.100.11]:tcp:80", "up", "3", "3",
                                "1/1", "up"]
    assert lines[5].split() == ["[198.51.100.12]:tcp:80", "down", "1", "1", "0/1", "up"]
    r = run(haloctl, server.path, "checks")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1].split() == ["web/b/1", "MISC_CHECK", "/bin/chk", "down", "2",
                                                "0", "7", "3", "0", "1", "4s", "exited", "with",
                                                "status", "2"]
    r = run(haloctl, server.path, "checks", "--json")
    assert json.loads(r.stdout) == answers["show checks json"]
    assert server.lines == ["show servers json", "show checks json", "show checks json"]


@pytest.mark.parametrize("verb", ["enable", "disable"])
def test_check_verbs_send_the_check_id(haloctl, fake, verb):
    server = fake(lambda conn, _: conn.sendall(reply()))
    r = run(haloctl, server.path, verb, "check", "[192.0.2.10]:tcp:80/[198.51.100.12]:tcp:80/1")
    assert r.returncode == 0, r.stderr
    assert server.lines == [f"{verb} check [192.0.2.10]:tcp:80/[198.51.100.12]:tcp:80/1"]


@pytest.mark.parametrize("args, line", [
    (["set-priority", "VI_1", "150"], "set instance VI_1 priority 150"),
    (["enable", "tracker", "chk_web"], "enable tracker chk_web"),
    (["disable", "tracker", "chk_web"], "disable tracker chk_web"),
    (["reload"], "reload"),
    (["dump", "stats"], "dump stats"),
    (["schema"], "show schema"),
    (["events"], "show events"),
    (["raw", "show info; show stats"], "show info; show stats"),
])
def test_sends_the_exact_command_line(haloctl, fake, args, line):
    server = fake(lambda conn, _: conn.sendall(reply()))
    r = run(haloctl, server.path, *args)
    assert r.returncode == 0, r.stderr
    assert server.lines == [line]


def test_command_reply_is_printed(haloctl, fake):
    server = fake(answering("reloaded: 2 instances kept, 1 added"))
    r = run(haloctl, server.path, "reload")
    assert (r.returncode, r.stdout) == (0, "reloaded: 2 instances kept, 1 added\n")


def test_raw_prints_every_byte(haloctl, fake):
    data = reply("one", "two") + reply("error: unknown command 'foo'")
    server = fake(answering(data))
    r = run(haloctl, server.path, "raw", "show x; foo")
    assert r.stdout == data.decode()
    assert r.returncode == 1  # one of the replies is an error
    server.respond = answering(reply("fine"))
    r = run(haloctl, server.path, "raw", "show x")
    assert (r.returncode, r.stdout) == (0, "fine\n\n")


def test_socket_from_environment(haloctl, fake):
    server = fake(answering(json.dumps(INSTANCES)))
    env = dict(os.environ, HALO_SOCKET=str(server.path))
    r = run(haloctl, None, "instances", env=env)
    assert (r.returncode, r.stdout) == (0, INSTANCES_TABLE)


def test_events_are_readable_or_json(haloctl, fake):
    line = json.dumps(STATE_EVENT, separators=(",", ":"))
    server = fake(answering(reply(line, line)))
    r = run(haloctl, server.path, "events")
    assert (r.returncode, r.stdout) == (0, "21:30:00.123 VI_1 BACKUP -> MASTER (priority 150)\n" * 2)
    r = run(haloctl, server.path, "events", "--json")
    assert (r.returncode, r.stdout) == (0, (line + "\n") * 2)


# --- exit codes ---------------------------------------------------------------------------

def test_error_line_is_exit_1(haloctl, fake):
    server = fake(answering("error: no instance 'VI_9'"))
    r = run(haloctl, server.path, "instance", "VI_9")
    assert r.returncode == 1
    assert r.stdout == ""
    assert "error: no instance 'VI_9'" in r.stderr


def test_unreadable_json_is_exit_1(haloctl, fake):
    server = fake(answering("this is not json"))
    r = run(haloctl, server.path, "instances")
    assert r.returncode == 1
    assert "not JSON" in r.stderr


@pytest.mark.parametrize("args", [[], ["frobnicate"], ["instance"], ["set-priority", "VI_1", "x"],
                                  ["dump", "everything"], ["enable", "thing", "x"],
                                  ["--timeout", "0", "info"],
                                  ["set-priority", "VI_1; reload", "5"], ["instance", "a b"],
                                  ["disable", "tracker", ""]])
def test_usage_error_is_exit_2(haloctl, sockdir, args):
    r = run(haloctl, sockdir / "none.sock", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)


def test_help_is_exit_0_and_documents_exit_codes(haloctl):
    r = run(haloctl, None, "--help")
    assert r.returncode == 0
    for code in range(6):
        assert f"\n  {code}  " in r.stdout


def test_no_socket_is_exit_3(haloctl, sockdir):
    path = sockdir / "missing.sock"
    r = run(haloctl, path, "info")
    assert r.returncode == 3
    assert str(path) in r.stderr and "no such socket" in r.stderr


def test_nothing_listening_is_exit_3(haloctl, sockdir):
    path = sockdir / "stale.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.close()  # the file stays; nobody listens
    r = run(haloctl, path, "info")
    assert r.returncode == 3
    assert str(path) in r.stderr and "refused" in r.stderr


def test_permission_denied_is_exit_3(haloctl, fake):
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run haloctl as another user")
    server = fake(answering("{}"))
    server.path.chmod(0o600)  # root's; haloctl runs as nobody
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        str(haloctl), "--socket", str(server.path), "info"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 3, r.stderr
    assert str(server.path) in r.stderr and "permission denied" in r.stderr
    assert server.lines == []


def test_busy_is_exit_4(haloctl, fake):
    # halod refuses a newcomer at once, without reading its command.
    server = fake(greet=lambda conn: conn.sendall(b"busy: all 64 connections are running commands\n"))
    r = run(haloctl, server.path, "info")
    assert r.returncode == 4, r.stderr
    assert "busy: all 64 connections" in r.stderr
    r = run(haloctl, server.path, "events", "--follow")
    assert r.returncode == 4, r.stderr


def test_busy_after_reading_is_exit_4(haloctl, fake):
    server = fake(answering(b"busy: no idle connection to close\n"))
    r = run(haloctl, server.path, "instances")
    assert r.returncode == 4, r.stderr


def test_silent_server_is_exit_5_within_the_timeout(haloctl, fake):
    server = fake(lambda conn, line: server.stop.wait(20))
    start = time.monotonic()
    r = run(haloctl, server.path, "--timeout", "0.5", "info")
    took = time.monotonic() - start
    assert r.returncode == 5, r.stderr
    assert "within 0.5 s" in r.stderr
    assert 0.4 < took < 3


def test_early_close_is_exit_5(haloctl, fake):
    server = fake(lambda conn, line: conn.sendall(b'{"instances":['))
    r = run(haloctl, server.path, "instances")
    assert r.returncode == 5
    assert "closed the connection" in r.stderr
    server.respond = lambda conn, line: None  # closes without a word
    r = run(haloctl, server.path, "info")
    assert r.returncode == 5
    assert "without answering" in r.stderr


def test_closing_line_is_exit_5(haloctl, fake):
    server = fake(answering(b"closing: command deadline (10 s) passed\n"))
    r = run(haloctl, server.path, "stats")
    assert r.returncode == 5
    assert "closing: command deadline" in r.stderr


# --- streams ------------------------------------------------------------------------------

def read_line_within(stream, seconds: float) -> str:
    """One line of a child's stdout, or fail after `seconds` (the child may be stuck)."""
    result: list[str] = []
    t = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    t.start()
    t.join(seconds)
    assert result, f"no line within {seconds} s"
    return result[0]


def test_events_follow_prints_each_line_as_it_arrives(haloctl, fake):
    go = [threading.Event() for _ in range(2)]
    events = [dict(STATE_EVENT, seq=1),
              {"seq": 2, "time": "2026-11-22T21:31:02.500000Z", "type": "priority",
               "instance": "VI_1", "from": 150, "to": 100}]

    def stream(conn, line):
        conn.sendall(b"\n")  # the reply to `show events follow`: empty, then the stream
        for event, gate in zip(events, go):
            gate.wait(10)
            conn.sendall(json.dumps(event).encode() + b"\n")
        server.stop.wait(20)

    server = fake(stream)
    p = subprocess.Popen([str(haloctl), "--socket", str(server.path), "events", "--follow"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        go[0].set()
        assert read_line_within(p.stdout, 5) == "21:30:00.123 VI_1 BACKUP -> MASTER (priority 150)\n"
        time.sleep(0.3)
        assert p.poll() is None  # still following, past any --timeout would be wrong too
        go[1].set()
        assert read_line_within(p.stdout, 5) == "21:31:02.500 VI_1 priority 150 -> 100\n"
        p.send_signal(signal.SIGINT)
        assert p.wait(5) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert server.lines == ["show events follow"]


def test_events_follow_outlives_the_timeout_and_reports_the_end(haloctl, fake):
    def stream(conn, line):
        conn.sendall(b"\n")
        time.sleep(1.0)  # longer than --timeout: a stream has none
        conn.sendall(json.dumps(STATE_EVENT).encode() + b"\n")
        conn.sendall(b"closing: too slow a reader, dropped\n")

    server = fake(stream)
    r = run(haloctl, server.path, "--timeout", "0.3", "--json", "events", "--follow")
    assert r.stdout == json.dumps(STATE_EVENT) + "\n"
    assert r.returncode == 5
    assert "closing: too slow a reader" in r.stderr


def test_watch_redraws_until_sigint(haloctl, fake):
    server = fake(answering(json.dumps(INSTANCES)))
    p = subprocess.Popen([str(haloctl), "--socket", str(server.path), "watch", "--interval", "0.2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = "".join(read_line_within(p.stdout, 5) for _ in range(2 * 6))
        p.send_signal(signal.SIGINT)
        assert p.wait(5) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert "\x1b[" not in seen  # not a terminal: no screen clearing
    assert seen.count("haloctl watch: instances every 0.2 s") == 2
    assert seen.count(INSTANCES_TABLE) == 2
    assert server.lines[:2] == ["show instances json"] * 2


def test_watch_on_a_terminal_clears_the_screen(haloctl, fake):
    server = fake(answering(json.dumps(INSTANCES)))
    controller, terminal = pty.openpty()
    p = subprocess.Popen([str(haloctl), "--socket", str(server.path), "watch", "--interval", "0.2"],
                         stdout=terminal, stderr=subprocess.PIPE)
    os.close(terminal)
    seen = b""
    try:
        deadline = time.monotonic() + 5
        while seen.count(b"\x1b[H\x1b[2J") < 3 and time.monotonic() < deadline:
            if select.select([controller], [], [], 0.5)[0]:
                seen += os.read(controller, 65536)
        p.send_signal(signal.SIGINT)
        assert p.wait(5) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(controller)
    # Each frame: home and clear, then the header and the table (the pty turns \n into \r\n).
    frames = seen.split(b"\x1b[H\x1b[2J")[1:]
    assert len(frames) >= 2
    assert frames[0].startswith(b"haloctl watch: instances every 0.2 s")
    assert INSTANCES_TABLE.replace("\n", "\r\n").encode() in frames[0]


def test_full_listen_queue_is_exit_5_within_the_timeout(haloctl, sockdir):
    path = sockdir / "full.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(0)  # never accepts
    queued = []
    try:
        for _ in range(8):  # fill the queue
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect(str(path))
            except BlockingIOError:
                c.close()
                break
            queued.append(c)
        start = time.monotonic()
        r = run(haloctl, path, "--timeout", "0.5", "info")
        assert r.returncode == 5, r.stderr
        assert "listen queue" in r.stderr
        assert time.monotonic() - start < 3
    finally:
        for c in queued:
            c.close()
        listener.close()


def test_events_follow_waits_for_a_quiet_daemon(haloctl, fake):
    def stream(conn, line):
        time.sleep(1.0)  # nothing at all, longer than --timeout
        conn.sendall(b"\n" + json.dumps(STATE_EVENT).encode() + b"\n")

    server = fake(stream)
    r = run(haloctl, server.path, "--timeout", "0.3", "events", "--follow")
    assert r.stdout == "21:30:00.123 VI_1 BACKUP -> MASTER (priority 150)\n"
    assert r.returncode == 5  # the stream ended: the daemon closed it
    assert "closed the event stream" in r.stderr
