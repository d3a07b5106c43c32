"""Split brain and its end: VRRP cut off on the master's host (nftables drops IP protocol
112 both ways in its namespace) makes the backup a master too, so both hold the VIP; when
VRRP flows again exactly one node, the higher-priority one, keeps it.
"""

from __future__ import annotations

import pytest

from vrrp_lab import (VIP4, VIP6, deadline, dump_value, halo_data_dump, impl_params, steady,
                      vrrp_config)

ADVERT = 0.1


def configs(mode: str) -> tuple[str, str]:
    if mode == "unicast":
        return (vrrp_config(priority=150, unicast_src="192.0.2.1", unicast_peers=["192.0.2.2"]),
                vrrp_config(priority=100, unicast_src="192.0.2.2", unicast_peers=["192.0.2.1"]))
    return vrrp_config(priority=150), vrrp_config(priority=100)


@pytest.mark.parametrize("mode", ["multicast", "unicast"])
@pytest.mark.parametrize("impls", impl_params(2))
def test_partition_makes_two_masters_and_healing_leaves_one(vrrp, impls, mode):
    conf1, conf2 = configs(mode)
    lab = vrrp.lab()
    a = vrrp.start(impls[0], "node1", conf1)
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to hold")
    vrrp.start(impls[1], "node2", conf2)
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], steady(ADVERT), "node1 alone holding")

    lab.partition("node1")
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1", "node2"], deadline(ADVERT),
              "both nodes to hold the VIP while node1 is cut off")
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1", "node2"], steady(ADVERT),
               "both nodes holding during the partition")
    if impls[0] == "halo":
        # L6: node1 hears no adverts, but node2's gratuitous ARPs for the VIP reach it (only
        # VRRP is cut): a split-brain episode, logged and counted.
        vrrp.wait(lambda: dump_value(halo_data_dump(vrrp, a), "Split brain episodes", "VI_1") >= 1,
                  deadline(ADVERT), "node1 to count a split-brain episode")
        assert "split brain: another master for VRID 51" in a.log_text()

    lab.heal("node1")
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT),
              "node1 (priority 150) alone to hold the VIP once healed")
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], steady(ADVERT),
               "node1 alone holding after the heal")
    if impls[0] == "halo":
        vrrp.wait(lambda: "Split brain = no" in halo_data_dump(vrrp, a), deadline(ADVERT),
                  "node1's split-brain episode to end after the heal")


@pytest.mark.parametrize("impls", impl_params(2))
def test_ipv6_partition_is_a_split_brain_seen_through_neighbour_advertisements(vrrp, impls):
    lab = vrrp.lab()
    a = vrrp.start(impls[0], "node1", vrrp_config(priority=150, family=6))
    vrrp.wait(lambda: lab.holders(VIP6) == ["node1"], deadline(ADVERT), "node1 to hold")
    vrrp.start(impls[1], "node2", vrrp_config(priority=100, family=6))
    vrrp.stays(lambda: lab.holders(VIP6) == ["node1"], steady(ADVERT), "node1 alone holding")

    lab.partition("node1")
    vrrp.wait(lambda: lab.holders(VIP6) == ["node1", "node2"], deadline(ADVERT),
              "both nodes to hold the VIP while node1 is cut off")
    if impls[0] == "halo":
        # node2's unsolicited neighbour advertisements for the VIP reach node1 (only VRRP is
        # cut): a split-brain episode, as ARP shows it for IPv4.
        vrrp.wait(lambda: dump_value(halo_data_dump(vrrp, a), "Split brain episodes", "VI_1") >= 1,
                  deadline(ADVERT), "node1 to count a split-brain episode")
        assert "neighbour advertisement from" in a.log_text()
    lab.heal("node1")
    vrrp.wait(lambda: lab.holders(VIP6) == ["node1"], deadline(ADVERT),
              "node1 (priority 150) alone to hold the VIP once healed")
