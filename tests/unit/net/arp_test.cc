#include "net/arp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace halo::net {
namespace {

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}
MacAddress mac(const char* text) {
  return *MacAddress::parse(text);
}

std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::string digits;
  for (const char c : text) {
    if (c != ' ' && c != '\n') digits += c;
  }
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<std::uint8_t> bytes(const ArpFrame& frame) {
  return {frame.begin(), frame.end()};
}

// --- MacAddress -------------------------------------------------------------------------

TEST(MacAddressTest, ParsesAndFormats) {
  const auto m = MacAddress::parse("02:00:5E:00:01:33");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->bytes(), (std::array<std::uint8_t, 6>{0x02, 0x00, 0x5e, 0x00, 0x01, 0x33}));
  EXPECT_EQ(m->to_string(), "02:00:5e:00:01:33");
  EXPECT_TRUE(m->is_locally_administered());
  EXPECT_FALSE(m->is_multicast());
}

TEST(MacAddressTest, RejectsMalformed) {
  for (const char* text : {"", "02:00:5e:00:01", "02:00:5e:00:01:3", "02:00:5e:00:01:333",
                           "02-00-5e-00-01-33", "02:00:5e:00:01:3g", "0200.5e00.0133",
                           "02:00:5e:00:01:33:", " 2:00:5e:00:01:33", "02:00:5e:00:01: 3"}) {
    EXPECT_FALSE(MacAddress::parse(text)) << text;
  }
}

TEST(MacAddressTest, VrrpMacsAndClasses) {
  EXPECT_EQ(MacAddress::vrrp_v4(0x33), mac("00:00:5e:00:01:33"));  // RFC 5798 §7.3
  EXPECT_EQ(MacAddress::vrrp_v6(7), mac("00:00:5e:00:02:07"));
  EXPECT_TRUE(MacAddress().is_zero());
  EXPECT_TRUE(MacAddress::broadcast().is_broadcast());
  EXPECT_TRUE(MacAddress::broadcast().is_multicast());
  EXPECT_TRUE(mac("01:00:5e:00:00:12").is_multicast());
  EXPECT_FALSE(MacAddress::vrrp_v4(1).is_locally_administered());
}

// --- build_gratuitous_arp ---------------------------------------------------------------

TEST(GratuitousArpTest, GoldenBytesVrrpMac) {
  const auto frame = build_gratuitous_arp(ip("192.0.2.10"), MacAddress::vrrp_v4(0x33));
  ASSERT_TRUE(frame) << frame.error().message;
  EXPECT_EQ(bytes(*frame), hex("ffffffffffff 00005e000133 0806"  // Ethernet: bcast, VMAC, ARP
                               "0001 0800 06 04 0001"            // Ethernet/IPv4, request
                               "00005e000133 c000020a"           // sender: VMAC, 192.0.2.10
                               "ffffffffffff c000020a"));        // target: bcast, 192.0.2.10
}

TEST(GratuitousArpTest, GoldenBytesRfc5227ZeroTarget) {
  const auto frame =
      build_gratuitous_arp(ip("198.51.100.7"), mac("02:00:00:00:00:01"), ArpTargetMac::Zero);
  ASSERT_TRUE(frame) << frame.error().message;
  EXPECT_EQ(bytes(*frame), hex("ffffffffffff 020000000001 0806"
                               "0001 0800 06 04 0001"
                               "020000000001 c6336407"
                               "000000000000 c6336407"));
}

TEST(GratuitousArpTest, RefusesWhatCannotBeAnnounced) {
  EXPECT_FALSE(build_gratuitous_arp(ip("2001:db8::1"), MacAddress::vrrp_v4(1)));
  EXPECT_FALSE(build_gratuitous_arp(ip("192.0.2.1"), MacAddress()));
  EXPECT_FALSE(build_gratuitous_arp(ip("192.0.2.1"), MacAddress::broadcast()));
  EXPECT_FALSE(build_gratuitous_arp(ip("192.0.2.1"), mac("01:00:5e:00:00:12")));
}

