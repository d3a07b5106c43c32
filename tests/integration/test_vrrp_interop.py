"""halod and keepalived in one virtual router, each in either role.

For VRRPv2 (advert_int 1 s), VRRPv3 multicast and VRRPv3 unicast (advert_int 0.1 s): node1
(priority 150) and node2 (priority 100) start together; node1 must win the election, hand
over to node2 when it stops, and take the VIP back when it returns (preemption), with the
client's neighbour entry following the VIP each time.

The mixed pairs are what this file is for (marked halo_vrrp); keepalived on both nodes runs
the same scenario and keeps the scenario itself honest.
"""

from __future__ import annotations

import pytest

from vrrp_lab import VIP4, deadline, impl_param, vrrp_config

PAIRS = [impl_param(("keepalived", "keepalived")),
         impl_param(("halo", "keepalived")),
         impl_param(("keepalived", "halo"))]

MODES = {
    "v2": dict(version=2, advert_int=1),
    "v3": dict(version=3, advert_int=0.1),
    "v3-unicast": dict(version=3, advert_int=0.1, unicast=True),
}


def config(mode: str, node: int, priority: int, state: str) -> str:
    m = dict(MODES[mode])
    unicast = {}
    if m.pop("unicast", False):
        peer = 3 - node
        unicast = dict(unicast_src=f"192.0.2.{node}", unicast_peers=[f"192.0.2.{peer}"])
    return vrrp_config(priority=priority, state=state, **m, **unicast)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("impls", PAIRS)
def test_mixed_pair_elects_and_fails_over_both_ways(vrrp, impls, mode):
    advert = MODES[mode]["advert_int"]
    lab = vrrp.lab()
    a = vrrp.start(impls[0], "node1", config(mode, 1, 150, "MASTER"))
    vrrp.start(impls[1], "node2", config(mode, 2, 100, "BACKUP"))

    def holds(host: str, what: str) -> None:
        vrrp.wait(lambda: lab.holders(VIP4) == [host], deadline(advert), what)
        mac = lab.mac(host)
        vrrp.wait(lambda: lab.client_neigh_mac(VIP4) == mac, deadline(advert),
                  f"the client's neighbour entry for the VIP to be {host}'s MAC")

    holds("node1", f"node1 ({impls[0]}, priority 150) to win the election")
    assert a.stop() == 0, a.log_text()[-2000:]
    holds("node2", f"node2 ({impls[1]}) to take over from the stopped node1")
    a.start()
    holds("node1", f"node1 ({impls[0]}) to preempt node2 ({impls[1]}) on its return")
