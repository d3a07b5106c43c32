// Unsolicited Neighbor Advertisements: the ICMPv6 bytes a new VRRP master sends for each
// virtual IPv6 address (RFC 5798 §6.4.1), with no sockets.
//
// The message (RFC 4861 §4.4) with its one option (§4.6.1):
//
//   0: type 136   1: code 0   2..3: checksum
//   4: R (0x80) | S (0x40) | O (0x20), then 29 reserved bits, all zero
//   8..23: target address
//   24: option type 2 (Target Link-Layer Address)   25: length 1 (in 8-byte units)
//   26..31: the MAC
//
// RFC 4861 §7.2.6: an unsolicited advertisement goes to all-nodes (ff02::1), has Solicited
// clear (§7.1.2 makes receivers drop a multicast one with S set), and sets Override so
// that caches replace the old MAC rather than only marking the entry STALE (§7.2.5). It must
// carry the Target Link-Layer Address option: without it a cache has nothing to update to.
// All ND messages go with hop limit 255, which the IPv6 header carries, so the socket sets
// it; a receiver drops anything else (§7.1.2), which proves it came from the link.
//
// The checksum is the Internet checksum (RFC 1071) of the IPv6 pseudo-header (RFC 8200
// §8.1: source, destination, 32-bit upper-layer length, three zero bytes, next header 58)
// followed by the message. A raw ICMPv6 socket computes it itself (RFC 3542 §3.1), so
// that is how the daemon sends; the checksummed form is for senders that write the whole
// packet, and lets the tests pin the bytes a receiver sees.
#include "net/ndisc.h"

#include <algorithm>
#include <span>

namespace halo::net {
namespace {

constexpr std::uint8_t kFlagRouter = 0x80;
constexpr std::uint8_t kFlagSolicited = 0x40;
constexpr std::uint8_t kFlagOverride = 0x20;

// One's-complement sum of big-endian 16-bit words (RFC 1071 §4.1); an odd last byte is
// padded with zero. Not folded.
std::uint32_t sum_words(std::span<const std::uint8_t> data, std::uint32_t partial) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    partial += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  }
  if (i < data.size()) partial += static_cast<std::uint32_t>(data[i] << 8);
  return partial;
}

std::uint16_t finish_checksum(std::uint32_t sum) {
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

}  // namespace

IpAddress all_nodes_multicast() {
  return IpAddress::v6({0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01});
}

Result<NaMessage> build_unsolicited_na(const UnsolicitedNa& na) {
  if (!na.target.is_v6() || na.target.is_multicast()) {
    // RFC 4861 §7.1.2: receivers drop an advertisement for a multicast target.
    return fail("neighbour advertisement needs an IPv6 unicast target, not " +
                na.target.to_string());
  }
  if (na.mac.is_zero() || na.mac.is_multicast()) {
    return fail("neighbour advertisement needs a unicast MAC, not " + na.mac.to_string());
  }
  NaMessage message{};
  message[0] = kIcmpv6NeighborAdvertisement;
  message[1] = 0;  // code
  // message[2..3]: checksum, left 0 for the kernel.
  message[4] = static_cast<std::uint8_t>(kFlagOverride | (na.router ? kFlagRouter : 0));
  static_assert((kFlagOverride & kFlagSolicited) == 0);  // Solicited stays clear
  for (std::size_t i = 0; i < 16; ++i) message[8 + i] = na.target.bytes()[i];
  message[24] = kOptionTargetLinkLayerAddress;
  message[25] = 1;  // 8 bytes: type, length, 6-byte MAC
  for (std::size_t i = 0; i < 6; ++i) message[26 + i] = na.mac.bytes()[i];
  return message;
}

Result<NaMessage> build_unsolicited_na_with_checksum(const UnsolicitedNa& na,
                                                     const IpAddress& source,
                                                     const IpAddress& destination) {
  if (!source.is_v6() || !destination.is_v6()) {
    return fail("neighbour advertisement checksum needs IPv6 addresses, not " + source.to_string() +
                " -> " + destination.to_string());
  }
  auto message = build_unsolicited_na(na);
  if (!message) return message;

  // RFC 8200 §8.1 pseudo-header.
  std::uint32_t sum = sum_words(source.bytes(), 0);
  sum = sum_words(destination.bytes(), sum);
  sum += static_cast<std::uint32_t>(kUnsolicitedNaSize);  // upper 16 bits of the length are 0
  sum += kIpProtocolIcmpv6;
  sum = sum_words(*message, sum);
  const std::uint16_t checksum = finish_checksum(sum);
  (*message)[2] = static_cast<std::uint8_t>(checksum >> 8);
  (*message)[3] = static_cast<std::uint8_t>(checksum & 0xff);
  return message;
}

std::optional<NeighborAdvert> parse_neighbor_advert(std::span<const std::uint8_t> message) {
  constexpr std::size_t kFixed = 24;  // type, code, checksum, flags, reserved, target
  if (message.size() < kFixed || message[0] != kIcmpv6NeighborAdvertisement || message[1] != 0) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 16> target{};
  std::copy_n(message.begin() + 8, 16, target.begin());
  NeighborAdvert na{IpAddress::v6(target), std::nullopt};
  // RFC 4861 §4.6: options are (type, length in units of 8 bytes, ...); length 0 is invalid.
  for (std::size_t at = kFixed; at < message.size();) {
    if (message.size() - at < 2 || message[at + 1] == 0) return std::nullopt;
    const std::size_t length = std::size_t{message[at + 1]} * 8;
    if (length > message.size() - at) return std::nullopt;
    if (message[at] == kOptionTargetLinkLayerAddress && length >= 8) {
      std::array<std::uint8_t, 6> mac{};
      std::copy_n(message.begin() + static_cast<std::ptrdiff_t>(at) + 2, 6, mac.begin());
      na.mac = MacAddress(mac);
    }
    at += length;
  }
  return na;
}

}  // namespace halo::net