// --- parse_arp --------------------------------------------------------------------------

TEST(ParseArpTest, RoundTripsBuiltFrames) {
  for (const auto target : {ArpTargetMac::Broadcast, ArpTargetMac::Zero}) {
    for (const char* vip : {"192.0.2.1", "192.0.2.254", "198.51.100.42"}) {
      const MacAddress m = MacAddress::vrrp_v4(0x2a);
      const auto frame = build_gratuitous_arp(ip(vip), m, target);
      ASSERT_TRUE(frame);
      const auto packet = parse_arp(*frame);
      ASSERT_TRUE(packet) << to_string(packet.error());
      EXPECT_EQ(packet->frame_destination, MacAddress::broadcast());
      EXPECT_EQ(packet->frame_source, m);
      EXPECT_EQ(packet->operation, ArpOperation::Request);
      EXPECT_EQ(packet->sender_mac, m);
      EXPECT_EQ(packet->sender_ip, ip(vip));
      EXPECT_EQ(packet->target_ip, ip(vip));
      EXPECT_EQ(packet->target_mac,
                target == ArpTargetMac::Broadcast ? MacAddress::broadcast() : MacAddress());
      EXPECT_TRUE(packet->is_announcement());
      EXPECT_FALSE(packet->is_probe());
    }
  }
}

TEST(ParseArpTest, ReadsAReplyAndIgnoresPadding) {
  // 198.51.100.1 at 02:00:00:00:00:02 answers 198.51.100.2 at 02:00:00:00:00:03, padded
  // to Ethernet's 60-byte minimum as it arrives from the wire.
  auto frame =
      hex("020000000003 020000000002 0806 0001 0800 06 04 0002"
          "020000000002 c6336401 020000000003 c6336402");
  frame.resize(60, 0);
  const auto packet = parse_arp(frame);
  ASSERT_TRUE(packet) << to_string(packet.error());
  EXPECT_EQ(packet->operation, ArpOperation::Reply);
  EXPECT_EQ(packet->sender_mac, mac("02:00:00:00:00:02"));
  EXPECT_EQ(packet->sender_ip, ip("198.51.100.1"));
  EXPECT_EQ(packet->target_mac, mac("02:00:00:00:00:03"));
  EXPECT_EQ(packet->target_ip, ip("198.51.100.2"));
  EXPECT_FALSE(packet->is_announcement());
}

TEST(ParseArpTest, AcceptsAnRfc5227Probe) {
  const auto frame =
      hex("ffffffffffff 020000000002 0806 0001 0800 06 04 0001"
          "020000000002 00000000 000000000000 c000020a");
  const auto packet = parse_arp(frame);
  ASSERT_TRUE(packet) << to_string(packet.error());
  EXPECT_TRUE(packet->is_probe());
  EXPECT_EQ(packet->target_ip, ip("192.0.2.10"));
}

struct RejectCase {
  const char* description;
  std::size_t offset;                 // byte of the good frame to overwrite
  std::vector<std::uint8_t> replace;  // with these
  ArpReject expected;
};

