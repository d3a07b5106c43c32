"""Boot order and interfaces that come and go: halod may start before its interface has an
address (ifupdown, DHCP), and an interface may be deleted and created again (a container's
veth). The instance waits in FAULT and runs again as soon as both are back, without a
restart."""

from __future__ import annotations

import subprocess

import pytest

from vrrp_lab import VIP4, deadline, vrrp_config

ADVERT = 0.1


def ip(lab, host: str, *args: str) -> None:
    subprocess.run(["ip", "-n", lab.ns(host), *args], check=True, capture_output=True)


@pytest.mark.halo_vrrp
def test_an_address_that_arrives_after_start_ends_the_fault(vrrp):
    lab = vrrp.lab(("node1", "client"))
    ip(lab, "node1", "addr", "del", "192.0.2.1/24", "dev", "eth0")
    d = vrrp.start("halo", "node1", vrrp_config(priority=150))
    vrrp.wait(lambda: "no IPv4 address to send adverts from" in d.log_text(), 5,
              "halod to report the missing address")
    vrrp.stays(lambda: lab.holders(VIP4) == [], 0.5, "no VIP while the instance is in FAULT")
    ip(lab, "node1", "addr", "add", "192.0.2.1/24", "dev", "eth0")
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT),
              "node1 to hold the VIP once eth0 has its address")
    d.stop()
    ip(lab, "node1", "addr", "del", "192.0.2.1/24", "dev", "eth0")  # the test's own change


def add_eth9(lab) -> None:
    ip(lab, "node1", "link", "add", "eth9", "type", "veth", "peer", "name", "eth9p")
    ip(lab, "node1", "addr", "add", "198.51.100.1/24", "dev", "eth9")
    ip(lab, "node1", "link", "set", "eth9p", "up")
    ip(lab, "node1", "link", "set", "eth9", "up")


@pytest.mark.halo_vrrp
def test_an_interface_deleted_and_created_again_is_used_again(vrrp):
    lab = vrrp.lab(("node1", "client"))
    add_eth9(lab)

    def vip_on_eth9() -> bool:
        out = subprocess.run(["ip", "-n", lab.ns("node1"), "-o", "addr", "show", "dev", "eth9"],
                             capture_output=True, text=True, check=False).stdout
        return "198.51.100.100/24" in out

    conf = vrrp_config(priority=150, interface="eth9", vips=["198.51.100.100/24"])
    d = vrrp.start("halo", "node1", conf)
    vrrp.wait(vip_on_eth9, deadline(ADVERT), "the VIP on eth9")
    ip(lab, "node1", "link", "del", "eth9")
    vrrp.wait(lambda: "interface eth9 is gone" in d.log_text(), 5, "halod to see eth9 go")
    add_eth9(lab)
    vrrp.wait(vip_on_eth9, deadline(ADVERT), "the VIP on the new eth9")
    eth0_before = lab.snapshot("node1")["addr"]
    d.stop()
    # eth9 is a new interface now, so the fixture's before/after comparison cannot apply;
    # what halod added must be gone all the same.
    vrrp.forget_baseline("node1")
    assert not vip_on_eth9()
    assert [a for a in lab.snapshot("node1")["addr"] if a["ifname"] == "eth0"] == \
        [a for a in eth0_before if a["ifname"] == "eth0"]
