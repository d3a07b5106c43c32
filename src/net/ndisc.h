// Unsolicited Neighbor Advertisements for a virtual IPv6 address: ICMPv6 bytes, no sockets.
//
// The IPv6 counterpart of gratuitous ARP: a new VRRP master advertises each IPv6 virtual
// address to all nodes so that neighbour caches move it to the master's (or VMAC's) MAC
// (RFC 5798 §6.4.1, RFC 4861 §7.2.6).
//
// Which builder the daemon uses: it sends on a raw IPPROTO_ICMPV6 socket, where the kernel
// always computes the ICMPv6 checksum (RFC 3542 §3.1), so build_unsolicited_na() with the
// field left 0. The socket must also send with hop limit 255 (IPV6_MULTICAST_HOPS for
// ff02::1, IPV6_UNICAST_HOPS otherwise), or receivers drop the message (RFC 4861 §7.1.2),
// and from a link-local source on the VRRP interface (IPV6_MULTICAST_IF / IPV6_PKTINFO).
// build_unsolicited_na_with_checksum() fills the checksum in itself, for a sender that
// writes the IPv6 header too (an AF_PACKET frame, like keepalived's) and for tests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/ip_address.h"
#include "common/result.h"
#include "net/arp.h"  // MacAddress

namespace halo::net {

inline constexpr std::uint8_t kIcmpv6NeighborAdvertisement = 136;  // RFC 4861 §4.4
inline constexpr std::uint8_t kNdiscHopLimit = 255;                // RFC 4861 §7.1.2
inline constexpr std::uint8_t kIpProtocolIcmpv6 = 58;              // IPv6 Next Header
inline constexpr std::uint8_t kOptionTargetLinkLayerAddress = 2;   // RFC 4861 §4.6.1
// 8 (type, code, checksum, flags, reserved) + 16 (target) + 8 (the link-layer option).
inline constexpr std::size_t kUnsolicitedNaSize = 32;

// ff02::1, where unsolicited advertisements go (RFC 4861 §7.2.6).
IpAddress all_nodes_multicast();

// An unsolicited advertisement of `target` at `mac`. Override is always set and Solicited
// always clear (RFC 4861 §7.2.6: unsolicited, and meant to replace cached entries).
struct UnsolicitedNa {
  IpAddress target;  // the virtual IPv6 address
  MacAddress mac;    // the interface's MAC, or the VMAC; goes in the Target Link-Layer option
  // The Router flag (RFC 4861 §4.4). RFC 5798 §6.4.1 says set (the default); keepalived
  // sets it only when IPv6 forwarding is on for the interface, so the daemon can do the
  // same. Clear, hosts that route through the address drop it as a default router
  // (RFC 4861 §7.2.5).
  bool router = true;
};

using NaMessage = std::array<std::uint8_t, kUnsolicitedNaSize>;

// The ICMPv6 message (what follows the IPv6 header) with the checksum field 0, for a raw
// ICMPv6 socket to fill in. Send it to ff02::1 with hop limit 255. Fails when the target is
// not an IPv6 unicast address or the MAC is zero or a group address.
Result<NaMessage> build_unsolicited_na(const UnsolicitedNa& na);

// The same message with its checksum computed over the RFC 8200 §8.1 pseudo-header
// (`source`, `destination`, the 32-bit length and next header 58). `source` must be the
// address the packet leaves from (a link-local address of the interface); `destination`
// defaults to ff02::1. Fails as build_unsolicited_na() does, or when either address is not
// IPv6.
Result<NaMessage> build_unsolicited_na_with_checksum(
    const UnsolicitedNa& na, const IpAddress& source,
    const IpAddress& destination = all_nodes_multicast());

// A received Neighbor Advertisement (the ICMPv6 message, as a raw ICMPv6 socket delivers
// it): the address it advertises and, when it carries a Target Link-Layer Address option,
// the MAC it claims for it. nullopt for anything else or anything malformed (RFC 4861 §7.1.2
// checks: type 136, code 0, at least 24 bytes, options of non-zero length within the message).
struct NeighborAdvert {
  IpAddress target;
  std::optional<MacAddress> mac;
  friend bool operator==(const NeighborAdvert&, const NeighborAdvert&) = default;
};
std::optional<NeighborAdvert> parse_neighbor_advert(std::span<const std::uint8_t> message);

}  // namespace halo::net
