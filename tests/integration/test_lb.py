"""Health checkers and virtual servers end to end (issue 6): real servers are real processes in
lab namespaces (lb_servers.py), halod checks them and programs the nftables back end, and a
client namespace connects to the virtual address through it (lb_lab.py).
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from lb_lab import CLIENT, RS1, RS2, VIP, LbLab
from test_notify import FifoReader

# Short timers: a check every 0.2 s, a failure retried once after 0.1 s, 0.3 s to connect.
DELAY_LOOP, RETRY, DELAY_BEFORE_RETRY, CONNECT_TIMEOUT = 0.2, 1, 0.1, 0.3
# How long a dead server may stay in the pool: its next check, the retries, each bounded by
# connect_timeout, plus slack for a loaded CI machine.
LEAVE_BOUND = DELAY_LOOP + (RETRY + 1) * CONNECT_TIMEOUT + RETRY * DELAY_BEFORE_RETRY + 1.5


@pytest.fixture
def lb(halod, haloctl):
    import vrrp_lab
    reason = vrrp_lab.unavailable_reason()
    if reason:
        import helpers
        helpers.skip_or_fail(reason)
    lab = LbLab(halod, haloctl)
    try:
        yield lab
    finally:
        lab.close()


def config(real_servers: str, *, scheduler: str = "wrr", vs_extra: str = "",
           global_extra: str = "") -> str:
    return f"""
