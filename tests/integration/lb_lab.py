"""A load-balancer lab: halod on `node1` in front of real servers on `node2` and `node3`, and a
client, all on the VRRP lab's bridge (vrrp_lab.Lab, 192.0.2.0/24).

    node1   192.0.2.1    halod; the virtual address 192.0.2.100 is on its eth0
    node2   192.0.2.2    real servers (lb_servers.py)
    node3   192.0.2.3    real servers
    client  192.0.2.10   connects to 192.0.2.100 (lb_client.py)

The nftables back end DNATs in node1; the real servers send their answers to the client back
through node1 (a host route), where conntrack undoes the DNAT: LVS-NAT's topology on one
link. Every process the lab starts is stopped by pid; the namespaces go with the lab.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Optional

import control_client
import helpers
import vrrp_lab

HERE = Path(__file__).resolve().parent
VIP = "192.0.2.100"
LB, RS1, RS2, CLIENT = "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.10"


class LbLab:
    def __init__(self, halod: Path, haloctl: Path) -> None:
        self.halod_binary = halod
        self.haloctl_binary = haloctl
        self.lab = vrrp_lab.Lab(("node1", "node2", "node3", "client")).__enter__()
        self.servers: list[subprocess.Popen] = []
        self.daemon: Optional[vrrp_lab.Halod] = None
        try:
            self._route()
        except BaseException:
            self.close()
            raise

    def _route(self) -> None:
        self.sh("node1", "ip addr add 192.0.2.100/32 dev eth0")
        self.sh("node1", "sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 "
                         "net.ipv4.conf.eth0.send_redirects=0")
        for host in ("node2", "node3"):
            self.sh(host, f"ip route add {CLIENT}/32 via {LB}")

    # ---- processes -----------------------------------------------------------------------

    def sh(self, host: str, command: str, timeout: float = 10) -> str:
        p = subprocess.run(self.lab.exec_argv(host, ["sh", "-c", command]), capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise RuntimeError(f"{host}: {command}: {p.stderr.strip()}")
        return p.stdout

    def server(self, host: str, mode: str, address: str, port: int,
               option: str = "") -> subprocess.Popen:
        """Starts lb_servers.py MODE in `host` and waits until it listens."""
        argv = [sys.executable, str(HERE / "lb_servers.py"), mode, address, str(port)]
        if option:
            argv.append(option)
        p = subprocess.Popen(self.lab.exec_argv(host, argv), stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                             start_new_session=True, text=True)
        self.servers.append(p)
        line = p.stdout.readline() if p.stdout else ""
        if line.strip() != "ready":
            self.stop_server(p)
            raise RuntimeError(f"{mode} server on {host} {address}:{port} did not start")
        return p

    @staticmethod
    def stop_server(p: subprocess.Popen) -> None:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
        if p.stdout:
            p.stdout.close()

    def start_halod(self, config: str) -> vrrp_lab.Halod:
        self.daemon = self.lab.start(vrrp_lab.Halod, "node1", config,
                                     binary=str(self.halod_binary))
        try:
            control_client.wait_for_socket(self.socket, timeout=10)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.describe()}") from None
        return self.daemon

    @property
    def socket(self) -> Path:
        return self.lab.node_dir("node1") / "halo.sock"

    @property
    def dir(self) -> Path:
        return self.lab.node_dir("node1")

    # ---- what halod says -----------------------------------------------------------------

    def command(self, line: str) -> str:
        return control_client.command(self.socket, line)

    def json(self, line: str):
        return control_client.json_command(self.socket, line)

    def haloctl(self, *args: str, timeout: float = 10) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.haloctl_binary), "--socket", str(self.socket), *args],
                              capture_output=True, text=True, timeout=timeout)

    def real_servers(self) -> dict[str, dict]:
        """`show servers`: every real server by its address:port."""
        out = {}
        for vs in self.json("show servers")["virtual_servers"]:
            for rs in vs["real_servers"]:
                out[f"{rs['address']}:{rs['port']}"] = rs
        return out

    def virtual_server(self, index: int = 0) -> dict:
        return self.json("show servers")["virtual_servers"][index]

    def checks(self) -> dict[str, dict]:
        """`show checks`: every check by its id."""
        return {c["id"]: c for c in self.json("show checks")["checks"]}

    def events(self, type_: str) -> list[dict]:
        lines = self.command("show events").splitlines()
        events = [json.loads(line) for line in lines if line.strip()]
        return [e for e in events if e.get("type") == type_]

    def connect(self, count: int, port: int = 80) -> dict:
        """`count` connections from the client to VIP:port: answers by server, failures."""
        p = subprocess.run(self.lab.exec_argv("client", [sys.executable,
                                                         str(HERE / "lb_client.py"), VIP,
                                                         str(port), str(count)]),
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)

    def ruleset(self) -> str:
        return self.sh("node1", "nft list ruleset")

    def wait(self, pred, timeout: float, what: str):
        try:
            return helpers.wait_until(pred, timeout, what=what)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.describe()}") from None

    def describe(self) -> str:
        if self.daemon is None:
            return ""
        state = "running" if self.daemon.alive() else "ended"
        return f"--- halod ({state}), log tail:\n{self.daemon.log_text()[-3000:]}"

    def close(self) -> None:
        for p in self.servers:
            try:
                self.stop_server(p)
            except (OSError, subprocess.SubprocessError):
                pass
        self.servers.clear()
        if self.daemon is not None and self.daemon.alive():
            self.daemon.terminate()
            self.daemon.stop()
        self.lab.__exit__(None, None, None)
