// Gratuitous ARP frames and the ARP parser: bytes in, bytes out, no sockets.
//
// An ARP packet for IPv4 over Ethernet (RFC 826) is 28 bytes behind a 14-byte Ethernet
// header:
//
//   Ethernet:  0: destination MAC (6)   6: source MAC (6)   12: EtherType 0x0806
//   ARP:       0: ar$hrd = 1 (Ethernet)    2: ar$pro = 0x0800 (IPv4)
//              4: ar$hln = 6   5: ar$pln = 4   6: ar$op (1 request, 2 reply)
//              8: sender MAC   14: sender IP   18: target MAC   24: target IP
//
// When a VRRP router becomes master it must broadcast a gratuitous ARP for each IPv4
// virtual address (RFC 5798 §6.4.1). We send the form RFC 5227 §3 calls an ARP Announcement
// and RFC 5944 §4.6 a gratuitous ARP: a request, broadcast, with the virtual address as both
// sender and target IP, so that every host that has the address cached updates it
// (RFC 826's "merge" step) without any host answering. keepalived sends the same frame
// (vrrp_arp.c), with ff:ff:ff:ff:ff:ff as the target hardware address; RFC 5227 §2.1.1
// asks for zero there. Receivers ignore the field, so the keepalived form is the default
// and the RFC form an option.
//
// parse_arp() serves duplicate detection: a host other than the master that claims a
// virtual address (an ARP reply or announcement with the VIP as sender) is a split brain or
// an address conflict the operator should see. It reads untrusted frames, so every field is
// checked and every refusal is a reason the caller counts; it indexes the span only after
// checking its length.
#include "net/arp.h"

#include <cstdio>

namespace halo::net {
namespace {

constexpr std::size_t kSenderMacOffset = 8;
constexpr std::size_t kSenderIpOffset = 14;
constexpr std::size_t kTargetMacOffset = 18;
constexpr std::size_t kTargetIpOffset = 24;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void put_u16(std::uint8_t* out, std::uint16_t value) {
  out[0] = static_cast<std::uint8_t>(value >> 8);
  out[1] = static_cast<std::uint8_t>(value & 0xff);
}

std::uint16_t get_u16(std::span<const std::uint8_t> in, std::size_t offset) {
  return static_cast<std::uint16_t>((in[offset] << 8) | in[offset + 1]);
}

MacAddress get_mac(std::span<const std::uint8_t> in, std::size_t offset) {
  std::array<std::uint8_t, 6> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = in[offset + i];
  return MacAddress(bytes);
}

IpAddress get_ipv4(std::span<const std::uint8_t> in, std::size_t offset) {
  return IpAddress::v4({in[offset], in[offset + 1], in[offset + 2], in[offset + 3]});
}

void put_bytes(std::uint8_t* out, std::span<const std::uint8_t> bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = bytes[i];
}

}  // namespace

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
  // "xx:xx:xx:xx:xx:xx": 6 * 2 digits + 5 colons.
  if (text.size() != 17) return std::nullopt;
  std::array<std::uint8_t, 6> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::size_t at = i * 3;
    if (i > 0 && text[at - 1] != ':') return std::nullopt;
    const int high = hex_digit(text[at]);
    const int low = hex_digit(text[at + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return MacAddress(bytes);
}

std::string MacAddress::to_string() const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", bytes_[0], bytes_[1], bytes_[2],
                bytes_[3], bytes_[4], bytes_[5]);
  return buf;
}