global_defs {{
    router_id lb
    lb_backend nftables
    enable_script_security
    script_user root
    {global_extra}
}}
virtual_server {VIP} 80 {{
    delay_loop {DELAY_LOOP}
    lb_algo {scheduler}
    lb_kind NAT
    protocol TCP
    warmup 0
    {vs_extra}
{real_servers}
}}
"""


def tcp_real_server(address: str, port: int = 8080, weight: int = 1, extra: str = "") -> str:
    return f"""
    real_server {address} {port} {{
        weight {weight}
        {extra}
        TCP_CHECK {{
            connect_timeout {CONNECT_TIMEOUT}
            retry {RETRY}
            delay_before_retry {DELAY_BEFORE_RETRY}
        }}
    }}"""


def alive(lab: LbLab, key: str) -> bool:
    return lab.real_servers()[key]["alive"]


def test_a_killed_server_leaves_the_pool_in_time_and_rejoins(lb):
    s1 = lb.server("node2", "http", RS1, 8080, "rs1")
    lb.server("node3", "http", RS2, 8080, "rs2")
    lb.start_halod(config(tcp_real_server(RS1) + tcp_real_server(RS2)))
    lb.wait(lambda: lb.connect(20)["answers"] == {"rs1": 10, "rs2": 10}, 10,
            "both real servers answer through the virtual address, in turn")

    lb.stop_server(s1)
    killed = time.monotonic()
    lb.wait(lambda: not alive(lb, f"{RS1}:8080"), LEAVE_BOUND, "rs1 out of the pool")
    assert time.monotonic() - killed < LEAVE_BOUND
    result = lb.connect(40)
    assert result["answers"] == {"rs2": 40}, result
    assert not result["failures"], result
    check = lb.checks()[f"{VIP}:80/{RS1}:8080/tcp"]
    assert not check["up"] and "refused" in check["last_reason"], check

    lb.server("node2", "http", RS1, 8080, "rs1")
    lb.wait(lambda: alive(lb, f"{RS1}:8080"), 5, "rs1 back in the pool")
    assert lb.connect(20)["answers"] == {"rs1": 10, "rs2": 10}
    downs = [e for e in lb.events("real_server") if e["real_server"].startswith(f"[{RS1}]")]
    assert [e["up"] for e in downs] == [False, True], downs


def test_log_all_failures_logs_every_failed_retry(lb):
    """With log_all_failures each failed retry of an up checker is logged, even when it repeats
    the last reason; without it, only the first of a run of identical failures is."""
    s1 = lb.server("node2", "http", RS1, 8080, "rs1")
    s2 = lb.server("node3", "http", RS2, 8080, "rs2")
    retries = 4

    def server(address: str, extra: str) -> str:
        return f"""
    real_server {address} 8080 {{
        TCP_CHECK {{
            connect_timeout {CONNECT_TIMEOUT}
            retry {retries}
            delay_before_retry {DELAY_BEFORE_RETRY}
            {extra}
        }}
    }}"""

    lb.start_halod(config(server(RS1, "log_all_failures") + server(RS2, "")))
    lb.wait(lambda: alive(lb, f"{RS1}:8080") and alive(lb, f"{RS2}:8080"), 5, "both up")
    lb.stop_server(s1)
    lb.stop_server(s2)
    lb.wait(lambda: not alive(lb, f"{RS1}:8080") and not alive(lb, f"{RS2}:8080"), 10,
            "both down after their retries")

    def retry_lines(address: str) -> list[str]:
        needle = f"/{address}:8080/tcp failed, retrying: connection refused"
        return [line for line in lb.daemon.log_text().splitlines() if needle in line]

    # An up checker fails `retry` times before the failure that takes it down (schedule.h).
    assert len(retry_lines(RS1)) == retries, retry_lines(RS1)
    assert len(retry_lines(RS2)) == 1, retry_lines(RS2)


def test_smtp_alert_mails_a_real_server_going_down_and_up(lb, tmp_path):
    """smtp_alert (on by default for a real server): each verdict change of its checker is
    mailed through smtp_server to every notification_email, with keepalived's texts."""
    mailbox = tmp_path / "mailbox"
    lb.server("client", "mail-sink", CLIENT, 25, str(mailbox))
    s1 = lb.server("node2", "http", RS1, 8080, "rs1")
    mail = f"""smtp_server {CLIENT}
    smtp_connect_timeout 2
    notification_email {{
        ops@example.com
        oncall@example.com
    }}
    notification_email_from halo@example.com"""
    lb.start_halod(config(tcp_real_server(RS1), global_extra=mail))
    lb.wait(lambda: alive(lb, f"{RS1}:8080"), 5, "rs1 up")

    def mails() -> list[dict]:
        if not mailbox.exists():
            return []
        return [json.loads(line) for line in mailbox.read_text().splitlines()]

    def subject(m: dict) -> str:
        return next((h for h in m["data"] if h.startswith("Subject: ")), "")

    lb.stop_server(s1)
    lb.wait(lambda: len(mails()) == 1, 10, "a mail for rs1 going down")
    lb.server("node2", "http", RS1, 8080, "rs1")
    lb.wait(lambda: len(mails()) == 2, 10, "a mail for rs1 coming back")
    down, up = mails()
    name = f"[{RS1}]:tcp:8080 of virtual server [{VIP}]:tcp:80"
    assert subject(down) == f"Subject: [lb] Realserver {name} - DOWN", down
    assert "=> TCP CHECK failed on service <=" in down["data"], down
    assert subject(up) == f"Subject: [lb] Realserver {name} - UP", up
    assert "=> TCP CHECK succeed on service <=" in up["data"], up
    assert down["from"] == "<halo@example.com>", down
    assert down["to"] == ["<ops@example.com>", "<oncall@example.com>"], down
    assert "To: ops@example.com, oncall@example.com" in down["data"], down
    notify = lb.json("show stats")["notify"]
    assert notify["mails_sent"] == 2 and notify["mails_failed"] == 0, notify


def test_weights_are_respected_over_a_thousand_connections(lb):
    lb.server("node2", "http", RS1, 8080, "rs1")
    lb.server("node3", "http", RS2, 8080, "rs2")
    lb.start_halod(config(tcp_real_server(RS1, weight=1) + tcp_real_server(RS2, weight=3)))
    lb.wait(lambda: sum(lb.connect(4)["answers"].values()) == 4, 10, "the service answers")
    result = lb.connect(1000)
    assert not result["failures"], result
    # wrr through `numgen inc`: exactly one in four to rs1.
    assert result["answers"] == {"rs1": 250, "rs2": 750}, result
    assert "halo_lb" in lb.ruleset()
    assert lb.json("show info")["lb_backend"] == "nftables"
    # At stop the table goes, with every service in it.
    assert lb.daemon.stop() == 0
    assert "halo_lb" not in lb.ruleset()
    assert lb.connect(1)["failures"], "the VIP must not answer once halod is gone"


