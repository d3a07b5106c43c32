"""The daemon's lifecycle: start, pid files, SIGHUP reload (keeping the running configuration
when the new one is broken), SIGTERM/SIGINT stop, start-up refusal on errors, --strict.

Every halod runs inside the session's test namespace; nothing touches the root namespace.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

import helpers

GOOD = "global_defs {\n    router_id lifecycle\n}\n"
BROKEN = GOOD + "vrrp_instance VI_1 {\n    priority 300\n}\n"


class Daemon:
    """One halod started in the foreground (-n) with its log in a file."""

    def __init__(self, netns, halod: Path, tmp: Path, config: Path, *extra: str,
                 env: dict[str, str] | None = None):
        self.log = tmp / "halod.log"
        self.pid_file = tmp / "halod.pid"
        argv = netns.exec_argv([str(halod), "-n", "-l", "-G", "-f", str(config),
                                "--runtime-dir", str(tmp), *extra])
        self._log_handle = open(self.log, "wb")
        # `ip netns exec` execs halod, so this pid is halod's own.
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log_handle,
                                     stderr=subprocess.STDOUT,
                                     env={**os.environ, **env} if env else None)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_log(self, needle: str, timeout: float = 5) -> None:
        helpers.wait_until(lambda: needle in self.text() or self.proc.poll() is not None,
                           timeout, what=f"'{needle}' in halod's log")
        assert needle in self.text(), self.text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_handle.close()


@pytest.fixture
def start(netns, halod, tmp_path):
    daemons: list[Daemon] = []

    def make(config_text: str, *extra: str, env: dict[str, str] | None = None) -> Daemon:
        config = tmp_path / "keepalived.conf"
        config.write_text(config_text)
        d = Daemon(netns, halod, tmp_path, config, *extra, env=env)
        daemons.append(d)
        return d

    yield make
    for d in daemons:
        d.stop()


def test_starts_writes_pid_file_and_stops_on_sigterm(start):
    d = start(GOOD)
    d.wait_log("started")
    assert int(d.pid_file.read_text()) == d.proc.pid
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait(timeout=5) == 0
    assert not d.pid_file.exists()
    assert "stopped" in d.text()


def test_sigint_stops_too(start):
    d = start(GOOD)
    d.wait_log("started")
    d.proc.send_signal(signal.SIGINT)
    assert d.proc.wait(timeout=5) == 0


def test_reload_keeps_running_config_on_error_and_applies_a_good_one(start, tmp_path):
    d = start(GOOD)
    d.wait_log("started")
    config = tmp_path / "keepalived.conf"
    config.write_text(BROKEN)
    d.proc.send_signal(signal.SIGHUP)
    d.wait_log("reload failed")
    assert d.proc.poll() is None, "a broken reload must not stop the daemon"
    assert f"{config}:5:14: error:" in d.text(), d.text()
    config.write_text(GOOD)
    d.proc.send_signal(signal.SIGHUP)
    d.wait_log("configuration reloaded")
    assert d.proc.poll() is None


def test_refuses_to_start_with_errors(netns, halod, tmp_path):
    config = tmp_path / "keepalived.conf"
    config.write_text(BROKEN)
    r = netns.run([str(halod), "-n", "-l", "-G", "-f", str(config), "--runtime-dir",
                   str(tmp_path)], timeout=10)
    assert r.returncode not in (0, None), r.describe()
    assert f"{config}:5:14:" in r.stderr + r.stdout, r.describe()


def test_start_up_errors_reach_stderr_without_console_logging(netns, halod, tmp_path):
    config = tmp_path / "keepalived.conf"
    config.write_text(BROKEN)
    r = netns.run([str(halod), "-n", "-G", "-f", str(config), "--runtime-dir", str(tmp_path)],
                  timeout=10)
    assert r.returncode not in (0, None), r.describe()
    assert f"{config}:5:14: error:" in r.stderr, r.describe()
    assert "priority 300" in r.stderr, "the source line is shown under the message"


def test_unknown_keyword_is_a_warning_unless_strict(start, netns, halod, tmp_path):
    text = GOOD.replace("router_id lifecycle", "router_id lifecycle\n    no_such_keyword 1")
    d = start(text)
    d.wait_log("started")
    assert "unknown keyword 'no_such_keyword'" in d.text()
    d.stop()
    config = tmp_path / "strict.conf"
    config.write_text(text)
    r = netns.run([str(halod), "-n", "-l", "-G", "--strict", "-f", str(config),
                   "--runtime-dir", str(tmp_path)], timeout=10)
    assert r.returncode not in (0, None), r.describe()


def test_forks_into_the_background_without_n(netns, halod, tmp_path):
    config = tmp_path / "keepalived.conf"
    config.write_text(GOOD)
    pid_file = tmp_path / "bg.pid"
    r = netns.run([str(halod), "-G", "-f", str(config), "-p", str(pid_file)], timeout=10)
    assert r.returncode == 0, r.describe()
    pid = int(helpers.wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(),
                                 timeout=5, what="the pid file"))
    try:
        os.kill(pid, 0)  # alive
    finally:
        os.kill(pid, signal.SIGTERM)
    helpers.wait_until(lambda: not pid_file.exists(), timeout=5, what="pid file removal")


def test_tells_systemd_ready_reloading_and_the_watchdog(start, tmp_path):
    """Type=notify: READY=1 once the configuration is applied, RELOADING=1 then READY=1
    around a reload, WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1 at the end."""
    import socket
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify.sock"
    listener.bind(str(path))
    listener.settimeout(5)
    messages: list[str] = []

    def receive_until(wanted: str, limit: int = 50) -> None:
        for _ in range(limit):
            messages.append(listener.recv(4096).decode())
            if messages[-1] == wanted:
                return
        raise AssertionError(f"no {wanted} among {messages}")

    try:
        d = start(GOOD, env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "200000"})
        receive_until("READY=1")
        receive_until("WATCHDOG=1")
        receive_until("WATCHDOG=1")
        d.proc.send_signal(signal.SIGHUP)
        receive_until("RELOADING=1")
        receive_until("READY=1")
        d.proc.send_signal(signal.SIGTERM)
        receive_until("STOPPING=1")
        assert d.proc.wait(timeout=5) == 0
        assert "WATCHDOG=1 every 100 ms" in d.text(), d.text()
    finally:
        listener.close()
