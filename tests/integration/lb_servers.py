"""Real servers for the load-balancer tests: one small server per process, run inside a lab
namespace (`ip netns exec NS python3 lb_servers.py MODE ADDRESS PORT [OPTION]`).

Modes:
  http      answers every GET with 200 and a body naming the server (OPTION: the name)
  status    answers every GET with the status code in OPTION
  tls       `http` over TLS; OPTION is a directory holding cert.pem and key.pem
  hang      accepts and never answers
  garbage   accepts and answers bytes that are no protocol's
  reset     accepts and resets the connection at once
  smtp      a greeter: 220, then 250 to HELO, 221 to QUIT
  mail-sink a mail server that takes every message and appends it, as one JSON line
            ({"from", "to", "data": [lines]}), to the file named by the option
  dns       answers every query with one A record for the asked name (UDP)
  udp-echo  sends every datagram back (UDP)

Each prints "ready" on stdout once it listens, so a test waits for that line instead of
sleeping. Nothing here ever talks to an address outside the lab.
"""

from __future__ import annotations

import json
import socket
import socketserver
import ssl
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def family_of(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def ready() -> None:
    print("ready", flush=True)


def http_server(address: str, port: int, body: bytes, status: int = 200,
                tls_dir: str | None = None) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        address_family = family_of(address)
        daemon_threads = True
        request_queue_size = 256

    server = Server((address, port), Handler)
    if tls_dir is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(f"{tls_dir}/cert.pem", f"{tls_dir}/key.pem")
        server.socket = context.wrap_socket(server.socket, server_side=True)
    ready()
    server.serve_forever()


def stream_server(address: str, port: int, handle) -> None:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            handle(self.request)

    class Server(socketserver.ThreadingTCPServer):
        address_family = family_of(address)
        daemon_threads = True
        allow_reuse_address = True

    server = Server((address, port), Handler)
    ready()
    server.serve_forever()


def hang(conn: socket.socket) -> None:
    threading.Event().wait(3600)


def garbage(conn: socket.socket) -> None:
    conn.sendall(b"\x00\xff\x13garbage that is no protocol\r\n\x7f\x80")
    threading.Event().wait(3600)


def reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def smtp(conn: socket.socket) -> None:
    conn.sendall(b"220 lab ESMTP greeter\r\n")
    data = b""
    while True:
        chunk = conn.recv(1024)
        if not chunk:
            return
        data += chunk
        while b"\r\n" in data:
            line, data = data.split(b"\r\n", 1)
            verb = line.split(b" ", 1)[0].upper()
            if verb in (b"HELO", b"EHLO"):
                conn.sendall(b"250 lab\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"502 no\r\n")


def mail_sink(out_path: str):
    def handle(conn: socket.socket) -> None:
        conn.sendall(b"220 lab mail sink\r\n")
        lines = conn.makefile("rb")
        message: dict = {"from": "", "to": []}
        while True:
            line = lines.readline()
            if not line:
                return
            text = line.rstrip(b"\r\n").decode(errors="replace")
            verb = text.split(" ", 1)[0].upper()
            if verb == "HELO":
                conn.sendall(b"250 lab\r\n")
            elif text.upper().startswith("MAIL FROM:"):
                message["from"] = text[len("MAIL FROM:"):]
                conn.sendall(b"250 ok\r\n")
            elif text.upper().startswith("RCPT TO:"):
                message["to"].append(text[len("RCPT TO:"):])
                conn.sendall(b"250 ok\r\n")
            elif verb == "DATA":
                conn.sendall(b"354 go ahead\r\n")
                data = []
                while True:
                    body_line = lines.readline()
                    if not body_line or body_line.rstrip(b"\r\n") == b".":
                        break
                    data.append(body_line.rstrip(b"\r\n").decode(errors="replace"))
                message["data"] = data
                with open(out_path, "a") as out:
                    out.write(json.dumps(message) + "\n")
                message = {"from": "", "to": []}
                conn.sendall(b"250 queued\r\n")
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"502 no\r\n")

    return handle


def dns(address: str, port: int) -> None:
    sock = socket.socket(family_of(address), socket.SOCK_DGRAM)
    sock.bind((address, port))
    ready()
    while True:
        query, peer = sock.recvfrom(512)
        if len(query) < 12:
            continue
        ident, _flags, qdcount = struct.unpack("!HHH", query[:6])
        if qdcount != 1:
            continue
        end = 12
        while query[end] != 0:
            end += query[end] + 1
        question = query[12:end + 5]
        qtype = struct.unpack("!H", query[end + 1:end + 3])[0]
        header = struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0)
        # One answer of the asked type, its name a pointer to the question's.
        rdata = bytes([192, 0, 2, 53]) if qtype == 1 else b"\x00"
        answer = struct.pack("!HHHIH", 0xC00C, qtype, 1, 60, len(rdata)) + rdata
        sock.sendto(header + question + answer, peer)


def udp_echo(address: str, port: int) -> None:
    sock = socket.socket(family_of(address), socket.SOCK_DGRAM)
    sock.bind((address, port))
    ready()
    while True:
        data, peer = sock.recvfrom(65535)
        sock.sendto(data, peer)


def main() -> None:
    mode, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    option = sys.argv[4] if len(sys.argv) > 4 else ""
    if mode == "http":
        http_server(address, port, (option or "server").encode())
    elif mode == "status":
        http_server(address, port, b"status", status=int(option))
    elif mode == "tls":
        http_server(address, port, b"tls", tls_dir=option)
    elif mode == "hang":
        stream_server(address, port, hang)
    elif mode == "garbage":
        stream_server(address, port, garbage)
    elif mode == "reset":
        stream_server(address, port, reset)
    elif mode == "smtp":
        stream_server(address, port, smtp)
    elif mode == "mail-sink":
        stream_server(address, port, mail_sink(option))
    elif mode == "dns":
        dns(address, port)
    elif mode == "udp-echo":
        udp_echo(address, port)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