def test_inhibit_on_failure_keeps_a_dead_server_with_weight_zero(lb):
    s1 = lb.server("node2", "http", RS1, 8080, "rs1")
    lb.server("node3", "http", RS2, 8080, "rs2")
    lb.start_halod(config(tcp_real_server(RS1, extra="inhibit_on_failure") +
                          tcp_real_server(RS2)))
    lb.wait(lambda: lb.connect(4)["answers"] == {"rs1": 2, "rs2": 2}, 10, "both answer")
    lb.stop_server(s1)
    lb.wait(lambda: not alive(lb, f"{RS1}:8080"), LEAVE_BOUND, "rs1 down")
    rs1 = lb.real_servers()[f"{RS1}:8080"]
    assert rs1["in_pool"], rs1  # kept, with weight 0: no new connections
    result = lb.connect(20)
    assert result["answers"] == {"rs2": 20}, result


def test_quorum_loss_brings_in_the_sorry_server_and_runs_the_scripts(lb):
    marks = lb.dir / "marks"
    fifo = lb.dir / "lvs.fifo"
    script = lb.dir / "mark.sh"
    script.write_text(f"#!/bin/sh\necho \"$1\" >> {marks}\n")
    script.chmod(0o755)
    s1 = lb.server("node2", "http", RS1, 8080, "rs1")
    lb.server("node3", "http", RS2, 8080, "rs2")
    lb.server("node3", "http", RS2, 8081, "sorry")
    reader = FifoReader(fifo)
    vs_extra = f"""
    quorum 2
    hysteresis 0
    sorry_server {RS2} 8081
    quorum_up "{script} quorum_up"
    quorum_down "{script} quorum_down"
"""
    rs_scripts = f'notify_up "{script} rs1_up"\n        notify_down "{script} rs1_down"'
    lb.start_halod(config(tcp_real_server(RS1, extra=rs_scripts) + tcp_real_server(RS2),
                          vs_extra=vs_extra, global_extra=f"lvs_notify_fifo {fifo}"))
    try:
        lb.wait(lambda: lb.connect(4)["answers"] == {"rs1": 2, "rs2": 2}, 10, "both answer")
        lb.stop_server(s1)
        lb.wait(lambda: not lb.virtual_server()["quorum_up"], LEAVE_BOUND, "quorum lost")
        vs = lb.virtual_server()
        assert vs["sorry_server_active"], vs
        assert lb.connect(10)["answers"] == {"sorry": 10}
        lb.wait(lambda: marks.exists() and "quorum_down" in marks.read_text(), 5,
                "quorum_down ran")

        lb.server("node2", "http", RS1, 8080, "rs1")
        lb.wait(lambda: lb.virtual_server()["quorum_up"], 5, "quorum back")
        assert lb.connect(4)["answers"] == {"rs1": 2, "rs2": 2}
        # keepalived runs quorum_up at start too, when the pool starts with its quorum; the
        # real server's own scripts run before the quorum's (one virtual server's scripts run
        # one after another).
        want = ["quorum_up", "rs1_down", "quorum_down", "rs1_up", "quorum_up"]
        lb.wait(lambda: marks.read_text().split() == want, 5, f"scripts {want} ran")
    finally:
        lb.daemon.stop()
        reader.close()
    lines = reader.lines
    assert f"RS [{RS1}]:tcp:8080 [{VIP}]:tcp:80 DOWN" in lines, lines
    assert f"VS [{VIP}]:tcp:80 DOWN" in lines, lines
    assert f"VS [{VIP}]:tcp:80 UP" in lines, lines
    assert not any("\0" in line for line in lines), lines


