"""virtual_routes / virtual_rules follow the master; static_ipaddress / static_routes /
static_rules are the host's own while the daemon runs. After stop every one of them is gone
(the fixture compares `ip addr/route/rule/link` with the state before the daemon started).
"""

from __future__ import annotations

import subprocess

import pytest

from vrrp_lab import VIP4, deadline, impl_params, vrrp_config

ADVERT = 0.1
VIRTUAL_ROUTE = "198.51.100.0/25"
STATIC_ROUTE = "198.51.100.128/25"
STATIC_ADDRESS = "198.51.100.250"


def config(priority: int, with_static: bool) -> str:
    text = vrrp_config(priority=priority)
    extra = ("    virtual_routes {\n"
             f"        {VIRTUAL_ROUTE} via 192.0.2.254 dev eth0 table 100\n"
             "    }\n"
             "    virtual_rules {\n"
             f"        from {VIP4} table 100 priority 200\n"
             "    }\n")
    text = text.replace("    virtual_ipaddress {", extra + "    virtual_ipaddress {")
    if with_static:
        text = (f"static_ipaddress {{\n    {STATIC_ADDRESS}/32 dev eth0\n}}\n"
                f"static_routes {{\n    {STATIC_ROUTE} via 192.0.2.254 dev eth0\n}}\n"
                "static_rules {\n    from 198.51.100.0/24 table 101 priority 300\n}\n") + text
    return text


def ip(lab, host: str, *args: str) -> str:
    # Not checked: `ip route show table 100` fails while the table does not exist yet.
    return subprocess.run(["ip", "-n", lab.ns(host), *args], capture_output=True, text=True,
                          check=False).stdout


def has_virtual(lab, host: str) -> bool:
    return (VIRTUAL_ROUTE in ip(lab, host, "route", "show", "table", "100") and
            f"from {VIP4} lookup 100" in ip(lab, host, "rule", "show"))


def has_static(lab, host: str) -> bool:
    return (STATIC_ROUTE in ip(lab, host, "route", "show") and
            "from 198.51.100.0/24 lookup 101" in ip(lab, host, "rule", "show") and
            STATIC_ADDRESS in ip(lab, host, "addr", "show", "dev", "eth0"))


@pytest.mark.parametrize("impls", impl_params(2))
def test_virtual_routes_follow_the_master_and_static_ones_stay(vrrp, impls):
    lab = vrrp.lab()
    a = vrrp.start(impls[0], "node1", config(150, with_static=True))
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"] and has_virtual(lab, "node1"),
              deadline(ADVERT), "node1 to hold the VIP and its virtual route and rule")
    vrrp.wait(lambda: has_static(lab, "node1"), 5, "node1's static address, route and rule")
    vrrp.start(impls[1], "node2", config(100, with_static=False))
    vrrp.stays(lambda: not has_virtual(lab, "node2"), 0.5, "node2 (backup) without them")

    a.stop()
    vrrp.wait(lambda: lab.holders(VIP4) == ["node2"] and has_virtual(lab, "node2"),
              deadline(ADVERT), "node2 to take the VIP, the virtual route and rule")
    assert not has_virtual(lab, "node1")
    assert not has_static(lab, "node1")
