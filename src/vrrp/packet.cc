// The VRRP packet codec: advertisements to bytes and back, with no sockets and no clocks.
//
// Both versions share one 8-byte header (RFC 3768 §5.1, RFC 5798 §5):
//
//   0: version (4 bits) | type (4 bits)     1: VRID     2: priority     3: count of addresses
//   4..5: v2: auth type (8) | Adver Int (8 bits, seconds)
//         v3: reserved (4) | Max Adver Int (12 bits, centiseconds)
//   6..7: checksum
//
// then the addresses (4 or 16 bytes each), then in v2 eight bytes of authentication data.
//
// The checksum is where implementations disagree. RFC 3768 §5.3.8 sums the v2 message alone.
// RFC 5798 §5.2.8 adds a pseudo-header for v3; for IPv4 keepalived (and Wireshark) read that
// as src, dst, zero, protocol 112, length, and that is what we send by default. Cisco reads
// it as "no pseudo-header for IPv4", and RFC 9568 §5.2.8 since agrees; keepalived's
// `v3_checksum_as_v2` sends that form (ChecksumForm::AsV2). keepalived ≤ 1.3.6 put the
// multicast group 224.0.0.18 in the pseudo-header even for unicast adverts
// (`old_unicast_checksum`, ChecksumForm::OldUnicast). On receive the standard form is always
// accepted and the others when the caller allows them; Received says which one matched.
//
// Receive validation follows RFC 5798 §7.1 / RFC 3768 §7.1, in an order that lets every
// later check rely on the earlier ones: lengths, TTL, version, type, address count against
// the length, checksum, then the fields whose meaning the checksum vouches for (v2 auth type,
// interval). The checks that need configuration (VRID known, we are not the owner, v2
// interval equal to ours, the address list) belong to the instance, as does authentication
// (check_auth() here, called by the instance with its password). Priority 0 is valid: it is
// a master resigning (RFC 5798 §6.4.2). The spans are indexed only after their length has
// been checked; nothing here asserts on packet contents.
#include "vrrp/packet.h"

#include <algorithm>
#include <utility>

#include "vrrp/checksum.h"