def test_misc_check_every_exit_code_is_recorded(lb):
    """L2: 0 -> 2 -> 1 -> 0 shows each code as Last status in keepalived_check.data, in the
    event stream and in haloctl, although 2 and 1 are both failures."""
    code = lb.dir / "code"
    code.write_text("0\n")
    script = lb.dir / "misc.sh"
    script.write_text(f"#!/bin/sh\nexit $(cat {code})\n")
    script.chmod(0o755)
    lb.server("node2", "http", RS1, 8080, "rs1")
    real_server = f"""
    real_server {RS1} 8080 {{
        MISC_CHECK {{
            misc_path "{script}"
            misc_timeout 2
        }}
    }}"""
    lb.start_halod(config(real_server))
    check_id = f"{VIP}:80/{RS1}:8080/misc"

    for step in (0, 2, 1, 0):
        code.write_text(f"{step}\n")
        lb.wait(lambda: lb.checks()[check_id].get("last_exit_code") == step, 5,
                f"exit code {step} seen")
        table = lb.haloctl("checks")
        assert table.returncode == 0, table.stderr
        lines = table.stdout.splitlines()
        header = next(line for line in lines if line.startswith("ID"))
        row = next(line for line in lines if check_id in line)
        start = header.index("LAST STATUS")
        end = header.index(header[start + len("LAST STATUS"):].split()[0], start)
        assert row[start:end].strip() == str(step), (header, row)
        dump = lb.command("dump check")
        assert dump.startswith("wrote "), dump
        data = (lb.dir / "keepalived_check.data").read_text()
        assert f"Last status = {step}" in data or f"Last status: {step}" in data, data
        assert lb.checks()[check_id]["up"] == (step == 0)
    codes = [e.get("exit_code") for e in lb.events("check") if e["id"] == check_id]
    # Each change was published once, in order (repeats of one code are not news).
    assert codes == [0, 2, 1, 0], codes


def test_misc_dynamic_weight_never_drifts_through_timeouts(lb):
    code = lb.dir / "code"
    code.write_text("12\n")
    script = lb.dir / "dyn.sh"
    script.write_text(f"#!/bin/sh\nc=$(cat {code})\n[ \"$c\" = sleep ] && exec sleep 3\n"
                      f"exit $c\n")
    script.chmod(0o755)
    lb.server("node2", "http", RS1, 8080, "rs1")
    real_server = f"""
    real_server {RS1} 8080 {{
        weight 5
        MISC_CHECK {{
            misc_path "{script}"
            misc_timeout 1
            misc_dynamic
        }}
    }}"""
    lb.start_halod(config(real_server, vs_extra="quorum 1"))
    key = f"{RS1}:8080"
    # exit status N (2..255) sets the weight to N - 2; a timeout fails the check and must not
    # leave anything behind (keepalived 2.2.7 leaked here, #2720).
    for step, weight in (("12", 10), ("sleep", None), ("22", 20), ("sleep", None), ("12", 10),
                         ("sleep", None), ("sleep", None), ("7", 5)):
        code.write_text(step + "\n")
        if weight is None:
            lb.wait(lambda: not lb.real_servers()[key]["alive"], 5, "timed out: down")
        else:
            lb.wait(lambda w=weight: lb.real_servers()[key]["alive"] and
                    lb.real_servers()[key]["effective_weight"] == w, 5, f"weight {weight}")


@pytest.mark.parametrize("mode,reason", [("hang", "within"), ("garbage", ""),
                                         ("reset", "reset")])
def test_a_hostile_server_fails_its_check_and_the_daemon_stays_responsive(lb, mode, reason):
    lb.server("node2", mode, RS1, 8080)
    lb.server("node3", "http", RS2, 8080, "rs2")
    http_server = f"""
    real_server {RS1} 8080 {{
        HTTP_GET {{
            url {{
                path /
            }}
            connect_timeout {CONNECT_TIMEOUT}
            retry 0
        }}
    }}"""
    lb.start_halod(config(http_server + tcp_real_server(RS2), vs_extra="alpha"))
    check_id = f"{VIP}:80/{RS1}:8080/http"
    lb.wait(lambda: lb.checks()[check_id]["attempts"] >= 3, 10, "three attempts")
    check = lb.checks()[check_id]
    assert not check["up"], check
    assert reason in check["last_reason"], check
    started = time.monotonic()
    assert lb.command("show info").strip()
    assert time.monotonic() - started < 0.5
    assert lb.connect(6)["answers"] == {"rs2": 6}


def test_genhash_prints_the_digest_of_a_body(lb, halod, haloctl):
    lb.server("node2", "http", RS1, 8080, "rs1")
    import hashlib
    want = hashlib.md5(b"rs1").hexdigest()
    for program in ([str(halod), "--genhash"], [str(haloctl), "genhash"]):
        p = subprocess.run(lb.lab.exec_argv("node1", [*program, "-s", RS1, "-p", "8080",
                                                      "-u", "/"]),
                           capture_output=True, text=True, timeout=20)
        assert p.returncode == 0, p.stderr
        assert want in p.stdout, p.stdout


