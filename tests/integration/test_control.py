"""The control socket through a real halod (issue 5, design L5): it cannot be exhausted, it
answers bad input with an error and stays up, `reload` is synchronous and keeps the running
configuration on errors, and the event stream shows every transition in order.

halod runs as a VRRP node of the lab (vrrp_lab.py) with its control socket in the node's
directory (--runtime-dir), VRRPv3 at 0.1 s; the tests talk to the socket from the test
process (a UNIX socket is reached through the file system, whatever the namespace).
"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

import control_client as cc
from vrrp_lab import VIP4, deadline, vrrp_config

pytestmark = pytest.mark.halo_vrrp

ADVERT = 0.1


def conf(priority: int, extra_global: str = "", instance_extra: str = "", **kwargs) -> str:
    text = vrrp_config(priority=priority, **kwargs)
    if extra_global:
        text = text.replace("global_defs {\n", "global_defs {\n" + extra_global, 1)
    if instance_extra:
        head, tail = text.rsplit("}", 1)
        text = head + instance_extra + "}" + tail
    return text


def start_halod(vrrp, host: str, text: str):
    d = vrrp.start("halo", host, text)
    cc.wait_for_socket(d.dir / "halo.sock")
    return d, d.dir / "halo.sock"


def info(path) -> dict:
    return cc.json_command(path, "show info")


def control_counters(path) -> dict:
    return info(path)["control"]


def instance(path, name: str = "VI_1") -> dict:
    return cc.json_command(path, f"show instance {name}")


# ---- L5 -------------------------------------------------------------------------------------


def test_leaked_connections_never_lock_an_operator_out(vrrp):
    lab = vrrp.lab(("node1", "client"))
    _, path = start_halod(vrrp, "node1", conf(150, "    control_maxconn 8\n"
                                                   "    control_idle_timeout 1\n"))
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to be master")
    leaked = [cc.connect(path) for _ in range(16)]  # 2 x maxconn, silent
    try:
        for attempt in range(5):
            started = time.monotonic()
            reply = cc.command(path, "show info json")
            elapsed = time.monotonic() - started
            assert not reply.startswith(("error", "busy")), reply
            assert elapsed < 0.1, f"a fresh command took {elapsed * 1000:.1f} ms (attempt {attempt})"
        counters = control_counters(path)
        assert counters["evicted_idle"] >= 8, counters
        assert counters["refused_busy"] == 0, counters
        # An evicted client was told why before its connection closed.
        told = cc.read_all(leaked[0]).decode()
        assert told.startswith("closing:"), told
        # After the idle timeout every leaked slot is free again: only our own connection.
        vrrp.wait(lambda: control_counters(path)["connections_active"] == 1, 3.0,
                  "the leaked connections to be closed by the idle timeout")
        assert control_counters(path)["idle_timeouts"] >= 1
    finally:
        for s in leaked:
            s.close()


def test_bad_commands_get_an_error_and_the_daemon_keeps_serving(vrrp):
    lab = vrrp.lab(("node1", "client"))
    _, path = start_halod(vrrp, "node1", conf(150))
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to be master")
    with cc.Session(path) as session:
        for line in (b"frobnicate", b"show", b"show instance NOPE",
                     b"set instance VI_1 priority 999", b"set instance VI_1 priority x",
                     b"show info\x00\x01\xff", b"\x16\x03\x01\x02\x00\x01"):
            [reply] = session.ask(line)
            assert reply.startswith("error: "), (line, reply)
            assert reply.count("\n") == 1, (line, reply)
        [reply] = session.ask("show instances")  # the same connection still works
        assert "VI_1" in reply
    # A line of a megabyte: an error, then the connection is closed.
    with cc.connect(path) as s:
        try:
            s.sendall(b"x" * (1 << 20) + b"\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed while we were still sending: also fine
        try:
            told = cc.read_all(s).decode(errors="replace")
        except ConnectionResetError:
            told = ""  # closed with our unread bytes in its queue: the kernel resets
        assert told == "" or told.startswith("error: "), told[:200]
    assert instance(path)["state"] == "MASTER"
    assert lab.holders(VIP4) == ["node1"]


def test_reload_with_a_broken_config_replies_with_the_errors_and_keeps_running(vrrp):
    lab = vrrp.lab(("node1", "client"))
    d, path = start_halod(vrrp, "node1", conf(150))
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to be master")
    good = d.config.read_text()
    d.config.write_text(good.replace("priority 150", "priority 300"))
    reply = cc.command(d.dir / "halo.sock", "reload", timeout=10)
    assert reply.startswith("error: "), reply
    assert f"{d.config}:" in reply and "priority" in reply, reply
    assert "the running configuration is kept" in reply, reply
    assert instance(path)["base_priority"] == 150
    assert lab.holders(VIP4) == ["node1"]
    assert info(path)["reload_failures"] == 1
    d.config.write_text(good.replace("priority 150", "priority 140"))
    reply = cc.command(path, "reload", timeout=10)
    assert reply.startswith("reloaded "), reply
    assert instance(path)["base_priority"] == 140
    # A changed instance restarts (stop, then start as BACKUP): master again soon after.
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 master again")


# ---- events ---------------------------------------------------------------------------------


def events_of(lines: list[str], type_: str) -> list[dict]:
    return [e for e in map(json.loads, lines) if e["type"] == type_]


def test_event_stream_shows_every_transition_of_a_failover_in_order(vrrp):
    lab = vrrp.lab(("node1", "node2", "client"))
    a, path1 = start_halod(vrrp, "node1", conf(150))
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to be master")
    _, path2 = start_halod(vrrp, "node2", conf(100))
    vrrp.wait(lambda: instance(path2)["state"] == "BACKUP", deadline(ADVERT), "node2 BACKUP")
    follower = cc.connect(path2)
    follower.sendall(b"show events follow\n")
    buf = bytearray()
    cc.read_reply(follower, buf)
    a.kill()
    vrrp.wait(lambda: lab.holders(VIP4) == ["node2"], deadline(ADVERT), "node2 to take over")
    # The follower gets the takeover as it happens.
    follower.settimeout(2.0)
    while b'"to":"MASTER"' not in buf:
        chunk = follower.recv(65536)
        assert chunk, "the event stream closed"
        buf += chunk
    follower.close()
    streamed = events_of(buf.decode().splitlines(), "state")
    assert [(e["from"], e["to"]) for e in streamed] == [("BACKUP", "MASTER")], streamed
    # The kept history has the whole life of node2's instance, in order, seq increasing.
    history = cc.command(path2, "show events").splitlines()
    seqs = [json.loads(line)["seq"] for line in history]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs
    states = [(e["instance"], e["from"], e["to"]) for e in events_of(history, "state")]
    assert states == [("VI_1", "INIT", "BACKUP"), ("VI_1", "BACKUP", "MASTER")], states
    for e in map(json.loads, history):
        assert e["time"].endswith("Z") and "T" in e["time"], e


def test_a_reader_that_stops_reading_is_dropped_and_others_keep_their_stream(vrrp):
    lab = vrrp.lab(("node1", "client"))
    _, path = start_halod(vrrp, "node1", conf(150))
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to be master")
    stalled = cc.connect(path)
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.sendall(b"show events follow\n")
    reader = cc.connect(path)
    reader.sendall(b"show events follow\n")
    got = bytearray()
    cc.read_reply(reader, got)
    # Many priority changes, 400 to a line (one loop turn publishes 400 events): each is one
    # event (~110 bytes), 2.6 MB in all, well beyond the 1 MiB backlog plus what the kernel's
    # socket buffers hold.
    per_line = 400
    rounds = 60
    expected = rounds * per_line

    def read_stream() -> None:  # the good reader keeps reading, as a live client would
        reader.settimeout(30.0)
        while got.count(b'"type":"priority"') < expected:
            chunk = reader.recv(1 << 20)
            if not chunk:
                return
            got.extend(chunk)

    thread = threading.Thread(target=read_stream)
    thread.start()
    try:
        with cc.Session(path, timeout=20) as session:
            for _ in range(rounds):
                cmds = ";".join(f"set instance VI_1 priority {140 + (i % 2)}"
                                for i in range(per_line))
                for reply in session.ask(cmds, replies=per_line):
                    assert not reply.startswith("error"), reply
    finally:
        thread.join(timeout=30)
    vrrp.wait(lambda: control_counters(path)["followers_dropped"] == 1, 5.0,
              "the stalled follower to be dropped")
    assert control_counters(path)["followers"] == 1
    # The good reader saw every priority event, none lost, in order.
    assert got.count(b'"type":"priority"') == expected, "the good reader's stream was cut"
    seqs = [json.loads(l)["seq"] for l in got.decode().splitlines() if l.startswith("{")]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "a gap in the stream"
    reader.close()
    stalled.close()
    assert instance(path)["state"] == "MASTER"


# ---- steering -------------------------------------------------------------------------------


@pytest.mark.parametrize("peer", ["halo", "keepalived"])
def test_set_priority_moves_the_master(vrrp, peer):
    lab = vrrp.lab(("node1", "node2", "client"))
    vrrp.start(peer, "node1", conf(150))
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to be master")
    _, path = start_halod(vrrp, "node2", conf(100))
    vrrp.wait(lambda: instance(path)["state"] == "BACKUP", deadline(ADVERT), "node2 BACKUP")
    reply = cc.command(path, "set instance VI_1 priority 200")
    assert reply == "VI_1: base priority 200, effective priority 200\n", reply
    vrrp.wait(lambda: lab.holders(VIP4) == ["node2"], deadline(ADVERT), "node2 to preempt")
    view = instance(path)
    assert (view["base_priority"], view["configured_priority"]) == (200, 100), view


def test_disable_tracker_ignores_a_failing_script_until_enabled(vrrp, tmp_path):
    lab = vrrp.lab(("node1", "client"))
    flag = tmp_path / "healthy"
    script = (f"vrrp_script chk {{\n    script \"/usr/bin/test -e {flag}\"\n"
              "    interval 1\n    fall 1\n    rise 1\n}\n")
    text = script + conf(150, instance_extra="    track_script {\n        chk\n    }\n")
    _, path = start_halod(vrrp, "node1", text)
    vrrp.wait(lambda: instance(path)["state"] == "FAULT", 5, "the failing script to fault")
    assert cc.command(path, "disable tracker chk") == "script chk disabled\n"
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "master again")
    trackers = cc.json_command(path, "show trackers")["trackers"]
    chk = next(t for t in trackers if t["name"] == "chk")
    assert chk["enabled"] is False and chk["up"] is False, chk
    assert cc.command(path, "enable tracker script:chk") == "script chk enabled\n"
    vrrp.wait(lambda: instance(path)["state"] == "FAULT", 5, "FAULT again")
    assert cc.command(path, "disable tracker nope").startswith("error: no tracker")
