"""Malformed and hostile VRRP packets sent at a running halod master from a test host.

Every packet below would make the master step down if it were accepted (priority 200 against
the master's 150, or a priority-0 "I am leaving" for a backup). Each must be dropped and
counted by reason in the data dump (SIGUSR1 -> keepalived.data), the master must keep the
VIP, and the daemon must keep running.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import time

import pytest

from vrrp_lab import VIP4, deadline, dump_value, halo_data_dump, steady

ADVERT = 0.1
GROUP = "224.0.0.18"
CLIENT = "192.0.2.10"

CONFIG = """
global_defs {
    router_id hostile
}
vrrp_instance V3 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    version 3
    priority 150
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24 dev eth0
    }
}
vrrp_instance V2 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    version 2
    priority 150
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass secret
    }
    virtual_ipaddress {
        192.0.2.101/24 dev eth0
    }
}
"""


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def vrrp_message(version: int, vrid: int, priority: int, vips: list[str], interval: int,
                 password: bytes = b"", src: str = CLIENT, dst: str = GROUP,
                 corrupt_checksum: bool = False) -> bytes:
    """A VRRP advertisement (RFC 3768 §5.1 / RFC 5798 §5.2), built independently of halo."""
    addresses = b"".join(socket.inet_aton(a) for a in vips)
    if version == 3:
        head = struct.pack("!BBBBH", (3 << 4) | 1, vrid, priority, len(vips), interval & 0x0FFF)
        body = head + b"\0\0" + addresses
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 112,
                                                                              len(body))
        cks = checksum(pseudo + body)
    else:
        auth_type = 1 if password else 0
        head = struct.pack("!BBBBBB", (2 << 4) | 1, vrid, priority, len(vips), auth_type,
                           interval)
        body = head + b"\0\0" + addresses + password.ljust(8, b"\0")[:8]
        cks = checksum(body)
    if corrupt_checksum:
        cks ^= 0x5A5A
    return body[:6] + struct.pack("!H", cks) + body[8:]


def ip_datagram(payload: bytes, ttl: int = 255, src: str = CLIENT, dst: str = GROUP) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(payload), 0, 0, ttl, 112, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    return header + payload


def send_from_client(lab, datagrams: list[bytes]) -> None:
    """Sends whole IPv4 datagrams (our own headers: TTL and all) out of the client's eth0."""
    code = (
        "import socket,sys\n"
        "s=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_RAW)\n"
        "s.setsockopt(socket.SOL_SOCKET,socket.SO_BINDTODEVICE,b'eth0')\n"
        "data=sys.stdin.buffer.read()\n"
        "i=0\n"
        "while i<len(data):\n"
        "  n=int.from_bytes(data[i:i+2],'big'); s.sendto(data[i+2:i+2+n],('224.0.0.18',0)); i+=2+n\n"
    )
    framed = b"".join(struct.pack("!H", len(d)) + d for d in datagrams)
    p = subprocess.run(lab.exec_argv("client", ["python3", "-c", code]), input=framed,
                       capture_output=True, timeout=10, check=False)
    assert p.returncode == 0, p.stderr.decode(errors="replace")


@pytest.mark.halo_vrrp
def test_hostile_packets_are_dropped_counted_and_change_nothing(vrrp):
    lab = vrrp.lab(("node1", "client"))
    halod = vrrp.start("halo", "node1", CONFIG)
    vrrp.wait(lambda: lab.holders(VIP4) == ["node1"], deadline(ADVERT), "node1 to hold the VIP")
    vrrp.wait(lambda: lab.holders("192.0.2.101") == ["node1"], deadline(1.0),
              "node1 to hold the v2 instance's VIP")

    good_v3 = vrrp_message(3, 51, 200, [VIP4], 10)
    hostile = {
        "bad_ttl": ip_datagram(good_v3, ttl=64),
        "bad_checksum": ip_datagram(vrrp_message(3, 51, 200, [VIP4], 10,
                                                 corrupt_checksum=True)),
        "too_short": ip_datagram(good_v3[:5]),
        "bad_version": ip_datagram(vrrp_message(2, 51, 200, [VIP4], 1)),
        "unknown_vrid": ip_datagram(vrrp_message(3, 52, 200, [VIP4], 10)),
        "auth_failure": ip_datagram(vrrp_message(2, 61, 200, ["192.0.2.101"], 1,
                                                 password=b"wrong")),
        "auth_type_mismatch": ip_datagram(vrrp_message(2, 61, 200, ["192.0.2.101"], 1)),
        "bad_address_count": ip_datagram(good_v3[:-4]),
        "bad_type": ip_datagram(bytes([0x32]) + good_v3[1:]),
    }
    rounds = 3
    for _ in range(rounds):
        send_from_client(lab, list(hostile.values()))
        time.sleep(0.05)  # let the daemon read them; the assertions below poll anyway

    def counts():
        text = halo_data_dump(vrrp, halod)
        return {
            "bad_ttl": dump_value(text, "Rejected bad_ttl", "V3"),
            "bad_version": dump_value(text, "Rejected bad_version", "V3"),
            "auth_failure": dump_value(text, "Rejected auth_failure", "V2"),
            "auth_type_mismatch": dump_value(text, "Rejected auth_type_mismatch", "V2"),
            "bad_checksum": dump_value(text, "bad_checksum"),
            "too_short": dump_value(text, "too_short"),
            "bad_address_count": dump_value(text, "bad_address_count"),
            "bad_type": dump_value(text, "bad_type"),
            "unknown_vrid": dump_value(text, "Unknown VRID"),
        }

    vrrp.wait(lambda: all(v >= rounds for v in counts().values()), 5,
              f"every hostile packet to be counted by reason (got {counts()})")
    vrrp.stays(lambda: lab.holders(VIP4) == ["node1"] and halod.alive(), steady(ADVERT),
               "node1 holding the VIP with halod running")
    text = halo_data_dump(vrrp, halod)
    assert dump_value(text, "Became master", "V3") == 1, text
    assert dump_value(text, "Adverts received", "V3") == 0, text
