"""vrrp_sync_group: the members of a group change state together.

node1 and node2 each run two instances, VI_1 (VRID 51, 192.0.2.100) and VI_2 (VRID 52,
192.0.2.101), in one sync group; node1 has the higher priorities. On node1, VI_1 also tracks a
second interface (`track_interface { eth1 }`, weight 0: down means FAULT). Taking eth1 down
faults VI_1 alone, and the group takes VI_2 with it: node2 then holds both addresses. Bringing
eth1 back returns both to node1.
"""

from __future__ import annotations

import subprocess

import pytest

from vrrp_lab import deadline, impl_params

ADVERT = 0.1
VIP_A = "192.0.2.100"
VIP_B = "192.0.2.101"


def config(priority: int, track_eth1: bool) -> str:
    track = "    track_interface {\n        eth1\n    }\n" if track_eth1 else ""

    def instance(name: str, vrid: int, vip: str, extra: str = "") -> str:
        return (f"vrrp_instance {name} {{\n    state BACKUP\n    interface eth0\n"
                f"    virtual_router_id {vrid}\n    priority {priority}\n"
                f"    advert_int {ADVERT}\n{extra}"
                f"    virtual_ipaddress {{\n        {vip}/24 dev eth0\n    }}\n}}\n")

    return ("global_defs {\n    router_id sync\n    vrrp_version 3\n}\n"
            "vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
            + instance("VI_1", 51, VIP_A, track) + instance("VI_2", 52, VIP_B))


def add_eth1(lab, host: str) -> None:
    ns = lab.ns(host)
    for argv in (["ip", "-n", ns, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1p"],
                 ["ip", "-n", ns, "link", "set", "eth1p", "up"],
                 ["ip", "-n", ns, "link", "set", "eth1", "up"]):
        subprocess.run(argv, check=True, capture_output=True)


def set_eth1(lab, host: str, up: bool) -> None:
    subprocess.run(["ip", "-n", lab.ns(host), "link", "set", "eth1", "up" if up else "down"],
                   check=True, capture_output=True)


@pytest.mark.parametrize("impls", impl_params(2))
def test_a_fault_in_one_member_moves_the_whole_group(vrrp, impls):
    lab = vrrp.lab()
    add_eth1(lab, "node1")
    vrrp.start(impls[0], "node1", config(150, track_eth1=True))
    both_on = lambda host: lab.holders(VIP_A) == [host] and lab.holders(VIP_B) == [host]
    vrrp.wait(lambda: both_on("node1"), deadline(ADVERT), "node1 to hold both addresses")
    vrrp.start(impls[1], "node2", config(100, track_eth1=False))
    vrrp.stays(lambda: both_on("node1"), 1.0, "node1 holding both with node2 as backup")

    set_eth1(lab, "node1", up=False)
    vrrp.wait(lambda: both_on("node2"), deadline(ADVERT),
              "node2 to hold both addresses after node1's VI_1 faulted")
    vrrp.stays(lambda: both_on("node2"), 1.0, "the group staying on node2 while eth1 is down")

    set_eth1(lab, "node1", up=True)
    vrrp.wait(lambda: both_on("node1"), deadline(ADVERT),
              "both addresses back on node1 once eth1 is up")
