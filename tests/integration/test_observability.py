"""What halod tells the outside world besides VRRP (issue 5): keepalived's stats and JSON
dumps with keepalived's field names (compared with the real keepalived on the same
configuration), the Prometheus endpoint (parsed with prometheus_client), and haloctl against
a running halod."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

import control_client as cc
from vrrp_lab import VIP4, deadline, vrrp_config

pytestmark = pytest.mark.halo_vrrp

ADVERT = 0.1


def new_file(path: Path, before: tuple | None, timeout: float = 5.0) -> str:
    """The file's text once it is a new one (another inode or mtime than `before`)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            st = path.stat()
            if (st.st_ino, st.st_mtime_ns) != before and st.st_size > 0:
                return path.read_text()
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"{path} was not written within {timeout} s")


def stamp(path: Path):
    try:
        st = path.stat()
        return (st.st_ino, st.st_mtime_ns)
    except FileNotFoundError:
        return None


def field_names(stats: str) -> list[str]:
    """keepalived.stats without its numbers: the lines' names and indentation."""
    return [re.sub(r":\s*\d+$", ":", line) for line in stats.splitlines()]


def keys_of(dump: str) -> tuple[list[str], list[str]]:
    entry = json.loads(dump)[0]
    return list(entry["data"].keys()), list(entry["stats"].keys())


def instance_fields(data: str) -> list[str]:
    """The field names of the first instance block of a keepalived.data (lines indented by
    three spaces: `Name = value`, `Name:` or keepalived's `Multicast address A`)."""
    block = data.split(" VRRP Instance = ", 1)[1].split("------<", 1)[0]
    names = []
    for line in block.splitlines()[1:]:
        if not line.startswith("   ") or line.startswith("    "):
            continue  # not a field: an address or a tracked item under a heading
        text = line.strip()
        if " = " in text:
            names.append(text.split(" = ", 1)[0])
        elif text.endswith(":"):
            names.append(text[:-1].strip())
        elif text.startswith("Multicast address "):
            names.append("Multicast address")
    return names


def test_stats_json_and_data_dumps_have_keepalived_s_field_names(vrrp):
    lab = vrrp.lab(("node1", "node2", "client"))
    k = vrrp.start("keepalived", "node1", vrrp_config(priority=150))
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to be master")
    h = vrrp.start("halo", "node2", vrrp_config(priority=100))
    cc.wait_for_socket(h.dir / "halo.sock")

    # keepalived writes its dumps to /tmp; its VRRP child (-r pid file) takes the signals.
    vrrp_pid = int((k.dir / "v.pid").read_text())
    tmp = Path("/tmp")
    before = stamp(tmp / "keepalived.stats"), stamp(tmp / "keepalived.json")
    os.kill(vrrp_pid, signal.SIGUSR2)
    k_stats = new_file(tmp / "keepalived.stats", before[0])
    os.kill(vrrp_pid, signal.SIGRTMIN + 2)
    k_json = new_file(tmp / "keepalived.json", before[1])

    before_data = stamp(tmp / "keepalived.data")
    os.kill(vrrp_pid, signal.SIGUSR1)
    k_data = new_file(tmp / "keepalived.data", before_data)

    h_before = stamp(h.dir / "keepalived.stats"), stamp(h.dir / "keepalived.json")
    h.signal(signal.SIGUSR2)
    h_stats = new_file(h.dir / "keepalived.stats", h_before[0])
    h.signal(signal.SIGRTMIN + 2)
    h_json = new_file(h.dir / "keepalived.json", h_before[1])

    assert field_names(h_stats) == field_names(k_stats), (h_stats, k_stats)
    # keepalived.data: every field halo writes that keepalived writes too comes in keepalived's
    # order, and the ones parsers look for are all there.
    before = stamp(h.dir / "keepalived.data")
    h.signal(signal.SIGUSR1)
    h_data = new_file(h.dir / "keepalived.data", before)
    k_fields, h_fields = instance_fields(k_data), instance_fields(h_data)
    assert [f for f in k_fields if f in h_fields] == [f for f in h_fields if f in k_fields], (
        k_fields, h_fields)
    needed = {"VRRP Version", "State", "Wantstate", "Last transition", "Interface",
              "Using src_ip", "Multicast address", "Gratuitous ARP delay", "Down timer adverts",
              "Virtual Router ID", "Priority", "Effective priority", "Total priority",
              "Advert interval", "Accept", "Preempt", "Virtual IP (1)", "Notify deleted",
              "Notify priority changes"}
    assert needed <= set(k_fields) & set(h_fields), sorted(needed - set(h_fields))
    assert re.search(r"^   Last transition = \d+\.\d{6} \(", h_data, re.M), h_data
    assert keys_of(h_json) == keys_of(k_json), (h_json, k_json)
    entry = json.loads(h_json)[0]
    assert entry["data"]["iname"] == "VI_1" and entry["data"]["vrid"] == 51
    assert entry["data"]["base_priority"] == 100
    # The dumps are files of their own, written whole (mode 0600 like keepalived's).
    assert oct((h.dir / "keepalived.stats").stat().st_mode & 0o777) == "0o600"
    # The control socket writes them too, and says where.
    assert cc.command(h.dir / "halo.sock", "dump stats") == f"wrote {h.dir}/keepalived.stats\n"


