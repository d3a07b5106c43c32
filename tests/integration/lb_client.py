"""Connects to a virtual server COUNT times from a lab namespace (`ip netns exec NS python3
lb_client.py ADDRESS PORT COUNT`) and prints, as JSON, how many answers each real server gave
(the body of `lb_servers.py http` names its server) and how many connections failed, by
reason."""

from __future__ import annotations

import collections
import json
import socket
import sys


def main() -> None:
    address, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    answers: collections.Counter[str] = collections.Counter()
    failures: collections.Counter[str] = collections.Counter()
    for _ in range(count):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                s.connect((address, port))
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                data = b""
                while chunk := s.recv(4096):
                    data += chunk
            body = data.split(b"\r\n\r\n", 1)[1].decode() if b"\r\n\r\n" in data else ""
            answers[body or "(empty)"] += 1
        except OSError as e:
            failures[type(e).__name__] += 1
    print(json.dumps({"answers": answers, "failures": failures}))


if __name__ == "__main__":
    main()