namespace halo::vrrp {
namespace {

constexpr std::uint8_t kTypeAdvertisement = 1;  // RFC 5798 §5.2.2
constexpr std::size_t kIpv4HeaderMin = 20;
constexpr int kMaxV3IntervalCs = 0x0fff;
// 224.0.0.18, the VRRP IPv4 multicast group (RFC 5798 §5.1.1.2).
const IpAddress kVrrpGroupV4 = IpAddress::v4({224, 0, 0, 18});

std::size_t address_size(Family family) {
  return family == Family::V4 ? 4 : 16;
}

std::size_t message_size(int version, Family family, std::size_t count) {
  return kHeaderSize + count * address_size(family) + (version == 2 ? kV2AuthDataSize : 0);
}

// The checksum a sender writes for `message` (its checksum field zero).
std::uint16_t compute_checksum(std::span<const std::uint8_t> message, int version,
                               const IpAddress& source, const IpAddress& destination,
                               ChecksumForm form) {
  std::uint32_t sum = 0;
  if (version == 3) {
    if (source.is_v6()) {
      sum = ipv6_pseudo_header_sum(source, destination, kIpProtocolVrrp, message.size());
    } else if (form == ChecksumForm::Standard) {
      sum = ipv4_pseudo_header_sum(source, destination, kIpProtocolVrrp, message.size());
    } else if (form == ChecksumForm::OldUnicast) {
      sum = ipv4_pseudo_header_sum(source, kVrrpGroupV4, kIpProtocolVrrp, message.size());
    }
  }
  return finish_checksum(sum_words(message, sum));
}

// True when `message` (checksum included) verifies under `form`.
bool checksum_matches(std::span<const std::uint8_t> message, int version, const IpAddress& source,
                      const IpAddress& destination, ChecksumForm form) {
  // Summing a message with its correct checksum in place gives 0xffff, which finishes to 0.
  return compute_checksum(message, version, source, destination, form) == 0;
}

std::optional<ChecksumForm> verify_checksum(std::span<const std::uint8_t> message, int version,
                                            const IpAddress& source, const IpAddress& destination,
                                            const ParseOptions& options) {
  if (checksum_matches(message, version, source, destination, ChecksumForm::Standard)) {
    return ChecksumForm::Standard;
  }
  if (version != 3 || !source.is_v4()) return std::nullopt;
  if (options.accept_v3_checksum_as_v2 &&
      checksum_matches(message, version, source, destination, ChecksumForm::AsV2)) {
    return ChecksumForm::AsV2;
  }
  if (options.accept_old_unicast_checksum &&
      checksum_matches(message, version, source, destination, ChecksumForm::OldUnicast)) {
    return ChecksumForm::OldUnicast;
  }
  return std::nullopt;
}

// Validates and decodes a VRRP message; the IP-level facts come from the caller.
ParseResult parse_message(std::span<const std::uint8_t> message, const IpAddress& source,
                          const IpAddress& destination, int ttl, const ParseOptions& options) {
  const Family family = source.family();
  if (destination.family() != family) return tl::unexpected(Reject::BadIpHeader);
  if (message.size() < kHeaderSize) return tl::unexpected(Reject::TooShort);
  // RFC 5798 §7.1 / RFC 3768 §7.1: MUST verify that the TTL / hop limit is 255.
  if (options.require_ttl_255 && ttl != kRequiredTtl) return tl::unexpected(Reject::BadTtl);

  // MUST verify the version: 2 or 3, and VRRPv2 exists for IPv4 only (RFC 3768).
  const int version = message[0] >> 4;
  if (version != 2 && version != 3) return tl::unexpected(Reject::BadVersion);
  if (version == 2 && family != Family::V4) return tl::unexpected(Reject::BadVersion);
  if ((message[0] & 0x0f) != kTypeAdvertisement) return tl::unexpected(Reject::BadType);
  if (version == 2 && message.size() < kHeaderSize + kV2AuthDataSize) {
    return tl::unexpected(Reject::TooShort);
  }

  // MUST verify that the packet contains the complete VRRP packet. Like keepalived we want
  // the exact length: trailing bytes mean the count and the sender disagree.
  const std::size_t count = message[3];
  if (message.size() != message_size(version, family, count)) {
    return tl::unexpected(Reject::BadAddressCount);
  }
  // RFC 5798 §5.2.5 (and RFC 9568): "The minimum value is 1." RFC 3768 §5.3.5 sets no
  // minimum, and keepalived sends a count of 0 from a v2 instance without addresses, so
  // v2 accepts 0.
  if (version == 3 && count == 0) return tl::unexpected(Reject::BadAddressCount);

  // MUST verify the VRRP checksum.
  const auto form = verify_checksum(message, version, source, destination, options);
  if (!form) return tl::unexpected(Reject::BadChecksum);

  Advert advert;
  advert.version = static_cast<std::uint8_t>(version);
  advert.vrid = message[1];
  advert.priority = message[2];
  if (version == 2) {
    // RFC 3768 §5.3.6 knows 0; keepalived also speaks RFC 2338's 1 (PASS) and 2 (AH).
    if (message[4] > static_cast<std::uint8_t>(AuthType::Ah)) {
      return tl::unexpected(Reject::BadAuthType);
    }
    advert.auth_type = static_cast<AuthType>(message[4]);
    advert.advert_interval = std::chrono::seconds(message[5]);
    std::copy_n(message.end() - kV2AuthDataSize, kV2AuthDataSize, advert.auth_data.begin());
  } else {
    // The 4 reserved bits are ignored on receipt (RFC 5798 §5.2.6).
    advert.advert_interval = Centiseconds((message[4] & 0x0f) << 8 | message[5]);
  }
  // An interval of 0 would make the master down interval nothing but skew, so a single
  // such advert could stall a takeover or cause one; neither RFC lets a sender use 0.
  if (advert.advert_interval.count() == 0) return tl::unexpected(Reject::BadInterval);

  const std::size_t size = address_size(family);
  advert.addresses.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto bytes = message.subspan(kHeaderSize + i * size, size);
    if (family == Family::V4) {
      advert.addresses.push_back(IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]}));
    } else {
      std::array<std::uint8_t, 16> v6{};
      std::copy(bytes.begin(), bytes.end(), v6.begin());
      advert.addresses.push_back(IpAddress::v6(v6));
    }
  }
  return Received{std::move(advert), source, destination, ttl, *form};
}

}  // namespace

