"""VRRP failover between real daemons in the lab of vrrp_lab.py.

Each test is parametrized by the implementation of each node ("keepalived" or "halo");
keepalived on every node validates the scenario itself, the variants with a halo node carry
the `halo_vrrp` marker (see conftest.py). VRRPv3, advert_int 0.1 s; every wait is a poll
with a deadline derived from the advert interval (vrrp_lab.deadline).

A keepalived killed with SIGKILL keeps its VIPs on its interface (the kernel does not know
they were virtual), so after a crash the tests ask that the survivor holds the VIP and that
the client's neighbour entry points at it, not that the dead node let go.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from vrrp_lab import VIP4, VIP6, deadline, impl_params, steady, vrrp_config

ADVERT = 0.1
PAIRS = impl_params(2)


def start_pair(vrrp, impls, conf1: str, conf2: str, hosts=("node1", "node2", "client")):
    """node1 (the intended master) first, held until it owns the VIP; then node2."""
    lab = vrrp.lab(hosts)
    vip = VIP6 if "2001:db8::100" in conf1 else VIP4
    a = vrrp.start(impls[0], "node1", conf1)
    vrrp.wait(lambda: lab.holders(vip) == ["node1"], deadline(ADVERT), "node1 to hold the VIP")
    b = vrrp.start(impls[1], "node2", conf2)
    return lab, a, b


def expect_holder(vrrp, lab, vip: str, host: str, exclusive: bool = True) -> None:
    if exclusive:
        vrrp.wait(lambda: lab.holders(vip) == [host], deadline(ADVERT),
                  f"{host} alone to hold {vip}")
    else:
        vrrp.wait(lambda: host in lab.holders(vip), deadline(ADVERT), f"{host} to hold {vip}")


def expect_client_sees(vrrp, lab, vip: str, host: str) -> None:
    mac = lab.mac(host)
    vrrp.wait(lambda: lab.client_neigh_mac(vip) == mac, deadline(ADVERT),
              f"the client's neighbour entry for {vip} to be {host}'s MAC {mac}")


@pytest.mark.parametrize("impls", PAIRS)
def test_initial_election_higher_priority_holds_the_vip(vrrp, impls):
    lab = vrrp.lab()
    vrrp.start(impls[0], "node1", vrrp_config(priority=150))
    vrrp.start(impls[1], "node2", vrrp_config(priority=100))
    expect_holder(vrrp, lab, VIP4, "node1")
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], steady(ADVERT), "node1 alone holding")
    expect_client_sees(vrrp, lab, VIP4, "node1")


@pytest.mark.parametrize("impls", PAIRS)
def test_master_crash_moves_the_vip_and_the_clients_neighbour_entry(vrrp, impls):
    lab, a, _ = start_pair(vrrp, impls, vrrp_config(priority=150), vrrp_config(priority=100))
    expect_client_sees(vrrp, lab, VIP4, "node1")
    a.kill()
    expect_holder(vrrp, lab, VIP4, "node2", exclusive=False)
    expect_client_sees(vrrp, lab, VIP4, "node2")


@pytest.mark.parametrize("impls", PAIRS)
def test_graceful_stop_hands_over(vrrp, impls):
    lab, a, _ = start_pair(vrrp, impls, vrrp_config(priority=150), vrrp_config(priority=100))
    expect_client_sees(vrrp, lab, VIP4, "node1")
    assert a.stop() == 0, a.log_text()[-2000:]
    expect_holder(vrrp, lab, VIP4, "node2")
    expect_client_sees(vrrp, lab, VIP4, "node2")


@pytest.mark.parametrize("impls", PAIRS)
def test_returning_higher_priority_node_preempts(vrrp, impls):
    lab, a, _ = start_pair(vrrp, impls, vrrp_config(priority=150), vrrp_config(priority=100))
    a.stop()
    expect_holder(vrrp, lab, VIP4, "node2")
    a.start()
    expect_holder(vrrp, lab, VIP4, "node1")
    expect_client_sees(vrrp, lab, VIP4, "node1")


@pytest.mark.parametrize("impls", PAIRS)
def test_nopreempt_keeps_the_vip_on_the_backup(vrrp, impls):
    lab, a, _ = start_pair(vrrp, impls, vrrp_config(priority=150, nopreempt=True),
                           vrrp_config(priority=100, nopreempt=True))
    a.stop()
    expect_holder(vrrp, lab, VIP4, "node2")
    a.start()
    # Long enough for node1 to start, hear node2 and (wrongly) take over several times.
    vrrp.stays(lambda: lab.holders(VIP4) == ["node2"], 1.5 * steady(ADVERT),
               "node2 alone holding while node1 (nopreempt) is back")


@pytest.mark.parametrize("impls", PAIRS)
def test_preempt_delay_postpones_the_takeover(vrrp, impls):
    delay = 2.0
    lab, a, _ = start_pair(vrrp, impls, vrrp_config(priority=150, preempt_delay=delay),
                           vrrp_config(priority=100))
    a.stop()
    expect_holder(vrrp, lab, VIP4, "node2")
    started = time.monotonic()
    a.start()
    vrrp.stays(lambda: lab.holders(VIP4) == ["node2"], delay * 0.75,
               "node2 alone holding during node1's preempt_delay")
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], delay + deadline(ADVERT),
              "node1 to take over after its preempt_delay")
    assert time.monotonic() - started >= delay * 0.9


@pytest.mark.parametrize("impls", PAIRS)
def test_equal_priorities_higher_primary_address_wins_without_flapping(vrrp, impls):
    # With equal priorities a backup never preempts a running master (RFC 5798 §6.4.2), so
    # who wins a plain start-up is a race. The address tie-break decides between two
    # masters: make both masters by cutting VRRP on node1, then let them hear each other.
    lab = vrrp.lab()
    lab.partition("node1")
    vrrp.start(impls[0], "node1", vrrp_config(priority=100))
    vrrp.start(impls[1], "node2", vrrp_config(priority=100))
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1", "node2"], deadline(ADVERT),
              "both nodes to be master while node1 hears no VRRP")
    lab.heal("node1")
    expect_holder(vrrp, lab, VIP4, "node2")  # 192.0.2.2 > 192.0.2.1
    vrrp.stays(lambda: lab.holders(VIP4) == ["node2"], steady(ADVERT), "node2 alone holding")
    expect_client_sees(vrrp, lab, VIP4, "node2")


@pytest.mark.parametrize("impls", PAIRS)
def test_interface_down_on_master_fails_over_and_back(vrrp, impls):
    lab, _, _ = start_pair(vrrp, impls, vrrp_config(priority=150), vrrp_config(priority=100))
    lab.link("node1", up=False)
    vrrp.wait(lambda: "node2" in lab.holders(VIP4), deadline(ADVERT), "node2 to hold the VIP")
    expect_client_sees(vrrp, lab, VIP4, "node2")
    lab.link("node1", up=True)
    expect_holder(vrrp, lab, VIP4, "node1")
    expect_client_sees(vrrp, lab, VIP4, "node1")


@pytest.mark.parametrize("impls", PAIRS)
def test_ipv6_vip_fails_over_with_the_clients_neighbour_entry(vrrp, impls):
    lab, a, _ = start_pair(vrrp, impls, vrrp_config(priority=150, family=6),
                           vrrp_config(priority=100, family=6))
    expect_client_sees(vrrp, lab, VIP6, "node1")
    a.kill()
    expect_holder(vrrp, lab, VIP6, "node2", exclusive=False)
    expect_client_sees(vrrp, lab, VIP6, "node2")


@pytest.mark.parametrize("impls", PAIRS)
def test_unicast_peers_fail_over(vrrp, impls):
    lab, a, _ = start_pair(
        vrrp, impls,
        vrrp_config(priority=150, unicast_src="192.0.2.1", unicast_peers=["192.0.2.2"]),
        vrrp_config(priority=100, unicast_src="192.0.2.2", unicast_peers=["192.0.2.1"]))
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], steady(ADVERT),
               "node1 alone holding once node2 hears it by unicast")
    a.kill()
    expect_holder(vrrp, lab, VIP4, "node2", exclusive=False)
    expect_client_sees(vrrp, lab, VIP4, "node2")


@pytest.mark.parametrize("impls", impl_params(3))
def test_three_nodes_fail_over_in_priority_order(vrrp, impls):
    lab = vrrp.lab(("node1", "node2", "node3", "client"))
    n1 = vrrp.start(impls[0], "node1", vrrp_config(priority=150))
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to hold")
    n2 = vrrp.start(impls[1], "node2", vrrp_config(priority=100))
    vrrp.start(impls[2], "node3", vrrp_config(priority=50))
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], steady(ADVERT), "node1 alone holding")
    n1.kill()
    vrrp.wait(lambda: "node2" in lab.holders(VIP4), deadline(ADVERT), "node2 to take over")
    vrrp.stays(lambda: "node3" not in lab.holders(VIP4), steady(ADVERT),
               "node3 (priority 50) staying backup while node2 (100) is master")
    expect_client_sees(vrrp, lab, VIP4, "node2")
    n2.kill()
    vrrp.wait(lambda: "node3" in lab.holders(VIP4), deadline(ADVERT), "node3 to take over")
    expect_client_sees(vrrp, lab, VIP4, "node3")


@pytest.mark.parametrize("family", [4, 6], ids=["ipv4", "ipv6"])
@pytest.mark.parametrize("impls", PAIRS)
def test_nodes_are_restored_after_a_graceful_stop(vrrp, impls, family):
    vip = VIP4 if family == 4 else VIP6
    lab = vrrp.lab()
    before = {h: lab.snapshot(h) for h in ("node1", "node2")}
    a = vrrp.start(impls[0], "node1", vrrp_config(priority=150, family=family))
    b = vrrp.start(impls[1], "node2", vrrp_config(priority=100, family=family))
    expect_holder(vrrp, lab, vip, "node1")
    assert lab.snapshot("node1") != before["node1"], "the VIP shows in node1's snapshot"
    a.stop()
    expect_holder(vrrp, lab, vip, "node2")
    b.stop()
    for host in ("node1", "node2"):
        vrrp.wait(lambda h=host: lab.snapshot(h) == before[h], 3,
                  f"{host}'s ip addr/route/rule/link to be as before")


@pytest.mark.halo_vrrp
def test_crashed_halo_master_leaves_no_vip_behind(vrrp):
    # Design L6: halod gives its VIPs a lifetime it renews (vrrp_vip_lifetime, default 2 s),
    # so a crash cannot leave them behind (keepalived's stay for good). The kernel checks
    # address lifetimes on whole-second ticks, so the VIP goes within lifetime + 1 s: 3 s.
    lab = vrrp.lab()
    before = lab.snapshot("node1")
    a = vrrp.start("halo", "node1", vrrp_config(priority=150))
    expect_holder(vrrp, lab, VIP4, "node1")
    vrrp.start("halo", "node2", vrrp_config(priority=100))
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], steady(ADVERT),
               "node1 alone holding with node2 as backup")
    a.kill()
    killed = time.monotonic()
    expect_holder(vrrp, lab, VIP4, "node2", exclusive=False)
    vrrp.wait(lambda: VIP4 not in lab.vips("node1"), 3.0 + 0.25,
              "the crashed node1's VIP to expire within its lifetime")
    gone_after = time.monotonic() - killed
    assert gone_after <= 3.25, gone_after
    assert lab.holders(VIP4) == ["node2"], "the backup holds the VIP while node1's expires"
    vrrp.wait(lambda: lab.snapshot("node1") == before, 2, "node1's state to be as before")

@pytest.mark.halo_vrrp
def test_remove_vips_cleans_up_after_a_crash_with_permanent_addresses(vrrp, halod):
    # `vrrp_vip_lifetime forever` is keepalived's behaviour: a crash leaves the VIP behind;
    # `halod --remove-vips` (systemd ExecStopPost) removes it, and only it.
    lab = vrrp.lab()
    before = lab.snapshot("node1")
    conf = vrrp_config(priority=150).replace("    vrrp_version 3\n",
                                             "    vrrp_version 3\n    vrrp_vip_lifetime forever\n")
    conf = conf.replace("    virtual_ipaddress {", "    no_accept\n    virtual_ipaddress {")
    a = vrrp.start("halo", "node1", conf)
    expect_holder(vrrp, lab, VIP4, "node1")
    a.kill()
    vrrp.stays(lambda: VIP4 in lab.vips("node1"), 3.0,
               "the permanent VIP staying after the crash (as keepalived's do)")
    p = subprocess.run(lab.exec_argv("node1", [str(halod), "--remove-vips", "-f", str(a.config)]),
                       capture_output=True, text=True, timeout=10, check=False)
    assert p.returncode == 0, p.stderr
    assert f"removed {VIP4}/24 dev eth0" in p.stdout, p.stdout
    assert "removed nftables table inet halo" in p.stdout, p.stdout  # no_accept's
    assert lab.snapshot("node1") == before
    tables = subprocess.run(lab.exec_argv("node1", ["nft", "list", "tables"]),
                            capture_output=True, text=True, check=True).stdout
    assert "inet halo" not in tables
