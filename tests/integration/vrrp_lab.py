"""A VRRP lab: hosts in network namespaces joined by a bridge, and the daemons that run on them.

    with Lab(("node1", "node2", "client")) as lab:
        a = lab.start(Keepalived, "node1", vrrp_config(priority=150))
        b = lab.start(Keepalived, "node2", vrrp_config(priority=100))
        wait_until(lambda: lab.holders(VIP4) == ["node1"], ...)

Topology: a "switch" namespace holds the bridge `br0` (multicast snooping off, so VRRP and
neighbour-discovery multicast is flooded as on a dumb switch); every host namespace has
`eth0`, a veth whose peer is a port of that bridge, with 192.0.2.N/24 and 2001:db8::N/64
(no DAD, so the addresses are usable at once), `lo` up and no default route. Namespace
names carry the pid and a counter; __exit__ kills every daemon the lab started (by the
process group it created for it), then deletes exactly the namespaces it created.

Daemon runners share one interface (start, stop, kill, alive, log_text):
  Halod       halod -n -l -D -f CONF --runtime-dir DIR --dump-dir DIR -p DIR/halod.pid
  Keepalived  keepalived -n -l -D --vrrp -f CONF -p DIR/k.pid -r DIR/v.pid -c DIR/c.pid
each inside its host's namespace (`ip netns exec`), with DIR a directory of the node's own.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

import pytest

import helpers

# The number N of each host: its addresses are 192.0.2.N and 2001:db8::N.
HOST_NUMBERS = {"node1": 1, "node2": 2, "node3": 3, "client": 10}
VIP4 = "192.0.2.100"
VIP6 = "2001:db8::100"

_lab_counter = itertools.count(1)


def _ip(*args: str, check: bool = True) -> str:
    p = subprocess.run(["ip", *args], capture_output=True, text=True, check=False,
                       stdin=subprocess.DEVNULL, timeout=10)
    if check and p.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {p.stderr.strip()}")
    return p.stdout


def _ns_run(ns: str, argv: Sequence[str], timeout: float = 10,
            check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run(["ip", "netns", "exec", ns, *argv], capture_output=True, text=True,
                       check=False, stdin=subprocess.DEVNULL, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} in {ns} failed: {p.stderr.strip()}")
    return p


def unavailable_reason() -> Optional[str]:
    """Why this machine cannot run the lab, or None if it can."""
    reason = helpers.namespaces_unavailable_reason()
    if reason:
        return reason
    for tool in ("sysctl", "nft", "ping"):
        if shutil.which(tool) is None:
            package = {"sysctl": "procps", "nft": "nftables", "ping": "iputils-ping"}[tool]
            return f"the VRRP lab needs '{tool}' (apt-get install {package})"
    return None


class Lab:
    """Host namespaces on one bridge; see the module comment."""

    def __init__(self, hosts: Sequence[str] = ("node1", "node2", "client")) -> None:
        unknown = [h for h in hosts if h not in HOST_NUMBERS]
        if unknown:
            raise ValueError(f"unknown hosts {unknown}; known: {sorted(HOST_NUMBERS)}")
        self.hosts = tuple(hosts)
        self.prefix = f"halo-v-{os.getpid()}-{next(_lab_counter)}"
        self.switch = f"{self.prefix}-sw"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{self.prefix}-"))
        self.daemons: list[Daemon] = []
        self._created: list[str] = []  # namespaces, in creation order

    # ---- life --------------------------------------------------------------------------

    def __enter__(self) -> "Lab":
        try:
            self._build()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for d in self.daemons:
            d.kill()
        for ns in reversed(self._created):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        self._created.clear()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _add_ns(self, name: str) -> None:
        _ip("netns", "add", name)
        self._created.append(name)
        # Before any interface exists, so every later one inherits it: no DAD (addresses
        # usable at once, link-local ones included), no router solicitations.
        _ns_run(name, ["sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0",
                       "net.ipv6.conf.all.accept_dad=0",
                       "net.ipv6.conf.default.router_solicitations=0",
                       # `ip link set eth0 down` must not drop 2001:db8::N for good.
                       "net.ipv6.conf.default.keep_addr_on_down=1"])
        _ip("-n", name, "link", "set", "lo", "up")

    def _build(self) -> None:
        self._add_ns(self.switch)
        _ip("-n", self.switch, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
        _ip("-n", self.switch, "link", "set", "br0", "up")
        for host in self.hosts:
            ns = self.ns(host)
            self._add_ns(ns)
            port = f"p-{host}"
            _ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port,
                "netns", self.switch)
            _ip("-n", self.switch, "link", "set", port, "master", "br0")
            _ip("-n", self.switch, "link", "set", port, "up")
            n = HOST_NUMBERS[host]
            _ip("-n", ns, "addr", "add", f"192.0.2.{n}/24", "dev", "eth0")
            _ip("-n", ns, "addr", "add", f"2001:db8::{n}/64", "dev", "eth0", "nodad")
            _ip("-n", ns, "link", "set", "eth0", "up")
        for host in self.hosts:
            helpers.wait_until(lambda h=host: self._link_local(h), timeout=5,
                               what=f"a link-local address on {host}'s eth0")

    # ---- names and addresses -------------------------------------------------------------

    def ns(self, host: str) -> str:
        return f"{self.prefix}-{host}"

    @staticmethod
    def own_addresses(host: str) -> set[str]:
        n = HOST_NUMBERS[host]
        return {f"192.0.2.{n}", f"2001:db8::{n}"}

    def exec_argv(self, host: str, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.ns(host), *argv]

    def node_dir(self, host: str) -> Path:
        d = self.tmp / host
        d.mkdir(exist_ok=True)
        return d

    # ---- daemons ---------------------------------------------------------------------------

    def start(self, runner: type, host: str, config_text: str, **kwargs) -> "Daemon":
        """Creates a runner of type `runner` on `host` and starts it."""
        d = runner(self, host, config_text, **kwargs)
        d.start()
        return d

    # ---- queries ---------------------------------------------------------------------------

    def _addr_json(self, host: str) -> list[dict]:
        return json.loads(_ip("-n", self.ns(host), "-j", "addr", "show", "dev", "eth0") or "[]")

    def _link_local(self, host: str) -> Optional[str]:
        for link in self._addr_json(host):
            for a in link.get("addr_info", []):
                if a.get("family") == "inet6" and a.get("scope") == "link":
                    return a["local"]
        return None

    def vips(self, host: str) -> set[str]:
        """Addresses on `host`'s eth0 (and on its VMACs, macvlans on eth0) other than its own
        and link-local ones."""
        out = set()
        links = self._addr_json(host)
        all_links = json.loads(_ip("-n", self.ns(host), "-j", "-d", "addr", "show") or "[]")
        links += [link for link in all_links
                  if link.get("linkinfo", {}).get("info_kind") == "macvlan"]
        for link in links:
            for a in link.get("addr_info", []):
                if a.get("scope") == "link" and a.get("family") == "inet6":
                    continue
                if a["local"] not in self.own_addresses(host):
                    out.add(a["local"])
        return out

    def holders(self, vip: str) -> list[str]:
        """The hosts whose eth0 or VMAC holds `vip`, in lab order."""
        return [h for h in self.hosts if vip in self.vips(h)]

    def mac(self, host: str) -> str:
        links = json.loads(_ip("-n", self.ns(host), "-j", "link", "show", "dev", "eth0"))
        return links[0]["address"].lower()

    def client_neigh_mac(self, vip: str, client: str = "client") -> Optional[str]:
        """The MAC the client's neighbour table has for `vip`, after one ping to it."""
        ping = ["ping", "-6" if ":" in vip else "-4", "-n", "-q", "-c1", "-W1", vip]
        _ns_run(self.ns(client), ping, timeout=5, check=False)
        entries = json.loads(_ip("-n", self.ns(client), "-j", "neigh", "show", "to", vip,
                                 "dev", "eth0") or "[]")
        for e in entries:
            if e.get("lladdr") and "FAILED" not in e.get("state", []):
                return e["lladdr"].lower()
        return None

    def snapshot(self, host: str) -> dict[str, object]:
        """`ip addr`, `ip route`, `ip rule` and `ip link` of `host`, without what changes
        by itself (counters, address lifetimes of the kernel's own, neighbour state)."""
        ns = self.ns(host)

        def j(*args: str) -> object:
            return json.loads(_ip("-n", ns, "-j", *args) or "[]")

        links = j("link", "show")
        for link in links:
            for volatile in ("operstate", "linkmode", "group", "txqlen"):
                link.pop(volatile, None)
        addrs = j("addr", "show")
        for link in addrs:
            for volatile in ("operstate", "linkmode", "group", "txqlen"):
                link.pop(volatile, None)
        return {
            "link": links,
            "addr": addrs,
            "route4": j("-4", "route", "show", "table", "all"),
            "route6": j("-6", "route", "show", "table", "all"),
            "rule4": j("-4", "rule", "show"),
            "rule6": j("-6", "rule", "show"),
        }

    def settled_snapshot(self, host: str, timeout: float = 2.0) -> dict[str, object]:
        """snapshot(), once no link that is up is still waiting for its carrier: a veth pair
        made just before gets it a moment after both ends are up, and a baseline taken in
        that moment would differ from every later state. A link that stays without carrier
        (its peer is down) is taken as it is once `timeout` has passed."""
        def settled() -> Optional[dict[str, object]]:
            snap = self.snapshot(host)
            waiting = [link for link in snap["link"]
                       if "UP" in link.get("flags", []) and "NO-CARRIER" in link.get("flags", [])]
            return None if waiting else snap
        try:
            return helpers.wait_until(settled, timeout, interval=0.02)
        except AssertionError:
            return self.snapshot(host)

    # ---- faults ----------------------------------------------------------------------------

    def partition(self, host: str) -> None:
        """Drops every VRRP packet (IP protocol 112, IPv4 and IPv6) into and out of `host`."""
        rules = ("table inet halo_partition {\n"
                 "  chain in { type filter hook input priority -300; policy accept;\n"
                 "    meta l4proto vrrp drop\n  }\n"
                 "  chain out { type filter hook output priority -300; policy accept;\n"
                 "    meta l4proto vrrp drop\n  }\n"
                 "}\n")
        p = subprocess.run(self.exec_argv(host, ["nft", "-f", "-"]), input=rules, text=True,
                           capture_output=True, check=False, timeout=10)
        if p.returncode != 0:
            raise RuntimeError(f"nft in {host} failed: {p.stderr.strip()}")

    def heal(self, host: str) -> None:
        _ns_run(self.ns(host), ["nft", "delete", "table", "inet", "halo_partition"])

    def link(self, host: str, up: bool) -> None:
        _ip("-n", self.ns(host), "link", "set", "eth0", "up" if up else "down")


