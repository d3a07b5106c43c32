// The nftables back end: halo owns one table (`table inet halo_lb`) and keeps, for each
// virtual server, a DNAT rule whose map spreads new connections over the alive destinations
// by weight. Each apply() is one nftables transaction (libnftables, one batch), so a change
// is seen by new connections all at once; established connections keep their conntrack NAT.
//
// Layout of the table (open() creates it; nft_base_script()):
//   map frontends4 / frontends6: address range . protocol . port -> jump svc_<service>
//   map fwmarks: mark -> jump svc_<service>
//   chain prerouting (nat, traffic arriving) and chain output (nat, locally originated):
//     look the packet up in fwmarks, then frontends4/frontends6 (one lookup, not one rule
//     per service)
//   chain svc_<service>: one DNAT rule with an anonymous map over the destinations, or,
//     with no destination, a reject (TCP reset, else ICMP port unreachable)
// apply() replaces a service's chain contents and its frontend elements in one batch.
//
// Schedulers: rr and wrr map to `numgen inc` over weighted ranges, sh to `jhash` of the
// source address (and port with sh-port), dh to `jhash` of the destination address; anything
// else (lc, wlc, sed, ...: they need connection counts nftables does not keep) is refused.
// rr and dh give every destination one slot, wrr and sh a slot range proportional to the
// weight (divided by the weights' gcd), as IPVS weighs them. Only NAT forwarding can be
// expressed; DR and TUN are refused, and so are persistence and ops (nftables NAT schedules
// per connection). Destinations with weight 0 (inhibited) are left out of the map (no new
// connections), as IPVS does with weight 0. A service with no destination of weight > 0
// rejects new connections with a TCP reset (UDP, SCTP: ICMP port unreachable) instead of
// letting them reach the local host. Two services may not share a frontend or fwmark.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "lvs/backend.h"

namespace halo::lvs {

inline constexpr const char* kNftTable = "halo_lb";  // in family inet

std::unique_ptr<Backend> make_nft_backend();

// The nft script apply() runs for `service` when `installed` (what the previous apply() of
// the same name installed, or null) is replaced by it (pure; for tests and `haloctl show
// servers`). An error names what nftables cannot express.
Result<std::string> nft_service_script(const Service& service, const Service* installed = nullptr);
// The script that removes an installed service.
std::string nft_remove_script(const Service& installed);
// The script open() runs: drop a stale table, create the empty one.
std::string nft_base_script();
// The chain a service's rules live in: "svc_" + the name's letters and digits + a hash.
std::string nft_chain_name(const std::string& service_name);

}  // namespace halo::lvs
