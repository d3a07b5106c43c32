"""vrrp_script tracking between real daemons: weight, rise/fall, weight 0 (FAULT), and a
script that hangs (killed at its timeout and counted as a failure).

The script exits with the code written in a status file of the test's own (or, for "hang",
writes its pid and sleeps for good). node1 runs the script; node2 is a plain backup at
priority 100. Each test runs with halod on both nodes and with keepalived on both nodes (the
latter checks the scenario itself).
"""

from __future__ import annotations

import time

import pytest

from track_lab import SCRIPT_SECURITY, pid_alive, script_file, with_tracking
from vrrp_lab import VIP4, deadline, impl_param, steady, vrrp_config

ADVERT = 0.1
IMPLS = [impl_param(("keepalived", "keepalived")), impl_param(("halo", "halo"))]


class Check:
    """The tracked script and its status file in the node's directory."""

    def __init__(self, lab) -> None:
        d = lab.node_dir("node1")
        self.status = d / "status"
        self.pidfile = d / "hang.pid"
        self.status.write_text("0\n")
        self.path = script_file(d / "check.sh", (
            "#!/bin/sh\n"
            f"read s < {self.status}\n"
            f'if [ "$s" = hang ]; then echo $$ > {self.pidfile}; exec sleep 100000; fi\n'
            'exit "$s"\n'))

    def set(self, value: str) -> None:
        tmp = self.status.with_suffix(".new")
        tmp.write_text(f"{value}\n")
        tmp.rename(self.status)  # never read half-written

    def config(self, priority: int, *options: str) -> str:
        block = ["vrrp_script CHK {", f"    script \"{self.path}\""]
        block += [f"    {o}" for o in options] + ["}"]
        return with_tracking(vrrp_config(priority=priority), defs="\n".join(block),
                             instance="    track_script {\n        CHK\n    }\n",
                             global_=SCRIPT_SECURITY)


def start(vrrp, impls, *options: str, priority: int = 150):
    lab = vrrp.lab()
    chk = Check(lab)
    a = vrrp.start(impls[0], "node1", chk.config(priority, *options))
    b = vrrp.start(impls[1], "node2", vrrp_config(priority=100))
    return lab, chk, a, b


def holds(vrrp, lab, host: str, what: str, extra: float = 0.0) -> None:
    vrrp.wait(lambda: lab.holders(VIP4) == [host], deadline(ADVERT) + extra, what)


@pytest.mark.parametrize("impls", IMPLS)
def test_a_passing_weight_0_script_starts_the_instance_without_a_fault(vrrp, impls):
    # Before the first run ends the script has no verdict (keepalived's INIT): the instance
    # waits for it rather than starting in FAULT and running notify_fault.
    lab = vrrp.lab()
    chk = Check(lab)
    d = lab.node_dir("node1")
    faults = d / "faults"
    notify = script_file(d / "fault.sh", f"#!/bin/sh\necho FAULT >> {faults}\n")
    conf = chk.config(150, "interval 1").replace(
        "    track_script {", f"    notify_fault {notify}\n    track_script {{", 1)
    vrrp.start(impls[0], "node1", conf)
    vrrp.start(impls[1], "node2", vrrp_config(priority=100))
    holds(vrrp, lab, "node1", "node1 (150, script OK) to hold", extra=2)
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], steady(ADVERT), "node1 holding")
    assert not faults.exists(), faults.read_text()


@pytest.mark.parametrize("impls", IMPLS)
def test_failing_script_lowers_the_priority_by_its_weight(vrrp, impls):
    lab, chk, _, _ = start(vrrp, impls, "interval 1", "weight -100", "fall 1", "rise 1")
    holds(vrrp, lab, "node1", "node1 (150, script OK) to hold", extra=2)
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], steady(ADVERT), "node1 holding")
    chk.set("1")
    holds(vrrp, lab, "node2", "node2 (100) to take over from node1 (150 - 100)", extra=2)
    chk.set("0")
    holds(vrrp, lab, "node1", "node1 to preempt back once its script passes", extra=2)
    chk.set("7")  # any non-zero exit code is a failure
    holds(vrrp, lab, "node2", "node2 to take over on exit code 7", extra=2)