class Daemon:
    """A VRRP daemon on one lab host, in a process group of its own, logging to a file."""

    name = "daemon"

    def __init__(self, lab: Lab, host: str, config_text: str) -> None:
        self.lab = lab
        self.host = host
        self.dir = lab.node_dir(host)
        self.config = self.dir / f"{self.name}.conf"
        self.config.write_text(config_text)
        self.log = self.dir / f"{self.name}.log"
        self.proc: Optional[subprocess.Popen] = None
        self.stopped_by: Optional[str] = None  # "SIGTERM", "SIGKILL" once it ended
        # Started in the root network namespace (its config names the host's namespace in
        # `net_namespace`): process tracking needs the kernel's process-events connector,
        # which only works in the initial namespace.
        self.root_ns = False
        lab.daemons.append(self)

    def argv(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> "Daemon":
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.stopped_by = None
        self._terminated = False
        with open(self.log, "ab") as log:
            # `ip netns exec` execs the daemon: this pid is the daemon's own, and its
            # process group (new session) holds every child it forks.
            argv = self.argv() if self.root_ns else self.lab.exec_argv(self.host, self.argv())
            self.proc = subprocess.Popen(argv,
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _killpg(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)  # the group created for it at start
        except ProcessLookupError:
            pass

    def terminate(self) -> None:
        """SIGTERM without waiting (stop() then waits): lets several daemons stop at once."""
        if self.alive() and not self._terminated:
            self.proc.send_signal(signal.SIGTERM)
            self._terminated = True

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM and wait for the exit; returns the exit code. SIGKILL after `timeout`."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError(f"{self.name} on {self.host} did not stop within "
                                     f"{timeout:g}s of SIGTERM:\n{self.log_text()[-3000:]}")
        helpers.wait_until(lambda: not self._group_alive(), timeout=timeout,
                           what=f"{self.name}'s children on {self.host} to exit")
        self.stopped_by = self.stopped_by or "SIGTERM"
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL to the daemon and every process of its group at once: a crash."""
        if self.proc is None:
            return
        if self.proc.poll() is None and self._group_alive():
            self.stopped_by = "SIGKILL"
        self._killpg(signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        helpers.wait_until(lambda: not self._group_alive(), timeout=10,
                           what=f"{self.name}'s process group on {self.host} to die")

    def _group_alive(self) -> bool:
        if self.proc is None:
            return False
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # A zombie member still counts for killpg; the leader is reaped by Popen.
        return any(_pgid(pid) == self.proc.pid for pid in _pids() if not _zombie(pid))

    def signal(self, sig: int) -> None:
        assert self.alive(), f"{self.name} on {self.host} is not running"
        self.proc.send_signal(sig)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def __repr__(self) -> str:
        return f"{self.name}@{self.host}"


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _stat_fields(pid: int) -> Optional[list[str]]:
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:  # exited while we looked: normal
        return None
    return stat[stat.rfind(")") + 2:].split()


def _pgid(pid: int) -> Optional[int]:
    fields = _stat_fields(pid)
    return int(fields[2]) if fields else None


def _zombie(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is None or fields[0] == "Z"


class Keepalived(Daemon):
    name = "keepalived"

    def __init__(self, lab: Lab, host: str, config_text: str,
                 binary: str = "keepalived") -> None:
        self.binary = binary
        super().__init__(lab, host, config_text)

    def argv(self) -> list[str]:
        d = self.dir
        # -G: no syslog (the console log is the test's record, the host's journal stays
        # quiet). Every file keepalived writes by default is named here (pid files) or only
        # written on request (/tmp/keepalived.{data,stats,json} on SIGUSR1/SIGUSR2).
        return [self.binary, "-n", "-l", "-D", "-G", "--vrrp", "-f", str(self.config),
                "-p", str(d / "k.pid"), "-r", str(d / "v.pid"), "-c", str(d / "c.pid")]


class Halod(Daemon):
    name = "halod"

    def __init__(self, lab: Lab, host: str, config_text: str, binary: str = "halod") -> None:
        self.binary = binary
        super().__init__(lab, host, config_text)

    def argv(self) -> list[str]:
        d = self.dir
        return [str(self.binary), "-n", "-l", "-D", "-f", str(self.config),
                "--runtime-dir", str(d), "--dump-dir", str(d), "-p", str(d / "halod.pid")]


def vrrp_config(*, priority: int, state: str = "BACKUP", version: int = 3,
                advert_int: float = 0.1, vrid: int = 51, family: int = 4,
                vips: Optional[Sequence[str]] = None, unicast_src: Optional[str] = None,
                unicast_peers: Sequence[str] = (), nopreempt: bool = False,
                preempt_delay: Optional[float] = None, interface: str = "eth0",
                instance: str = "VI_1", router_id: str = "lab") -> str:
    """keepalived.conf text for one VRRP instance on `interface`.

    `vips` defaults to VIP4/24 for family 4 and VIP6/64 for family 6.
    """
    if vips is None:
        vips = [f"{VIP4}/24"] if family == 4 else [f"{VIP6}/64"]
    lines = [
        "global_defs {",
        f"    router_id {router_id}",
        f"    vrrp_version {version}",
        "}",
        f"vrrp_instance {instance} {{",
        f"    state {state}",
        f"    interface {interface}",
        f"    virtual_router_id {vrid}",
        f"    priority {priority}",
        f"    advert_int {advert_int:g}",
    ]
    if nopreempt:
        lines.append("    nopreempt")
    if preempt_delay is not None:
        lines.append(f"    preempt_delay {preempt_delay:g}")
    if unicast_src:
        lines.append(f"    unicast_src_ip {unicast_src}")
    if unicast_peers:
        lines.append("    unicast_peer {")
        lines += [f"        {p}" for p in unicast_peers]
        lines.append("    }")
    lines.append("    virtual_ipaddress {")
    lines += [f"        {v} dev {interface}" for v in vips]
    lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---- halod's data dump ----------------------------------------------------------------------


def halo_data_dump(session, daemon: "Halod") -> str:
    """SIGUSR1, then the new keepalived.data from the node's --dump-dir. Each dump is a new
    file renamed into place, so a new inode tells it apart even within one clock tick."""
    path = daemon.dir / "keepalived.data"
    before = path.stat().st_ino if path.exists() else None
    daemon.signal(signal.SIGUSR1)
    session.wait(lambda: path.exists() and path.stat().st_ino != before, 5,
                 "the data dump after SIGUSR1")
    return path.read_text()


def dump_value(text: str, name: str, instance: Optional[str] = None) -> int:
    """A numeric `name = N` line of a data dump (in `instance`'s block if given); 0 if absent."""
    if instance is not None:
        start = text.index(f"VRRP Instance = {instance}\n")
        end = text.find("VRRP Instance =", start + 1)
        text = text[start:end if end >= 0 else None]
    m = re.search(rf"^\s*{re.escape(name)} = (\d+)$", text, re.M)
    return int(m.group(1)) if m else 0


# ---- timing ------------------------------------------------------------------------------


def master_down(advert_int: float) -> float:
    """RFC 5798 §6.1: Master_Down_Interval, with the largest skew (priority 1)."""
    return 3 * advert_int + advert_int


def deadline(advert_int: float) -> float:
    """How long a test waits for an election or a failover: twice the protocol's bound plus
    two seconds for daemon start-up and a loaded 2-core machine."""
    return 2 * master_down(advert_int) + 2.0


def steady(advert_int: float) -> float:
    """How long a state must hold to count as stable: many advert intervals."""
    return max(1.0, 8 * advert_int)


def stays(pred: Callable[[], object], duration: float, what: str,
          interval: float = 0.05) -> None:
    """Asserts pred() holds at every poll for `duration` seconds (no flapping)."""
    end = time.monotonic() + duration
    while True:
        if not pred():
            raise AssertionError(f"{what} stopped holding before {duration:g}s had passed")
        if time.monotonic() >= end:
            return
        time.sleep(min(interval, max(0.0, end - time.monotonic())))


# ---- parametrization ---------------------------------------------------------------------

IMPLS = ("keepalived", "halo")


def impl_params(nodes: int) -> list:
    """Every assignment of an implementation to each of `nodes` nodes, as pytest params;
    those with a halo node carry the halo_vrrp marker."""
    return [impl_param(combo) for combo in itertools.product(IMPLS, repeat=nodes)]


def impl_param(combo: Sequence[str]):
    marks = [pytest.mark.halo_vrrp] if "halo" in combo else []
    return pytest.param(tuple(combo), id="-".join(combo), marks=marks)


# ---- a test's session ----------------------------------------------------------------------


class LabSession:
    """One test's lab and daemons; the `vrrp` fixture of conftest.py.

    `binary(impl)` gives the program for "keepalived" or "halo".
    """

    RUNNERS = {"keepalived": Keepalived, "halo": Halod}

    def __init__(self, binary: Callable[[str], str]) -> None:
        self._binary = binary
        self._lab: Optional[Lab] = None
        self._before: dict[str, dict] = {}

    def lab(self, hosts: Sequence[str] = ("node1", "node2", "client")) -> Lab:
        assert self._lab is None, "one lab per test"
        try:
            self._lab = Lab(hosts).__enter__()
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            helpers.skip_or_fail(f"cannot build the VRRP lab: {e}")
        return self._lab

    def start(self, impl: str, host: str, config_text: str, root_ns: bool = False) -> Daemon:
        """`root_ns`: run the daemon in the root network namespace with `net_namespace` (the
        host's namespace) put first in its config, as process tracking needs."""
        lab = self._lab
        assert lab is not None, "call lab() first"
        if host not in self._before:
            self._before[host] = lab.settled_snapshot(host)
        runner = self.RUNNERS[impl]
        if not root_ns:
            return lab.start(runner, host, config_text, binary=self._binary(impl))
        d = runner(lab, host, f"net_namespace {lab.ns(host)}\n" + config_text,
                   binary=self._binary(impl))
        d.root_ns = True
        return d.start()

    def forget_baseline(self, host: str) -> None:
        """For a test that replaces the host's interfaces itself: teardown no longer compares
        the host with its state before the daemon (the test checks what matters instead)."""
        self._before.pop(host, None)

    def wait(self, pred: Callable[[], object], timeout: float, what: str) -> object:
        """wait_until, with the lab's VIP holders and the daemons' logs in the failure."""
        try:
            return helpers.wait_until(pred, timeout, what=what)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.describe()}") from None

    def stays(self, pred: Callable[[], object], duration: float, what: str) -> None:
        try:
            stays(pred, duration, what)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.describe()}") from None

    def describe(self, tail: int = 1500) -> str:
        lab = self._lab
        if lab is None:
            return ""
        parts = []
        for host in lab.hosts:
            try:
                parts.append(f"{host}: vips {sorted(lab.vips(host))}")
            except (RuntimeError, ValueError):
                pass
        for d in lab.daemons:
            state = "running" if d.alive() else f"ended ({d.stopped_by or 'by itself'})"
            parts.append(f"--- {d!r}, {state}, log tail:\n{d.log_text()[-tail:]}")
        return "\n".join(parts)

    def close(self) -> None:
        lab, self._lab = self._lab, None
        if lab is None:
            return
        try:
            running = [d for d in lab.daemons if d.alive()]
            for d in running:  # keepalived takes a second to exit: stop them together
                d.terminate()
            for d in running:
                d.stop()
            self._check_restored(lab)
        finally:
            lab.__exit__(None, None, None)

    def _check_restored(self, lab: Lab) -> None:
        """Hosts whose daemons all stopped on SIGTERM are as they were before the first."""
        for host, before in self._before.items():
            daemons = [d for d in lab.daemons if d.host == host]
            if any(d.stopped_by == "SIGKILL" for d in daemons):
                continue  # a crash: keepalived leaves its VIPs (halo's lifetimes: own test)
            try:
                helpers.wait_until(lambda h=host, b=before: same_state(lab.snapshot(h), b),
                                   timeout=3,
                                   what=f"{host}'s addresses, routes, rules and links to be "
                                        "as before its daemon started")
            except AssertionError as e:
                diff = describe_difference(before, lab.snapshot(host))
                raise AssertionError(f"{e}:\n{diff}\n{self.describe()}") from None


def _entries(snapshot: dict, key: str) -> set[str]:
    return {json.dumps(e, sort_keys=True) for e in snapshot.get(key, [])}


def same_state(a: dict, b: dict) -> bool:
    """Equal snapshots, whatever the order of their entries (a link that went down and up
    lists its re-added link-local address last)."""
    return a.keys() == b.keys() and all(_entries(a, k) == _entries(b, k) for k in a)


def describe_difference(before: dict, after: dict) -> str:
    """What a snapshot gained and lost, entry by entry (an address shows as its link)."""
    lines = []
    for key in before:
        b = {json.dumps(e, sort_keys=True) for e in before[key]}
        a = {json.dumps(e, sort_keys=True) for e in after.get(key, [])}
        lines += [f"{key} lost:   {e}" for e in sorted(b - a)]
        lines += [f"{key} gained: {e}" for e in sorted(a - b)]
    return "\n".join(lines)
