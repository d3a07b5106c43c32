// The nftables back end: halo owns one table (`table inet halo_lb`) and keeps, for each
// virtual server, a DNAT rule whose map spreads new connections over the alive destinations
// by weight. Each apply() is one nftables transaction (libnftables, one batch), so a change
// is seen by new connections all at once; established connections keep their conntrack NAT.
//
// Schedulers: rr and wrr map to `numgen inc` over weighted ranges, sh to `jhash` of the
// source address (and port with sh-port), dh to `jhash` of the destination address; anything
// else (lc, wlc, sed, ...: they need connection counts nftables does not keep) is refused.
// Only NAT forwarding can be expressed; DR and TUN are refused. Destinations with weight 0
// (inhibited) are kept in the ruleset as comments only (no traffic), as IPVS does with weight
// 0. A service with no destination rejects new connections with a TCP reset (UDP: ICMP port
// unreachable) instead of letting them reach the local host.
#pragma once

#include <memory>
#include <string>

#include "lvs/backend.h"

namespace halo::lvs {

std::unique_ptr<Backend> make_nft_backend();

// The nft script apply() runs for `service` (pure; for tests and `haloctl show servers`).
std::string nft_service_script(const Service& service);

}  // namespace halo::lvs
