// VRRP packet codec (RFC 3768 VRRPv2, RFC 5798 / RFC 9568 VRRPv3): build and parse, no I/O.
//
// build() makes the VRRP message (what follows the IP header); parse_ipv4() takes a whole
// IPv4 datagram as a raw IPPROTO_VRRP socket delivers it; parse_ipv6() takes the message and
// the addresses and hop limit the kernel reports beside it. Parsing never trusts its input:
// every refusal is a Reject reason the caller counts.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "common/counters.h"
#include "common/ip_address.h"
#include "common/result.h"

namespace halo::vrrp {

inline constexpr std::uint8_t kIpProtocolVrrp = 112;  // RFC 5798 §5.1.1.4, §5.1.2.4
inline constexpr std::uint8_t kRequiredTtl = 255;     // RFC 5798 §5.1.1.3, §5.1.2.3
inline constexpr std::size_t kHeaderSize = 8;         // both versions
inline constexpr std::size_t kV2AuthDataSize = 8;     // RFC 3768 §5.3.10
inline constexpr std::size_t kMaxAddresses = 255;     // the count is one byte

// Centiseconds: VRRPv3's unit; converts implicitly to std::chrono::milliseconds.
using Centiseconds = std::chrono::duration<std::int64_t, std::centi>;

// VRRPv2 authentication (RFC 3768 §5.3.6 reserves 1 and 2; keepalived still speaks them in
// the RFC 2338 meaning). VRRPv3 has no authentication (RFC 5798 §9).
enum class AuthType : std::uint8_t { None = 0, Pass = 1, Ah = 2 };

// One advertisement, as plain values.
struct Advert {
  std::uint8_t version = 3;  // 2 or 3
  std::uint8_t vrid = 1;
  // 0 is a master giving up (RFC 5798 §6.4.2: the backups take over after Skew_Time);
  // 255 is the address owner. Both are valid adverts.
  std::uint8_t priority = 100;
  // v2: Adver Int, whole seconds 1..255 (RFC 3768 §5.3.7).
  // v3: Max Advertise Interval, 12 bits of centiseconds 1..4095 (RFC 5798 §5.2.7).
  Centiseconds advert_interval{100};
  // All of one family: IPv4, or IPv6 (v3 only). RFC 5798 §5.2.9.
  std::vector<IpAddress> addresses;
  // v2 only; ignored when building v3 and zero when parsing v3.
  AuthType auth_type = AuthType::None;
  std::array<std::uint8_t, kV2AuthDataSize> auth_data{};

  friend bool operator==(const Advert&, const Advert&) = default;
};

// How a VRRPv3 over IPv4 checksum is (to be) computed. IPv6 always uses the RFC 8200
// pseudo-header: the kernel's IPV6_CHECKSUM does the same, and keepalived leaves it to it.
enum class ChecksumForm : std::uint8_t {
  Standard,    // v2: the message; v3: pseudo-header + message (RFC 5798 §5.2.8)
  AsV2,        // v3/IPv4 without the pseudo-header: keepalived's `v3_checksum_as_v2`,
               // Cisco, and RFC 9568 §5.2.8
  OldUnicast,  // v3/IPv4 with 224.0.0.18 as the pseudo-header destination even when sent
               // unicast: keepalived ≤ 1.3.6, its `old_unicast_checksum`
};

struct BuildOptions {
  ChecksumForm checksum = ChecksumForm::Standard;

  friend bool operator==(const BuildOptions&, const BuildOptions&) = default;
};

// The VRRP message for `advert` sent from `source` to `destination` (which feed the v3
// pseudo-header; both must be of the addresses' family). Fails on an advert that cannot be
// encoded: bad version, mixed families, v2 over IPv6, no addresses in v3, more than 255,
// an interval out of range (or not whole seconds in v2).
Result<std::vector<std::uint8_t>> build(const Advert& advert, const IpAddress& source,
                                        const IpAddress& destination,
                                        const BuildOptions& options = {});

// Why a received packet was dropped. Keep to_string() and kRejectReasons in step.
enum class Reject : std::uint8_t {
  TooShort,          // shorter than the IP header or the fixed VRRP fields
  BadIpHeader,       // IPv4 version/IHL/total length/fragment, or wrong address family
  NotVrrp,           // IP protocol is not 112
  BadTtl,            // TTL / hop limit is not 255 (RFC 5798 §7.1, RFC 3768 §7.1)
  BadVersion,        // not 2 or 3, or 2 over IPv6
  BadType,           // not 1 (ADVERTISEMENT)
  BadAddressCount,   // count disagrees with the length, or 0 in v3 (RFC 5798 §5.2.5)
  BadChecksum,       // no accepted checksum form matches
  BadAuthType,       // v2 auth type not 0, 1 or 2
  BadInterval,       // advertisement interval 0
  AuthTypeMismatch,  // from check_auth(): the advert's auth type is not ours
  AuthFailure,       // from check_auth(): wrong password
  NotFromPeer,       // the daemon: a unicast instance's advert from an address not a peer
};
inline constexpr std::size_t kRejectReasons = static_cast<std::size_t>(Reject::NotFromPeer) + 1;

// A stable snake_case name for logs and metrics labels ("bad_checksum").
std::string_view to_string(Reject reason);

// Packets rejected, by reason, for the daemon to export.
using RejectCounters = CountersByReason<Reject, kRejectReasons>;

struct ParseOptions {
  // Also accept a v3/IPv4 checksum without the pseudo-header (RFC 9568 §5.2.8; keepalived's
  // v3_checksum_as_v2 peers). The standard form is always accepted.
  bool accept_v3_checksum_as_v2 = false;
  // Also accept keepalived ≤ 1.3.6 unicast v3/IPv4 checksums (old_unicast_checksum, which
  // keepalived auto-detects unless set to `never`).
  bool accept_old_unicast_checksum = false;
  // keepalived skips the TTL check for unicast peers (adverts may cross routers) and checks
  // a per-peer range instead; the TTL is reported in Received::ttl for that.
  bool require_ttl_255 = true;

  friend bool operator==(const ParseOptions&, const ParseOptions&) = default;
};

// A validated advertisement and where it came from.
struct Received {
  Advert advert;
  IpAddress source;
  IpAddress destination;
  int ttl = 0;  // IPv4 TTL or IPv6 hop limit
  // Which form matched, so the caller can count non-standard peers (and, like keepalived,
  // switch its own sending form to OldUnicast when a peer uses it).
  ChecksumForm checksum_form = ChecksumForm::Standard;
};

using ParseResult = tl::expected<Received, Reject>;

// An IPv4 datagram from a raw IPPROTO_VRRP socket, IP header included.
ParseResult parse_ipv4(std::span<const std::uint8_t> datagram, const ParseOptions& options = {});

// An IPv6 VRRP message (the kernel strips the IPv6 header); the addresses come from
// recvmsg's name and IPV6_PKTINFO, the hop limit from IPV6_HOPLIMIT.
ParseResult parse_ipv6(std::span<const std::uint8_t> message, const IpAddress& source,
                       const IpAddress& destination, int hop_limit,
                       const ParseOptions& options = {});

// The v2 authentication check (RFC 2338 §5.3.6 type 1, as keepalived does it): an empty
// password expects auth type 0; a non-empty one expects type 1 and the password, cut or
// zero-padded to 8 bytes, in the auth data. Type 2 (IPsec AH) is not checked here and is
// always a mismatch. v3 adverts carry no authentication: always accepted.
// nullopt when the advert passes; else AuthTypeMismatch or AuthFailure.
std::optional<Reject> check_auth(const Advert& advert, std::string_view password);

}  // namespace halo::vrrp