def test_prometheus_endpoint_parses_and_tells_the_state(vrrp):
    lab = vrrp.lab(("node1", "client"))
    text = vrrp_config(priority=150).replace(
        "global_defs {\n", "global_defs {\n    metrics_listen 192.0.2.1 9650\n", 1)
    h = vrrp.start("halo", "node1", text)
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to be master")
    fetch = ("import urllib.request,sys;"
             "r=urllib.request.urlopen('http://192.0.2.1:9650/metrics',timeout=5);"
             "sys.stdout.write(r.headers['Content-Type']+'\\n'+r.read().decode())")

    def scrape() -> str:
        p = subprocess.run(lab.exec_argv("client", ["/usr/bin/python3", "-c", fetch]),
                           capture_output=True, text=True, timeout=10, check=False)
        assert p.returncode == 0, p.stderr + h.log_text()[-2000:]
        return p.stdout

    reply = scrape()
    content_type, body = reply.split("\n", 1)
    assert content_type.startswith("text/plain; version=0.0.4"), content_type
    samples = {}
    for family in text_string_to_metric_families(body):
        assert family.name.startswith("halo_"), family.name
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    assert samples[("halo_vrrp_state", (("instance_name", "VI_1"), ("state", "MASTER")))] == 1
    assert samples[("halo_vrrp_state", (("instance_name", "VI_1"), ("state", "BACKUP")))] == 0
    assert samples[("halo_vrrp_effective_priority", (("instance_name", "VI_1"),))] == 150
    assert samples[("halo_vrrp_adverts_sent_total", (("instance_name", "VI_1"),))] > 0
    assert ("halo_build_info" in {name for name, _ in samples})
    # Scrapes are counted.
    again = dict(((s.name, tuple(sorted(s.labels.items()))), s.value)
                 for f in text_string_to_metric_families(scrape().split("\n", 1)[1])
                 for s in f.samples)
    assert again[("halo_metrics_scrapes_total", ())] >= 2


def test_haloctl_against_a_running_halod(vrrp, haloctl):
    lab = vrrp.lab(("node1", "client"))
    h = vrrp.start("halo", "node1", vrrp_config(priority=150))
    sock = h.dir / "halo.sock"
    cc.wait_for_socket(sock)
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to be master")

    def ctl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(haloctl), "--socket", str(sock), *args], capture_output=True,
                              text=True, timeout=10, check=False, stdin=subprocess.DEVNULL)

    table = ctl("instances")
    assert table.returncode == 0, table.stderr
    assert re.search(r"VI_1\s+eth0\s+51\s+MASTER", table.stdout), table.stdout
    one = ctl("--json", "instance", "VI_1")
    assert one.returncode == 0 and json.loads(one.stdout)["state"] == "MASTER", one
    refused = ctl("set-priority", "VI_1", "300")
    assert refused.returncode == 1 and "out of range" in refused.stderr, refused
    assert ctl("set-priority", "VI_1", "120").returncode == 0
    assert json.loads(ctl("--json", "instance", "VI_1").stdout)["effective_priority"] == 120
    events = ctl("--json", "events")
    assert events.returncode == 0
    kinds = [json.loads(line)["type"] for line in events.stdout.splitlines()]
    assert "state" in kinds and "priority" in kinds, kinds
    missing = subprocess.run([str(haloctl), "--socket", str(h.dir / "nope.sock"), "info"],
                             capture_output=True, text=True, timeout=10, check=False)
    assert missing.returncode == 3 and "nope.sock" in missing.stderr, missing