Result<std::vector<std::uint8_t>> build(const Advert& advert, const IpAddress& source,
                                        const IpAddress& destination, const BuildOptions& options) {
  const int version = advert.version;
  if (version != 2 && version != 3) return fail("VRRP version must be 2 or 3");
  const Family family = source.family();
  if (destination.family() != family) {
    return fail("source and destination addresses are of different families");
  }
  if (version == 2 && family != Family::V4) return fail("VRRPv2 is IPv4 only");
  if (advert.addresses.size() > kMaxAddresses) return fail("more than 255 addresses");
  if (version == 3 && advert.addresses.empty()) {
    return fail("a VRRPv3 advertisement needs at least one address (RFC 5798 §5.2.5)");
  }
  for (const auto& a : advert.addresses) {
    if (a.family() != family) return fail("addresses must be of the source's family");
  }

  std::uint8_t interval_hi = 0;
  std::uint8_t interval_lo = 0;
  const auto cs = advert.advert_interval.count();
  if (version == 2) {
    if (advert.auth_type > AuthType::Ah) return fail("unknown VRRPv2 authentication type");
    if (cs % 100 != 0 || cs < 100 || cs > std::int64_t{255} * 100) {
      return fail("VRRPv2 advertisement interval must be whole seconds 1-255");
    }
    interval_hi = static_cast<std::uint8_t>(advert.auth_type);
    interval_lo = static_cast<std::uint8_t>(cs / 100);
  } else {
    if (cs < 1 || cs > kMaxV3IntervalCs) {
      return fail("VRRPv3 advertisement interval must be 10-40950 ms in steps of 10 ms");
    }
    interval_hi = static_cast<std::uint8_t>(cs >> 8);  // reserved bits stay 0
    interval_lo = static_cast<std::uint8_t>(cs & 0xff);
  }

  std::vector<std::uint8_t> out;
  out.reserve(message_size(version, family, advert.addresses.size()));
  out.push_back(static_cast<std::uint8_t>(version << 4 | kTypeAdvertisement));
  out.push_back(advert.vrid);
  out.push_back(advert.priority);
  out.push_back(static_cast<std::uint8_t>(advert.addresses.size()));
  out.push_back(interval_hi);
  out.push_back(interval_lo);
  out.push_back(0);  // checksum, filled below
  out.push_back(0);
  const std::size_t size = address_size(family);
  for (const auto& a : advert.addresses) {
    out.insert(out.end(), a.bytes().begin(), a.bytes().begin() + static_cast<std::ptrdiff_t>(size));
  }
  if (version == 2) out.insert(out.end(), advert.auth_data.begin(), advert.auth_data.end());

  const std::uint16_t checksum =
      compute_checksum(out, version, source, destination, options.checksum);
  out[6] = static_cast<std::uint8_t>(checksum >> 8);
  out[7] = static_cast<std::uint8_t>(checksum & 0xff);
  return out;
}

