#!/bin/bash
# The `-t` benchmark: keepalived and halod check the same large generated configuration (255
# VRRP instances, 10,000 real servers, ~83,000 lines) N times each; prints exit codes, median
# wall time and peak RSS side by side.
#
# Builds nothing. Needs root: the interfaces the file names (eth0..eth3) are created as two
# veth pairs inside a network namespace of its own, deleted on exit; the root namespace is
# never touched. Both programs only ever run with -t.
#
# Usage: bench/config_test.sh HALOD [RUNS]      (RUNS defaults to 10)
# Environment: KEEPALIVED (default: keepalived on PATH), KEEP_CONF=1 keeps the generated file.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
halod="${1:?usage: $0 HALOD [RUNS]}"
runs="${2:-10}"
keepalived="${KEEPALIVED:-keepalived}"
halod="$(realpath "$halod")"

if [[ $EUID -ne 0 ]]; then
  echo "config_test.sh: needs root (creates a network namespace)" >&2
  exit 2
fi

workdir="$(mktemp -d /tmp/halo-bench.XXXXXX)"
ns="halo-bench-$$"
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  if [[ "${KEEP_CONF:-0}" == 1 ]]; then
    echo "kept $workdir/big.conf" >&2
  else
    rm -rf "$workdir"
  fi
}
trap cleanup EXIT INT TERM

python3 "$here/gen_big_config.py" "$workdir/big.conf"

ip netns add "$ns"
ip -n "$ns" link add eth0 type veth peer name eth1
ip -n "$ns" link add eth2 type veth peer name eth3
ip -n "$ns" link set lo up

ip netns exec "$ns" python3 "$here/measure.py" "$workdir/big.conf" "$runs" \
  "keepalived=$keepalived" "halod=$halod"