TEST(ParseArpTest, RejectsByReason) {
  const std::vector<RejectCase> cases = {
      {"IPv4 EtherType", 12, {0x08, 0x00}, ArpReject::NotArp},
      {"802.1Q tag", 12, {0x81, 0x00}, ArpReject::NotArp},
      {"hardware type 6 (IEEE 802)", 14, {0x00, 0x06}, ArpReject::BadHardwareType},
      {"hardware length 8", 18, {0x08}, ArpReject::BadHardwareType},
      {"protocol IPv6", 16, {0x86, 0xdd}, ArpReject::BadProtocolType},
      {"protocol length 16", 19, {0x10}, ArpReject::BadProtocolType},
      {"operation 0", 20, {0x00, 0x00}, ArpReject::BadOperation},
      {"operation 3 (RARP request)", 20, {0x00, 0x03}, ArpReject::BadOperation},
      {"sender MAC zero", 22, {0, 0, 0, 0, 0, 0}, ArpReject::BadSenderMac},
      {"sender MAC broadcast", 22, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, ArpReject::BadSenderMac},
      {"sender MAC multicast", 22, {0x01, 0x00, 0x5e, 0, 0, 0x12}, ArpReject::BadSenderMac},
      {"sender IP multicast", 28, {224, 0, 0, 18}, ArpReject::BadSenderIp},
      {"sender IP broadcast", 28, {255, 255, 255, 255}, ArpReject::BadSenderIp},
      {"sender IP loopback", 28, {127, 0, 0, 1}, ArpReject::BadSenderIp},
  };
  const auto good = build_gratuitous_arp(ip("192.0.2.10"), MacAddress::vrrp_v4(1));
  ASSERT_TRUE(good);
  ASSERT_TRUE(parse_arp(*good));
  ArpRejectCounters counters;
  for (const auto& c : cases) {
    auto frame = bytes(*good);
    std::copy(c.replace.begin(), c.replace.end(), frame.begin() + c.offset);
    const auto result = parse_arp(frame);
    ASSERT_FALSE(result) << c.description;
    EXPECT_EQ(result.error(), c.expected) << c.description << ": " << to_string(result.error());
    counters.add(result.error());
  }
  EXPECT_EQ(counters.total(), cases.size());
  EXPECT_EQ(counters.count(ArpReject::BadSenderMac), 3u);
}

TEST(ParseArpTest, EveryTruncationIsTooShort) {
  const auto frame = build_gratuitous_arp(ip("192.0.2.10"), MacAddress::vrrp_v4(1));
  ASSERT_TRUE(frame);
  for (std::size_t length = 0; length < frame->size(); ++length) {
    // A copy of exactly `length` bytes, so a read past it is caught by ASan/_GLIBCXX_ASSERTIONS.
    const std::vector<std::uint8_t> prefix(frame->begin(), frame->begin() + length);
    const auto result = parse_arp(prefix);
    ASSERT_FALSE(result) << length;
    EXPECT_EQ(result.error(), ArpReject::TooShort) << length;
  }
  EXPECT_TRUE(parse_arp(*frame));
}

TEST(ParseArpTest, RandomBuffersNeverCrash) {
  std::mt19937 rng(20261122);  // fixed seed: the same 10,000 buffers every run
  const auto good = build_gratuitous_arp(ip("192.0.2.10"), MacAddress::vrrp_v4(1));
  ASSERT_TRUE(good);
  std::size_t accepted = 0;
  for (int i = 0; i < 10000; ++i) {
    std::vector<std::uint8_t> buffer;
    if (i % 2 == 0) {
      // Pure noise of any length up to a padded frame and a bit.
      buffer.resize(rng() % 80);
      for (auto& b : buffer) b = static_cast<std::uint8_t>(rng());
    } else {
      // A good frame with a few bytes flipped and its length cut or extended, so the checks
      // past the EtherType get exercised too.
      buffer = bytes(*good);
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        buffer[rng() % buffer.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
      }
      buffer.resize(30 + rng() % 40, 0);
    }
    const auto result = parse_arp(buffer);
    if (result) {
      ++accepted;
      EXPECT_GE(buffer.size(), kArpFrameSize);
      EXPECT_FALSE(result->sender_mac.is_multicast());
    } else {
      EXPECT_LT(static_cast<std::size_t>(result.error()), kArpRejectReasons);
      EXPECT_NE(to_string(result.error()), "unknown");
    }
  }
  EXPECT_GT(accepted, 0u);  // the mutations do reach the end of the parser
}

TEST(ParseArpTest, ReasonNamesAreDistinct) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kArpRejectReasons; ++i) {
    names.insert(to_string(static_cast<ArpReject>(i)));
  }
  EXPECT_EQ(names.size(), kArpRejectReasons);
  EXPECT_EQ(names.count("unknown"), 0u);
}

}  // namespace
}  // namespace halo::net
