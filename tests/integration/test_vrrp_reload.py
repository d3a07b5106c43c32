"""SIGHUP reload of a running halod master (design §3: reload keeps the state of every
instance whose configuration is unchanged; a reload with errors keeps the running one)."""

from __future__ import annotations

import signal

import pytest

from vrrp_lab import VIP4, deadline, vrrp_config

ADVERT = 0.1
VIP_B = "192.0.2.101"


def second_instance() -> str:
    return ("vrrp_instance VI_2 {\n    state BACKUP\n    interface eth0\n"
            "    virtual_router_id 52\n    priority 150\n    advert_int 0.1\n"
            f"    virtual_ipaddress {{\n        {VIP_B}/24 dev eth0\n    }}\n}}\n")


@pytest.mark.halo_vrrp
def test_reload_keeps_an_unchanged_master_and_adds_and_removes_instances(vrrp):
    lab = vrrp.lab()
    conf = vrrp_config(priority=150)
    a = vrrp.start("halo", "node1", conf)
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to hold the VIP")
    vrrp.start("halo", "node2", vrrp_config(priority=100))
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], 0.5, "node1 holding with a backup")

    # Same file: nothing moves, not even for an instant.
    a.signal(signal.SIGHUP)
    vrrp.wait(lambda: a.log_text().count("configuration reloaded") == 1, 5, "the first reload")
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"], 1.0, "node1 holding through the reload")

    # A new instance starts; the unchanged one keeps running as MASTER.
    a.config.write_text(conf + second_instance())
    a.signal(signal.SIGHUP)
    vrrp.wait(lambda: lab.holders(VIP_B) == ["node1"], deadline(ADVERT),
              "the added instance's VIP on node1")
    assert lab.holders(VIP4) == ["node1"]
    assert a.log_text().count("VI_1/v4] BACKUP -> MASTER") == 1, a.log_text()

    # A broken file: the running configuration stays.
    a.config.write_text(conf + "vrrp_instance BROKEN {\n    priority 300\n}\n")
    a.signal(signal.SIGHUP)
    vrrp.wait(lambda: "reload failed" in a.log_text(), 5, "the failed reload")
    vrrp.stays(lambda: lab.holders(VIP_B) == ["node1"] and lab.holders(VIP4) == ["node1"], 0.5,
               "both instances running after the failed reload")

    # The instance removed from the file stops and releases its VIP.
    a.config.write_text(conf)
    a.signal(signal.SIGHUP)
    vrrp.wait(lambda: VIP_B not in lab.vips("node1"), deadline(ADVERT),
              "the removed instance's VIP to go")
    assert lab.holders(VIP4) == ["node1"]