def test_every_checker_kind_against_a_real_server(lb, tmp_path):
    """SSL_GET (a throw-away certificate), SMTP_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK and
    FILE_CHECK each keep their real server up while it answers, and take it out when it stops."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=rs.lab", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True,
                   timeout=60)
    servers = {
        "ssl": lb.server("node2", "tls", RS1, 8443, str(tmp_path)),
        "smtp": lb.server("node2", "smtp", RS1, 8025),
        "dns": lb.server("node2", "dns", RS1, 8053),
        "udp": lb.server("node2", "udp-echo", RS1, 8054),
    }
    lb.server("node3", "http", RS2, 8080, "rs2")
    # ICMP datagram sockets need the daemon's group in ping_group_range (in node1's namespace
    # only; keepalived widens it itself, halod leaves the host's sysctls alone).
    lb.sh("node1", "sysctl -q -w net.ipv4.ping_group_range='0 2147483647'")
    flag = lb.dir / "flag"
    flag.write_text("0\n")
    timing = f"connect_timeout {CONNECT_TIMEOUT}\n retry 0\n"
    kinds = f"""
    real_server {RS1} 8443 {{
        SSL_GET {{
            url {{
                path /
                status_code 200
            }}
            {timing}
        }}
    }}
    real_server {RS1} 8025 {{
        SMTP_CHECK {{
            helo_name lb.lab
            {timing}
        }}
    }}
    real_server {RS1} 8053 {{
        DNS_CHECK {{
            type A
            name rs.lab
            {timing}
        }}
    }}
    real_server {RS1} 8054 {{
        UDP_CHECK {{
            payload 68656c6c6f
            require_reply 68656c6c6f
            {timing}
        }}
    }}
    real_server {RS2} 8080 {{
        PING_CHECK {{
            {timing}
        }}
    }}
    real_server {RS2} 8081 {{
        FILE_CHECK {{
            track_file flag
            weight 0
        }}
    }}"""
    track_file = f"track_file flag {{\n    file {flag}\n}}\n"
    lb.start_halod(track_file + config(kinds))
    ports = {"ssl": 8443, "smtp": 8025, "dns": 8053, "udp": 8054}

    def all_alive() -> bool:
        servers_now = lb.real_servers()
        return all(rs["alive"] for rs in servers_now.values())
    lb.wait(all_alive, 10, "every real server up")

    for kind, proc in servers.items():
        lb.stop_server(proc)
        key = f"{RS1}:{ports[kind]}"
        lb.wait(lambda k=key: not alive(lb, k), LEAVE_BOUND, f"{kind} server down")
    flag.write_text("1\n")
    lb.wait(lambda: not alive(lb, f"{RS2}:8081"), 5, "FILE_CHECK down on a non-zero value")
    assert alive(lb, f"{RS2}:8080")  # PING_CHECK: the host still answers
    reasons = {c["kind"]: c["last_reason"] for c in lb.checks().values()}
    assert all(reasons.values()), reasons


def test_reload_keeps_unchanged_virtual_servers_and_applies_changes(lb):
    lb.server("node2", "http", RS1, 8080, "rs1")
    lb.server("node3", "http", RS2, 8080, "rs2")
    second = f"""
