#!/usr/bin/env python3
"""Benchmark of a HAProxy-style command socket (halod's control socket, HAProxy's master CLI).

Drives any UNIX stream socket that speaks HAProxy's CLI protocol: a command line in, a reply
ending with an empty line out; without `prompt` the server closes after one reply, with it
every reply is followed by the server's prompt ("> ", "master> ").

  1. throughput: COMMAND in prompt mode, one command at a time, over one connection and over
     CONCURRENCY connections at once (one event loop, so the client costs the same for
     every server);
  2. leaked connections: IDLE clients connect and send nothing (and never read), then FRESH
     new clients each send COMMAND once (without prompt), one after the other; for each, the
     time from connect() to the end of its reply (its empty line). A client counts as answered when it gets a
     reply ending with the empty line before TIMEOUT (a "busy" line or an error does not).

Standard library only. Prints a report, or one JSON object with --json.
"""

import argparse
import json
import os
import resource
import selectors
import socket
import statistics
import sys
import time


def connect(path, timeout):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(path)
    return sock


def read_until(sock, ends, deadline):
    """Reads until the data ends with `ends` (None: until EOF). Returns (data, complete)."""
    data = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, False
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data, False
        except OSError:
            return data, ends is None
        if not chunk:
            return data, ends is None
        data += chunk
        if ends is not None and data.endswith(ends):
            return data, True


def enter_prompt(sock, timeout):
    """Sends `prompt` and learns the server's prompt from what comes back."""
    sock.sendall(b"prompt\n")
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"> "):
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("the server closed the connection after `prompt`")
        data += chunk
    return data.split(b"\n")[-1]


def throughput(path, command, connections, duration, timeout):
    """Commands per second with `connections` prompt-mode connections, one command in flight
    on each."""
    line = command.encode() + b"\n"
    selector = selectors.DefaultSelector()
    socks = []
    refused = {}
    for _ in range(connections):
        try:
            sock = connect(path, timeout)
        except OSError as error:
            text = os.strerror(error.errno) if error.errno else str(error)
            refused[text] = refused.get(text, 0) + 1
            continue
        try:
            prompt = enter_prompt(sock, timeout)
        except (OSError, RuntimeError) as error:
            text = f"no prompt: {error}"
            refused[text] = refused.get(text, 0) + 1
            sock.close()
            continue
        sock.setblocking(False)
        state = {"buf": b"", "end": b"\n\n" + prompt, "sent_at": 0.0}
        socks.append(sock)
        selector.register(sock, selectors.EVENT_READ, state)
    done = 0
    latencies = []
    if not socks:
        return {"connections": connections, "served": 0, "refused": refused, "commands": 0,
                "seconds": 0, "commands_per_s": 0, "p50_ms": None, "p99_ms": None}
    start = time.monotonic()
    stop = start + duration
    for sock in socks:
        key = selector.get_key(sock)
        key.data["sent_at"] = time.monotonic()
        sock.sendall(line)
    while True:
        now = time.monotonic()
        if now >= stop:
            break
        events = selector.select(timeout=min(timeout, stop - now))
        if not events and time.monotonic() < stop:
            raise RuntimeError(f"no reply within {timeout} s")
        for key, _ in events:
            sock = key.fileobj
            chunk = sock.recv(262144)
            if not chunk:
                raise RuntimeError("the server closed a prompt-mode connection")
            state = key.data
            state["buf"] += chunk
            if state["buf"].endswith(state["end"]):
                now = time.monotonic()
                latencies.append(now - state["sent_at"])
                done += 1
                state["buf"] = b""
                if now < stop:
                    state["sent_at"] = now
                    sock.sendall(line)
    elapsed = time.monotonic() - start
    for sock in socks:
        selector.unregister(sock)
        sock.close()
    latencies.sort()
    return {
        "connections": connections,
        "served": len(socks),
        "refused": refused,
        "commands": done,
        "seconds": round(elapsed, 3),
        "commands_per_s": round(done / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1e3, 3) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1e3, 3) if latencies else None,
    }


