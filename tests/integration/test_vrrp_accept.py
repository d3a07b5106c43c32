"""accept / no_accept (RFC 5798 Accept_Mode): with no_accept, a MASTER that is not the address
owner does not take packets addressed to its VIPs (they are for routing only); with accept,
or as the address owner, it answers them. ARP / neighbour discovery keep working either way.
"""

from __future__ import annotations

import subprocess

import pytest

from vrrp_lab import VIP4, deadline, impl_param, vrrp_config

ADVERT = 0.1


def ping(lab, vip: str) -> bool:
    p = subprocess.run(lab.exec_argv("client", ["ping", "-n", "-q", "-c1", "-W1", vip]),
                       capture_output=True, check=False)
    return p.returncode == 0


@pytest.mark.parametrize("impls", [impl_param(("keepalived",)), impl_param(("halo",))])
@pytest.mark.parametrize("mode,priority,answers", [("no_accept", 150, False),
                                                     ("accept", 150, True),
                                                     ("no_accept", 255, True)])
def test_accept_mode_decides_whether_the_master_answers_for_its_vips(vrrp, impls, mode,
                                                                     priority, answers):
    lab = vrrp.lab(("node1", "client"))
    conf = vrrp_config(priority=priority).replace("    nopreempt\n", "")
    conf = conf.replace("    virtual_ipaddress {", f"    {mode}\n    virtual_ipaddress {{")
    daemon = vrrp.start(impls[0], "node1", conf)
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to hold the VIP")
    if answers:
        vrrp.wait(lambda: ping(lab, VIP4), 5, f"the VIP to answer with {mode}")
    else:
        vrrp.stays(lambda: not ping(lab, VIP4), 2.0, f"the VIP not answering with {mode}")
        assert lab.client_neigh_mac(VIP4) == lab.mac("node1"), "ARP still resolves the VIP"
    if impls[0] == "halo":
        # halo's nftables table lives only while a no_accept master needs it.
        daemon.stop()
        tables = subprocess.run(lab.exec_argv("node1", ["nft", "list", "tables"]),
                                capture_output=True, text=True, check=True).stdout
        assert "inet halo" not in tables, tables