@pytest.mark.parametrize("impls", IMPLS)
def test_fall_and_rise_count_consecutive_results(vrrp, impls):
    interval = 1  # keepalived 2.2.7 takes whole seconds only (1..4294)
    lab, chk, _, _ = start(vrrp, impls, f"interval {interval:g}", "weight -100", "fall 3",
                           "rise 2")
    holds(vrrp, lab, "node1", "node1 to hold", extra=2)
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], steady(ADVERT), "node1 holding")

    t0 = time.monotonic()
    chk.set("1")
    # Three failures in a row: the first run after t0 is within one interval, the third
    # two intervals later.
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], 2 * interval - 0.15,
               "node1 holding until its third failing run (fall 3)")
    holds(vrrp, lab, "node2", "node2 to take over after 3 failures", extra=2 * interval)
    assert time.monotonic() - t0 <= 3 * interval + deadline(ADVERT)

    t1 = time.monotonic()
    chk.set("0")
    vrrp.stays(lambda: lab.holders(VIP4) == ["node2"], interval - 0.15,
               "node2 holding until node1's second passing run (rise 2)")
    holds(vrrp, lab, "node1", "node1 to preempt back after 2 passes", extra=interval)
    assert time.monotonic() - t1 <= 2 * interval + deadline(ADVERT)


@pytest.mark.parametrize("impls", IMPLS)
def test_weight_0_failure_is_fault(vrrp, impls):
    # node1 (150) is above node2 (100): only FAULT keeps it from preempting.
    lab, chk, _, _ = start(vrrp, impls, "interval 1", "weight 0", "fall 1", "rise 1")
    holds(vrrp, lab, "node1", "node1 to hold", extra=2)
    chk.set("1")
    holds(vrrp, lab, "node2", "node2 to take over while node1 is in FAULT", extra=2)
    vrrp.stays(lambda: lab.holders(VIP4) == ["node2"], steady(ADVERT),
               "node2 (100) holding: node1 (150, FAULT) must not preempt")
    chk.set("0")
    holds(vrrp, lab, "node1", "node1 to leave FAULT and preempt", extra=2)


@pytest.mark.parametrize("impls", IMPLS)
def test_alone_a_node_leaving_fault_becomes_master(vrrp, impls):
    """No other router on the link: after its script recovers, the node must take the VIP by
    itself (Master_Down_Interval), not wait in BACKUP for an advert that never comes."""
    lab = vrrp.lab()
    chk = Check(lab)
    vrrp.start(impls[0], "node1", chk.config(150, "interval 1", "weight 0", "fall 1", "rise 1"))
    holds(vrrp, lab, "node1", "node1 to hold", extra=2)
    chk.set("1")
    vrrp.wait(lambda: lab.holders(VIP4) == [], deadline(ADVERT) + 2, "node1 to release (FAULT)")
    chk.set("0")
    holds(vrrp, lab, "node1", "node1 alone to become master again", extra=2)


@pytest.mark.parametrize("impls", IMPLS)
def test_hanging_script_is_killed_at_its_timeout_and_counts_as_failed(vrrp, impls):
    timeout = 1
    lab, chk, _, _ = start(vrrp, impls, "interval 1", f"timeout {timeout}", "weight -100",
                           "fall 1", "rise 1")
    holds(vrrp, lab, "node1", "node1 to hold", extra=2)
    chk.set("hang")
    vrrp.wait(lambda: chk.pidfile.exists() and chk.pidfile.read_text().strip(), 3,
              "the script to start hanging")
    hung = time.monotonic()
    pid = int(chk.pidfile.read_text())
    assert pid_alive(pid)
    vrrp.wait(lambda: not pid_alive(pid), timeout + 2, "the hanging script to be killed")
    killed = time.monotonic() - hung
    assert killed >= timeout - 0.2, f"killed {killed:.2f} s into a {timeout} s timeout"
    holds(vrrp, lab, "node2", "node2 to take over: the timed-out run is a failure")
    chk.set("0")
    holds(vrrp, lab, "node1", "node1 to preempt back once the script passes again", extra=2)