virtual_server {VIP} 81 {{
    delay_loop {DELAY_LOOP}
    lb_algo rr
    lb_kind NAT
    protocol TCP
    warmup 0
{tcp_real_server(RS2)}
}}
"""
    d = lb.start_halod(config(tcp_real_server(RS1)) + second)
    check_81 = f"{VIP}:81/{RS2}:8080/tcp"
    lb.wait(lambda: lb.checks()[check_81]["attempts"] >= 3, 5, "port 81's check runs")
    assert lb.connect(4)["answers"] == {"rs1": 4}

    # Port 80 gains rs2; port 81 is unchanged and keeps its check (and counters).
    d.config.write_text(config(tcp_real_server(RS1) + tcp_real_server(RS2)) + second)
    before = lb.checks()[check_81]["attempts"]
    assert lb.command("reload").startswith("reloaded"), lb.describe()
    lb.wait(lambda: lb.connect(4)["answers"] == {"rs1": 2, "rs2": 2}, 5, "rs2 joins port 80")
    assert lb.checks()[check_81]["attempts"] >= before

    # A configuration the back end cannot program is refused whole, with its location.
    d.config.write_text(config(tcp_real_server(RS1), scheduler="wlc"))
    reply = lb.command("reload")
    assert reply.startswith("error:") and "halod.conf:" in reply and "wlc" in reply, reply
    assert lb.connect(4)["answers"] == {"rs1": 2, "rs2": 2}
    bfd = "bfd_instance b1 {\n    neighbor_ip 192.0.2.2\n}\n" + config(
        tcp_real_server(RS1, extra="BFD_CHECK {\n name b1\n }"))
    d.config.write_text(bfd)
    reply = lb.command("reload")
    assert reply.startswith("error:") and "BFD_CHECK" in reply, reply


def test_reload_of_a_changed_virtual_server_carries_unchanged_real_servers_over(lb):
    """keepalived keeps the state of the real servers a reload does not change: no down and
    up notices, no restarted checks, and with alpha no moment out of the pool."""
    lb.server("node2", "http", RS1, 8080, "rs1")
    lb.server("node3", "http", RS2, 8080, "rs2")
    d = lb.start_halod(config(tcp_real_server(RS1) + tcp_real_server(RS2), vs_extra="alpha"))
    lb.wait(lambda: alive(lb, f"{RS1}:8080") and alive(lb, f"{RS2}:8080"), 5, "both up")
    check_1 = f"{VIP}:80/{RS1}:8080/tcp"
    lb.wait(lambda: lb.checks()[check_1]["attempts"] >= 3, 5, "rs1's check runs")
    rs_events = len(lb.events("real_server"))

    # The virtual server changes (quorum), rs2's weight too; how both are checked does not.
    d.config.write_text(config(tcp_real_server(RS1) + tcp_real_server(RS2, weight=3),
                               vs_extra="alpha\n    quorum 2"))
    before = lb.checks()[check_1]["attempts"]
    assert lb.command("reload").startswith("reloaded"), lb.describe()
    assert alive(lb, f"{RS1}:8080") and alive(lb, f"{RS2}:8080")  # alpha: fresh ones start down
    assert lb.checks()[check_1]["attempts"] >= before  # the same checker, its counters go on
    assert lb.connect(40)["answers"] == {"rs1": 10, "rs2": 30}  # the new weight is applied
    changes = lb.events("real_server")[rs_events:]
    assert all(e["up"] for e in changes), changes
    assert "2 of 2 real servers carried over" in d.log_text()

    # A real server checked differently starts afresh: with alpha, down until its check runs.
    changed = tcp_real_server(RS2, weight=3, extra="retry 1")
    d.config.write_text(config(tcp_real_server(RS1) + changed, vs_extra="alpha\n    quorum 2"))
    assert lb.command("reload").startswith("reloaded"), lb.describe()
    lb.wait(lambda: alive(lb, f"{RS2}:8080"), 5, "rs2 up again after its first check")
    assert "1 of 2 real servers carried over" in d.log_text()


def test_ipvs_asked_for_on_a_kernel_without_it_is_said_clearly(lb):
    """This kernel has no IPVS: halod says so, runs the checks and programs nothing."""
    lb.server("node2", "http", RS1, 8080, "rs1")
    lb.start_halod(config(tcp_real_server(RS1)).replace("lb_backend nftables", "lb_backend ipvs"))
    info = lb.json("show info")
    assert info["lb_backend"].startswith("none (") and "IPVS" in info["lb_backend"], info
    lb.wait(lambda: lb.checks()[f"{VIP}:80/{RS1}:8080/tcp"]["attempts"] >= 2, 5, "checks run")
    assert lb.daemon.log_text().count("IPVS is not available") == 1
    # A reload tries to open it again (after `modprobe ip_vs` it would succeed).
    assert lb.command("reload").startswith("reloaded")
    lb.wait(lambda: lb.daemon.log_text().count("IPVS is not available") == 2, 5,
            "the back end tried again at reload")
    assert "halo_lb" not in lb.ruleset()
