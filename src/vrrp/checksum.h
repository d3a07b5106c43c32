// The Internet checksum (RFC 1071) and the pseudo-header sums VRRP puts under it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/ip_address.h"

namespace halo::vrrp {

// The one's-complement sum of `data` as big-endian 16-bit words, added to `partial`; an odd
// last byte is padded with a zero byte (RFC 1071 §4.1). The result is not yet folded.
std::uint32_t sum_words(std::span<const std::uint8_t> data, std::uint32_t partial = 0);

// Folds a partial sum to 16 bits and complements it: the value a sender writes into the
// checksum field. A receiver summing a message that carries a correct checksum gets 0.
std::uint16_t finish_checksum(std::uint32_t partial);

// The partial sum of the IPv4 pseudo-header (RFC 5798 §5.2.8, as in RFC 768 for UDP):
// source, destination, a zero byte, the protocol and the 16-bit upper-layer length.
std::uint32_t ipv4_pseudo_header_sum(const IpAddress& source, const IpAddress& destination,
                                     std::uint8_t protocol, std::size_t length);

// The partial sum of the IPv6 pseudo-header (RFC 8200 §8.1): source, destination, the
// 32-bit upper-layer length, three zero bytes and the next header value.
std::uint32_t ipv6_pseudo_header_sum(const IpAddress& source, const IpAddress& destination,
                                     std::uint8_t next_header, std::size_t length);

}  // namespace halo::vrrp
