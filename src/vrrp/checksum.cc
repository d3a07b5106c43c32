// The Internet checksum for VRRP messages.
//
// RFC 1071 defines the sum: add the data as 16-bit big-endian words in one's-complement
// arithmetic, fold the carries back in, and complement. A 32-bit accumulator holds the sum of
// up to 65,535 words without overflow, far more than the largest VRRP message (8 + 255 × 16
// bytes), so carries are folded once at the end.
//
// VRRPv2 sums the message alone (RFC 3768 §5.3.8). VRRPv3 adds a pseudo-header (RFC 5798
// §5.2.8): for IPv6 the one of RFC 8200 §8.1; for IPv4 the RFC 768-style one (source,
// destination, zero, protocol 112, length) that keepalived and Wireshark use. RFC 9568 §5.2.8
// later dropped the IPv4 pseudo-header; packet.cc decides which sum applies, this file only
// computes them.
#include "vrrp/checksum.h"

namespace halo::vrrp {

std::uint32_t sum_words(std::span<const std::uint8_t> data, std::uint32_t partial) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    partial += static_cast<std::uint32_t>(data[i]) << 8 | data[i + 1];
  }
  if (i < data.size()) partial += static_cast<std::uint32_t>(data[i]) << 8;
  return partial;
}

std::uint16_t finish_checksum(std::uint32_t partial) {
  while (partial >> 16) partial = (partial & 0xffff) + (partial >> 16);
  return static_cast<std::uint16_t>(~partial & 0xffff);
}

std::uint32_t ipv4_pseudo_header_sum(const IpAddress& source, const IpAddress& destination,
                                     std::uint8_t protocol, std::size_t length) {
  std::uint32_t sum = sum_words(std::span(source.bytes()).first(4));
  sum = sum_words(std::span(destination.bytes()).first(4), sum);
  sum += protocol;  // the zero byte and the protocol form one word
  sum += static_cast<std::uint32_t>(length & 0xffff);
  return sum;
}

std::uint32_t ipv6_pseudo_header_sum(const IpAddress& source, const IpAddress& destination,
                                     std::uint8_t next_header, std::size_t length) {
  std::uint32_t sum = sum_words(source.bytes());
  sum = sum_words(destination.bytes(), sum);
  const auto length32 = static_cast<std::uint32_t>(length);
  sum += length32 >> 16;
  sum += length32 & 0xffff;
  sum += next_header;  // three zero bytes, then the next header: the low byte of a word
  return sum;
}

}  // namespace halo::vrrp