Result<ArpFrame> build_gratuitous_arp(const IpAddress& vip, const MacAddress& mac,
                                      ArpTargetMac target_mac) {
  if (!vip.is_v4()) return fail("gratuitous ARP needs an IPv4 address, not " + vip.to_string());
  if (mac.is_zero() || mac.is_multicast()) {
    return fail("gratuitous ARP needs a unicast source MAC, not " + mac.to_string());
  }
  const std::span<const std::uint8_t> ip(vip.bytes().data(), 4);
  const MacAddress target =
      target_mac == ArpTargetMac::Broadcast ? MacAddress::broadcast() : MacAddress();

  ArpFrame frame{};
  std::uint8_t* eth = frame.data();
  put_bytes(eth, MacAddress::broadcast().bytes());
  put_bytes(eth + 6, mac.bytes());
  put_u16(eth + 12, kEtherTypeArp);

  std::uint8_t* arp = eth + kEthernetHeaderSize;
  put_u16(arp, kArpHardwareEthernet);
  put_u16(arp + 2, kEtherTypeIpv4);
  arp[4] = 6;
  arp[5] = 4;
  put_u16(arp + 6, static_cast<std::uint16_t>(ArpOperation::Request));
  put_bytes(arp + kSenderMacOffset, mac.bytes());
  put_bytes(arp + kSenderIpOffset, ip);
  put_bytes(arp + kTargetMacOffset, target.bytes());
  put_bytes(arp + kTargetIpOffset, ip);
  return frame;
}

std::string_view to_string(ArpReject reason) {
  switch (reason) {
    case ArpReject::TooShort:
      return "too_short";
    case ArpReject::NotArp:
      return "not_arp";
    case ArpReject::BadHardwareType:
      return "bad_hardware_type";
    case ArpReject::BadProtocolType:
      return "bad_protocol_type";
    case ArpReject::BadOperation:
      return "bad_operation";
    case ArpReject::BadSenderMac:
      return "bad_sender_mac";
    case ArpReject::BadSenderIp:
      return "bad_sender_ip";
  }
  return "unknown";
}

tl::expected<ArpPacket, ArpReject> parse_arp(std::span<const std::uint8_t> frame) {
  if (frame.size() < kArpFrameSize) return tl::unexpected(ArpReject::TooShort);
  if (get_u16(frame, 12) != kEtherTypeArp) return tl::unexpected(ArpReject::NotArp);

  // Only now, with kArpFrameSize bytes known to be there, look at the body.
  const auto arp = frame.subspan(kEthernetHeaderSize, kArpBodySize);
  if (get_u16(arp, 0) != kArpHardwareEthernet || arp[4] != 6) {
    return tl::unexpected(ArpReject::BadHardwareType);
  }
  if (get_u16(arp, 2) != kEtherTypeIpv4 || arp[5] != 4) {
    return tl::unexpected(ArpReject::BadProtocolType);
  }
  const std::uint16_t operation = get_u16(arp, 6);
  if (operation != static_cast<std::uint16_t>(ArpOperation::Request) &&
      operation != static_cast<std::uint16_t>(ArpOperation::Reply)) {
    return tl::unexpected(ArpReject::BadOperation);
  }

  ArpPacket packet;
  packet.frame_destination = get_mac(frame, 0);
  packet.frame_source = get_mac(frame, 6);
  packet.operation = static_cast<ArpOperation>(operation);
  packet.sender_mac = get_mac(arp, kSenderMacOffset);
  packet.sender_ip = get_ipv4(arp, kSenderIpOffset);
  packet.target_mac = get_mac(arp, kTargetMacOffset);
  packet.target_ip = get_ipv4(arp, kTargetIpOffset);

  // A station has one unicast address; a claim from a group address is forged or broken.
  if (packet.sender_mac.is_zero() || packet.sender_mac.is_multicast()) {
    return tl::unexpected(ArpReject::BadSenderMac);
  }
  // 0.0.0.0 stays valid: it is an RFC 5227 probe.
  const auto& ip = packet.sender_ip.bytes();
  const bool limited_broadcast = ip[0] == 255 && ip[1] == 255 && ip[2] == 255 && ip[3] == 255;
  if (packet.sender_ip.is_multicast() || limited_broadcast || ip[0] == 127) {
    return tl::unexpected(ArpReject::BadSenderIp);
  }
  return packet;
}

}  // namespace halo::net
