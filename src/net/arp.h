// Gratuitous ARP for a virtual IPv4 address, and an ARP parser: frames as bytes, no sockets.
//
// A VRRP master announces each IPv4 virtual address with a gratuitous ARP (RFC 5798 §6.4.1,
// RFC 5227 §3 "ARP Announcement") so that hosts and switches move the address to its MAC.
// build_gratuitous_arp() makes the whole Ethernet frame to hand to an AF_PACKET/SOCK_RAW
// socket; parse_arp() reads such frames back, for the daemon to notice another host
// answering for one of its addresses.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "common/counters.h"
#include "common/ip_address.h"
#include "common/result.h"

namespace halo::net {

// An Ethernet (IEEE 802 MAC-48) address as a plain value.
class MacAddress {
 public:
  MacAddress() = default;  // 00:00:00:00:00:00
  explicit constexpr MacAddress(std::array<std::uint8_t, 6> bytes) : bytes_(bytes) {}

  // Exactly six two-digit hex octets separated by ':' ("02:00:5e:00:01:33"), either case.
  static std::optional<MacAddress> parse(std::string_view text);
  static constexpr MacAddress broadcast() {
    return MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  }
  // The VRRP virtual router MACs, RFC 5798 §7.3: 00:00:5e:00:01:{VRID} for IPv4 and
  // 00:00:5e:00:02:{VRID} for IPv6.
  static constexpr MacAddress vrrp_v4(std::uint8_t vrid) {
    return MacAddress({0x00, 0x00, 0x5e, 0x00, 0x01, vrid});
  }
  static constexpr MacAddress vrrp_v6(std::uint8_t vrid) {
    return MacAddress({0x00, 0x00, 0x5e, 0x00, 0x02, vrid});
  }

  const std::array<std::uint8_t, 6>& bytes() const { return bytes_; }
  bool is_zero() const { return *this == MacAddress(); }
  bool is_broadcast() const { return *this == broadcast(); }
  // The I/G bit: group (multicast or broadcast) rather than one station.
  bool is_multicast() const { return (bytes_[0] & 0x01) != 0; }
  // The U/L bit (IEEE 802 §8.2.2): not assigned by a manufacturer.
  bool is_locally_administered() const { return (bytes_[0] & 0x02) != 0; }
  // Lower-case, colon-separated: "02:00:5e:00:01:33".
  std::string to_string() const;

  friend auto operator<=>(const MacAddress&, const MacAddress&) = default;

 private:
  std::array<std::uint8_t, 6> bytes_{};
};

inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeArp = 0x0806;
inline constexpr std::uint16_t kArpHardwareEthernet = 1;  // RFC 826, IANA ar$hrd
inline constexpr std::size_t kEthernetHeaderSize = 14;    // destination, source, EtherType
inline constexpr std::size_t kArpBodySize = 28;           // RFC 826 for Ethernet and IPv4
inline constexpr std::size_t kArpFrameSize = kEthernetHeaderSize + kArpBodySize;  // 42

enum class ArpOperation : std::uint16_t { Request = 1, Reply = 2 };  // RFC 826 ar$op

// What to put in the ARP target hardware address of an announcement. Receivers ignore it.
enum class ArpTargetMac : std::uint8_t {
  Broadcast,  // ff:ff:ff:ff:ff:ff, as keepalived sends (vrrp_arp.c): the default
  Zero,       // 00:00:00:00:00:00, as RFC 5227 §2.1.1 recommends
};

using ArpFrame = std::array<std::uint8_t, kArpFrameSize>;

// The gratuitous ARP announcing `vip` at `mac` (the interface's MAC, or the VMAC when the
// address lives on a VRRP macvlan): an Ethernet frame from `mac` to ff:ff:ff:ff:ff:ff,
// EtherType 0x0806, carrying an ARP request whose sender and target protocol addresses are
// both `vip` and whose sender hardware address is `mac` (RFC 5227 §3, RFC 5944 §4.6).
// 42 bytes: the driver pads it to Ethernet's 60-byte minimum. Send it on an AF_PACKET
// SOCK_RAW socket with sockaddr_ll{sll_ifindex = the interface, sll_halen = 6}.
// Fails when `vip` is not IPv4 or `mac` is zero or a group address.
Result<ArpFrame> build_gratuitous_arp(const IpAddress& vip, const MacAddress& mac,
                                      ArpTargetMac target_mac = ArpTargetMac::Broadcast);

// A validated Ethernet/IPv4 ARP packet.
struct ArpPacket {
  MacAddress frame_destination;  // Ethernet header
  MacAddress frame_source;       // Ethernet header (a proxy may differ from sender_mac)
  ArpOperation operation = ArpOperation::Request;
  MacAddress sender_mac;
  IpAddress sender_ip;
  MacAddress target_mac;
  IpAddress target_ip;

  // RFC 5227 §2.1.1: sender IP 0.0.0.0, a host checking whether target_ip is in use.
  bool is_probe() const { return sender_ip == IpAddress::v4({0, 0, 0, 0}); }
  // Sender IP equal to target IP: an announcement (gratuitous ARP), request or reply.
  bool is_announcement() const { return sender_ip == target_ip; }

  friend bool operator==(const ArpPacket&, const ArpPacket&) = default;
};

// Why a frame was not accepted as ARP. Keep to_string() and kArpRejectReasons in step.
enum class ArpReject : std::uint8_t {
  TooShort,         // shorter than the Ethernet header plus the 28-byte ARP body
  NotArp,           // EtherType is not 0x0806 (a VLAN tag is not looked through)
  BadHardwareType,  // ar$hrd not 1 (Ethernet) or ar$hln not 6
  BadProtocolType,  // ar$pro not 0x0800 (IPv4) or ar$pln not 4
  BadOperation,     // ar$op neither request (1) nor reply (2)
  BadSenderMac,     // sender hardware address zero or a group address
  BadSenderIp,      // sender IP multicast, limited broadcast or loopback
};
inline constexpr std::size_t kArpRejectReasons =
    static_cast<std::size_t>(ArpReject::BadSenderIp) + 1;

// A stable snake_case name for logs and metrics labels ("bad_sender_mac").
std::string_view to_string(ArpReject reason);

// Frames rejected, by reason, for the daemon to export.
using ArpRejectCounters = CountersByReason<ArpReject, kArpRejectReasons>;

// An Ethernet frame as an AF_PACKET SOCK_RAW socket delivers it (header included, no FCS);
// trailing bytes (the padding to 60) are ignored. A duplicate-address answer for a VIP is a
// packet whose sender_ip is the VIP and whose sender_mac is not ours.
tl::expected<ArpPacket, ArpReject> parse_arp(std::span<const std::uint8_t> frame);

}  // namespace halo::net