def leaked(path, command, idle, fresh, timeout, settle):
    """`idle` silent clients, then `fresh` one-shot commands one after the other."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = idle + fresh + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    leaked_socks = []
    connect_errors = {}
    for _ in range(idle):
        try:
            leaked_socks.append(connect(path, timeout))
        except OSError as error:
            text = os.strerror(error.errno) if error.errno else str(error)
            connect_errors[text] = connect_errors.get(text, 0) + 1
    time.sleep(settle)  # let the server take the backlog before the first fresh client
    results = []
    for _ in range(fresh):
        started = time.monotonic()
        outcome = {"answered": False}
        try:
            sock = connect(path, timeout)
            sock.sendall(command.encode() + b"\n")
            # The reply's empty line ends it (HAProxy's master keeps a forwarded `@1 …`
            # command's connection open after the reply; halod closes it).
            data, complete = read_until(sock, b"\n\n", started + timeout)
            sock.close()
            answered = complete and not data.startswith(b"busy")
            outcome = {"answered": answered, "reply": data[:80].decode(errors="replace")}
            if not complete:
                outcome["reply"] = f"(no reply within {timeout} s) " + outcome["reply"]
        except OSError as error:
            text = os.strerror(error.errno) if error.errno else str(error)
            outcome = {"answered": False, "reply": f"connect/send: {text}"}
        outcome["ms"] = (time.monotonic() - started) * 1e3
        results.append(outcome)
    for sock in leaked_socks:
        sock.close()
    answered = [r["ms"] for r in results if r["answered"]]
    failures = {}
    for r in results:
        if not r["answered"]:
            failures[r["reply"]] = failures.get(r["reply"], 0) + 1
    return {
        "idle_clients": idle,
        "idle_connected": len(leaked_socks),
        "idle_connect_errors": connect_errors,
        "fresh": fresh,
        "answered": len(answered),
        "max_ms": round(max(answered), 3) if answered else None,
        "median_ms": round(statistics.median(answered), 3) if answered else None,
        "failures": failures,
    }


def run(args):
    report = {"socket": args.socket, "command": args.command}
    report["one_connection"] = throughput(args.socket, args.command, 1, args.duration,
                                          args.timeout)
    report["concurrent"] = throughput(args.socket, args.command, args.concurrency,
                                      args.duration, args.timeout)
    report["leaked"] = leaked(args.socket, args.command, args.idle, args.fresh, args.timeout,
                              args.settle)
    return report


def print_report(report):
    one, many, leak = report["one_connection"], report["concurrent"], report["leaked"]
    print(f"socket {report['socket']}, command {report['command']!r}")
    print(f"  1 connection:   {one['commands_per_s']:>9} commands/s (p50 {one['p50_ms']} ms)")
    print(f"  {many['connections']} connections ({many['served']} served): "
          f"{many['commands_per_s']:>9} commands/s "
          f"(p50 {many['p50_ms']} ms, p99 {many['p99_ms']} ms)")
    for text, count in many["refused"].items():
        print(f"    {count} x {text}")
    print(f"  {leak['idle_clients']} idle clients ({leak['idle_connected']} connected): "
          f"{leak['answered']}/{leak['fresh']} fresh commands answered, "
          f"max {leak['max_ms']} ms, median {leak['median_ms']} ms")
    for reply, count in leak["failures"].items():
        print(f"    {count} x {reply!r}")
    for text, count in leak["idle_connect_errors"].items():
        print(f"    idle connect failed {count} x: {text}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("socket")
    parser.add_argument("--command", default="show info")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per throughput run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--fresh", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=2.0, help="per reply, seconds")
    parser.add_argument("--settle", type=float, default=0.5,
                        help="seconds between the idle clients and the first fresh one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args)
    if args.json:
        json.dump(report, sys.stdout)
        print()
    else:
        print_report(report)


if __name__ == "__main__":
    main()
