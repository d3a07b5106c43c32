"""track_file between real daemons: the value read times the weight moves the priority
(clamped to 1..254; below -253 is FAULT), weight 0 makes any non-zero value a FAULT, and
init_file creates or overwrites the file at start-up.

node1 tracks a file of the test's own (written as an operator would, `echo N > FILE`);
node2 is a plain backup at priority 100. node1's priority is read from its adverts on the
wire. Each test runs with halod on both nodes and with keepalived on both nodes (the latter
checks the scenario itself).
"""

from __future__ import annotations

import time

import pytest

from track_lab import wire, with_tracking  # noqa: F401 (fixture)
from vrrp_lab import VIP4, deadline, impl_param, steady, vrrp_config

ADVERT = 0.1
NODE1 = "192.0.2.1"
IMPLS = [impl_param(("keepalived", "keepalived")), impl_param(("halo", "halo"))]


def config(path, priority: int, weight: int, init: str = "") -> str:
    block = ["track_file TF {", f"    file \"{path}\"", f"    weight {weight}"]
    if init:
        block.append(f"    init_file {init}")
    block.append("}")
    return with_tracking(vrrp_config(priority=priority), defs="\n".join(block),
                         instance="    track_file {\n        TF\n    }\n")


def start(vrrp, impls, weight: int, value=None, init: str = "", priority: int = 150):
    lab = vrrp.lab()
    path = lab.node_dir("node1") / "track"
    if value is not None:
        path.write_text(f"{value}\n")
    vrrp.start(impls[0], "node1", config(path, priority, weight, init))
    vrrp.start(impls[1], "node2", vrrp_config(priority=100))
    return lab, path


def advertises(vrrp, sn, prio: int, what: str) -> None:
    vrrp.wait(lambda: sn.last_priority(NODE1, 0.3) == prio, deadline(ADVERT) + 1, what)


def silent(sn) -> bool:
    """node1 sent nothing but (at most) its priority-0 advert on entering FAULT lately."""
    return all(p == 0 for _, p in sn.adverts(NODE1, time.monotonic() - 0.3))


def holds(vrrp, lab, host: str, what: str) -> None:
    vrrp.wait(lambda: lab.holders(VIP4) == [host], deadline(ADVERT) + 1, what)


@pytest.mark.parametrize("impls", IMPLS)
def test_value_times_weight_moves_the_priority(vrrp, impls, wire):
    lab, path = start(vrrp, impls, 10, value=5)
    sn = wire(lab)
    holds(vrrp, lab, "node1", "node1 to hold")
    advertises(vrrp, sn, 200, "node1 to advertise 150 + 5 x 10")
    path.write_text("2\n")
    advertises(vrrp, sn, 170, "node1 to advertise 150 + 2 x 10")
    path.write_text("20\n")
    advertises(vrrp, sn, 254, "node1 to advertise 254 (150 + 200, clamped)")
    path.write_text("-8\n")
    holds(vrrp, lab, "node2", "node2 (100) to take over from node1 (150 - 80)")
    path.write_text("0\n")
    holds(vrrp, lab, "node1", "node1 (150) to preempt back")
    advertises(vrrp, sn, 150, "node1 to advertise 150 + 0")
    path.write_text("-30\n")  # -300: below -253, FAULT
    holds(vrrp, lab, "node2", "node2 to take over while node1 is in FAULT (-300)")
    vrrp.wait(lambda: silent(sn), 1, "node1 to fall silent in FAULT")
    vrrp.stays(lambda: silent(sn), steady(ADVERT), "node1 silent in FAULT")
    path.write_text("1\n")
    holds(vrrp, lab, "node1", "node1 (160) to preempt back")
    advertises(vrrp, sn, 160, "node1 to advertise 150 + 1 x 10")


@pytest.mark.parametrize("impls", IMPLS)
def test_weight_0_makes_a_non_zero_value_a_fault(vrrp, impls, wire):
    lab, path = start(vrrp, impls, 0, value=0)
    sn = wire(lab)
    holds(vrrp, lab, "node1", "node1 (150) to hold with 0 in its file")
    advertises(vrrp, sn, 150, "node1 to advertise its own priority (weight 0)")
    path.write_text("3\n")
    holds(vrrp, lab, "node2", "node2 (100) to take over: node1 in FAULT")
    vrrp.wait(lambda: silent(sn), 1, "node1 to fall silent in FAULT")
    vrrp.stays(lambda: lab.holders(VIP4) == ["node2"] and silent(sn), steady(ADVERT),
               "node2 holding, node1 silent in FAULT")
    path.write_text("0\n")
    holds(vrrp, lab, "node1", "node1 to leave FAULT and preempt")


@pytest.mark.parametrize("impls", IMPLS)
def test_init_file_creates_the_missing_file(vrrp, impls, wire):
    lab, path = start(vrrp, impls, 10, value=None, init="5")
    sn = wire(lab)
    holds(vrrp, lab, "node1", "node1 to hold")
    advertises(vrrp, sn, 200, "node1 to advertise 150 + 5 x 10 from the file it created")
    assert path.read_text().strip() == "5"


@pytest.mark.parametrize("impls", IMPLS)
def test_init_file_overwrite_replaces_the_value(vrrp, impls, wire):
    lab, path = start(vrrp, impls, 10, value=9, init="3 overwrite")
    sn = wire(lab)
    holds(vrrp, lab, "node1", "node1 to hold")
    advertises(vrrp, sn, 180, "node1 to advertise 150 + 3 x 10 (9 overwritten)")
    assert path.read_text().strip() == "3"


@pytest.mark.parametrize("impls", IMPLS)
def test_init_file_keeps_an_existing_file(vrrp, impls, wire):
    lab, path = start(vrrp, impls, 10, value=9, init="3")
    sn = wire(lab)
    holds(vrrp, lab, "node1", "node1 to hold")
    advertises(vrrp, sn, 240, "node1 to advertise 150 + 9 x 10 (the file existed)")
    assert path.read_text().strip() == "9"