ParseResult parse_ipv4(std::span<const std::uint8_t> datagram, const ParseOptions& options) {
  if (datagram.size() < kIpv4HeaderMin) return tl::unexpected(Reject::TooShort);
  if ((datagram[0] >> 4) != 4) return tl::unexpected(Reject::BadIpHeader);
  const std::size_t header_size = static_cast<std::size_t>(datagram[0] & 0x0f) * 4;
  if (header_size < kIpv4HeaderMin) return tl::unexpected(Reject::BadIpHeader);
  // Linux hands raw sockets the header as received: total length in network order. A
  // datagram shorter than it claims was cut by the caller's buffer; a longer one is wrong.
  const std::size_t total = static_cast<std::size_t>(datagram[2]) << 8 | datagram[3];
  if (total > datagram.size()) return tl::unexpected(Reject::TooShort);
  if (total < datagram.size() || total < header_size) return tl::unexpected(Reject::BadIpHeader);
  // The kernel reassembles before raw delivery; a fragment here is malformed.
  const bool more_fragments = (datagram[6] & 0x20) != 0;
  const std::size_t fragment_offset =
      static_cast<std::size_t>(datagram[6] & 0x1f) << 8 | datagram[7];
  if (more_fragments || fragment_offset != 0) return tl::unexpected(Reject::BadIpHeader);
  // IPsec AH (protocol 51, keepalived's auth_type AH) is not decoded here.
  if (datagram[9] != kIpProtocolVrrp) return tl::unexpected(Reject::NotVrrp);
  // The header checksum is not checked: the kernel drops datagrams whose header sum fails
  // before any socket sees them.
  const int ttl = datagram[8];
  const auto source = IpAddress::v4({datagram[12], datagram[13], datagram[14], datagram[15]});
  const auto destination = IpAddress::v4({datagram[16], datagram[17], datagram[18], datagram[19]});
  return parse_message(datagram.subspan(header_size, total - header_size), source, destination, ttl,
                       options);
}

ParseResult parse_ipv6(std::span<const std::uint8_t> message, const IpAddress& source,
                       const IpAddress& destination, int hop_limit, const ParseOptions& options) {
  // RFC 5798 §5.1.2.1 wants a link-local source; §7.1 does not ask the receiver to check it
  // and keepalived's unicast peers may use global addresses, so it is not checked.
  if (!source.is_v6() || !destination.is_v6()) return tl::unexpected(Reject::BadIpHeader);
  return parse_message(message, source, destination, hop_limit, options);
}

std::optional<Reject> check_auth(const Advert& advert, std::string_view password) {
  if (advert.version != 2) return std::nullopt;
  if (password.empty()) {
    if (advert.auth_type == AuthType::None) return std::nullopt;
    return Reject::AuthTypeMismatch;
  }
  if (advert.auth_type != AuthType::Pass) return Reject::AuthTypeMismatch;
  std::array<std::uint8_t, kV2AuthDataSize> expected{};
  std::copy_n(password.begin(), std::min(password.size(), expected.size()), expected.begin());
  // Compare every byte whatever the first difference, so timing says nothing about where.
  std::uint8_t difference = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    difference |= static_cast<std::uint8_t>(expected[i] ^ advert.auth_data[i]);
  }
  if (difference != 0) return Reject::AuthFailure;
  return std::nullopt;
}

std::string_view to_string(Reject reason) {
  switch (reason) {
    case Reject::TooShort:
      return "too_short";
    case Reject::BadIpHeader:
      return "bad_ip_header";
    case Reject::NotVrrp:
      return "not_vrrp";
    case Reject::BadTtl:
      return "bad_ttl";
    case Reject::BadVersion:
      return "bad_version";
    case Reject::BadType:
      return "bad_type";
    case Reject::BadAddressCount:
      return "bad_address_count";
    case Reject::BadChecksum:
      return "bad_checksum";
    case Reject::BadAuthType:
      return "bad_auth_type";
    case Reject::BadInterval:
      return "bad_interval";
    case Reject::AuthTypeMismatch:
      return "auth_type_mismatch";
    case Reject::AuthFailure:
      return "auth_failure";
    case Reject::NotFromPeer:
      return "not_from_peer";
  }
  return "unknown";
}

}  // namespace halo::vrrp
