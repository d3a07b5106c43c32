#include "net/ndisc.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace halo::net {
namespace {

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::string digits;
  for (const char c : text) {
    if (c != ' ') digits += c;
  }
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<std::uint8_t> bytes(const NaMessage& m) {
  return {m.begin(), m.end()};
}

// RFC 1071 verification, written apart from the code under test: the one's-complement sum
// of the pseudo-header and a message that carries its checksum is 0xffff.
std::uint16_t verify_sum(const NaMessage& m, const IpAddress& source,
                         const IpAddress& destination) {
  std::vector<std::uint8_t> all(source.bytes().begin(), source.bytes().end());
  all.insert(all.end(), destination.bytes().begin(), destination.bytes().end());
  for (const std::uint8_t b : {0, 0, 0, 32, 0, 0, 0, 58}) all.push_back(b);
  all.insert(all.end(), m.begin(), m.end());
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < all.size(); i += 2) sum += (all[i] << 8) | all[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

TEST(NdiscTest, AllNodes) {
  EXPECT_EQ(all_nodes_multicast(), ip("ff02::1"));
}

TEST(NdiscTest, GoldenBytesForTheKernelToChecksum) {
  const auto m = build_unsolicited_na({ip("2001:db8::10"), MacAddress::vrrp_v6(7), true});
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(bytes(*m), hex("88 00 0000"                        // type 136, code 0, checksum 0
                           "a0000000"                          // R and O set, S clear
                           "20010db8000000000000000000000010"  // target 2001:db8::10
                           "02 01 00005e000207"));             // TLLA option: the VMAC
}

// The expected checksums were computed once, apart from this code, with a Python one-off:
//
//   import ipaddress, struct
//   def csum(b):
//       s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
//       while s >> 16: s = (s & 0xffff) + (s >> 16)
//       return ~s & 0xffff
//   msg = (bytes([136, 0, 0, 0, 0x20 | (0x80 if router else 0), 0, 0, 0])
//          + ipaddress.IPv6Address(target).packed + bytes([2, 1]) + bytes.fromhex(mac))
//   ph = (ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed
//         + struct.pack('!I', len(msg)) + b'\0\0\0' + bytes([58]))  # RFC 8200 §8.1
//   print(hex(csum(ph + msg)))
struct GoldenCase {
  const char* description;
  const char* target;
  MacAddress mac;
  bool router;
  const char* source;
  const char* expected;
};

TEST(NdiscTest, GoldenBytesWithChecksum) {
  const std::vector<GoldenCase> cases = {
      {"router, VRRP VMAC", "2001:db8::10", MacAddress::vrrp_v6(7), true, "fe80::1",
       "88 00 4a4d a0000000 20010db8000000000000000000000010 02 01 00005e000207"},
      {"host, VRRP VMAC", "2001:db8::10", MacAddress::vrrp_v6(7), false, "fe80::1",
       "88 00 ca4d 20000000 20010db8000000000000000000000010 02 01 00005e000207"},
      {"link-local VIP, local MAC", "fe80::5", MacAddress({0x02, 0, 0, 0, 0, 0x01}), true,
       "fe80::200:ff:fe00:1",
       "88 00 d696 a0000000 fe800000000000000000000000000005 02 01 020000000001"},
  };
  for (const auto& c : cases) {
    const auto m =
        build_unsolicited_na_with_checksum({ip(c.target), c.mac, c.router}, ip(c.source));
    ASSERT_TRUE(m) << c.description << ": " << m.error().message;
    EXPECT_EQ(bytes(*m), hex(c.expected)) << c.description;
    EXPECT_EQ(verify_sum(*m, ip(c.source), ip("ff02::1")), 0xffff) << c.description;
  }
}

TEST(NdiscTest, ChecksumFollowsTheDestination) {
  const UnsolicitedNa na{ip("2001:db8::10"), MacAddress::vrrp_v6(7), true};
  const auto to_all = build_unsolicited_na_with_checksum(na, ip("fe80::1"));
  const auto to_one = build_unsolicited_na_with_checksum(na, ip("fe80::1"), ip("fe80::2"));
  ASSERT_TRUE(to_all);
  ASSERT_TRUE(to_one);
  EXPECT_NE(bytes(*to_all), bytes(*to_one));
  EXPECT_EQ(verify_sum(*to_one, ip("fe80::1"), ip("fe80::2")), 0xffff);
}

TEST(NdiscTest, OnlyTheChecksumDiffersBetweenTheForms) {
  const UnsolicitedNa na{ip("2001:db8:1::abcd"), MacAddress({0x02, 0, 0x5e, 0, 1, 0x33}), false};
  const auto bare = build_unsolicited_na(na);
  const auto summed = build_unsolicited_na_with_checksum(na, ip("fe80::1"));
  ASSERT_TRUE(bare);
  ASSERT_TRUE(summed);
  for (std::size_t i = 0; i < kUnsolicitedNaSize; ++i) {
    if (i == 2 || i == 3) continue;
    EXPECT_EQ((*bare)[i], (*summed)[i]) << i;
  }
  EXPECT_EQ((*bare)[2], 0);
  EXPECT_EQ((*bare)[3], 0);
  EXPECT_EQ((*bare)[4] & 0x40, 0);  // Solicited never set
  EXPECT_EQ((*bare)[4], 0x20);      // Override only
}

TEST(NdiscTest, RefusesWhatCannotBeAdvertised) {
  const MacAddress vmac = MacAddress::vrrp_v6(1);
  EXPECT_FALSE(build_unsolicited_na({ip("192.0.2.1"), vmac, true}));
  EXPECT_FALSE(build_unsolicited_na({ip("ff02::1"), vmac, true}));  // multicast target
  EXPECT_FALSE(build_unsolicited_na({ip("2001:db8::1"), MacAddress(), true}));
  EXPECT_FALSE(build_unsolicited_na({ip("2001:db8::1"), MacAddress::broadcast(), true}));
  EXPECT_FALSE(build_unsolicited_na(
      {ip("2001:db8::1"), MacAddress({0x33, 0x33, 0, 0, 0, 1}), true}));  // IPv6 multicast MAC
  const UnsolicitedNa good{ip("2001:db8::1"), vmac, true};
  EXPECT_FALSE(build_unsolicited_na_with_checksum(good, ip("192.0.2.1")));
  EXPECT_FALSE(build_unsolicited_na_with_checksum(good, ip("fe80::1"), ip("192.0.2.255")));
  EXPECT_TRUE(build_unsolicited_na_with_checksum(good, ip("fe80::1")));
}

}  // namespace
}  // namespace halo::net

namespace halo::net {
namespace {

TEST(ParseNeighborAdvert, ReadsTargetAndTheClaimedMac) {
  const auto vip = *IpAddress::parse("2001:db8::100");
  const auto mac = *MacAddress::parse("02:00:5e:10:20:30");
  const auto built = build_unsolicited_na(UnsolicitedNa{vip, mac, true});
  ASSERT_TRUE(built);
  const auto na = parse_neighbor_advert(*built);
  ASSERT_TRUE(na.has_value());
  EXPECT_EQ(na->target, vip);
  EXPECT_EQ(na->mac, mac);
}

TEST(ParseNeighborAdvert, RefusesWhatIsNotAWellFormedAdvert) {
  const auto vip = *IpAddress::parse("2001:db8::100");
  auto message =
      *build_unsolicited_na(UnsolicitedNa{vip, *MacAddress::parse("02:00:00:00:00:01"), false});
  std::vector<std::uint8_t> bytes(message.begin(), message.end());
  EXPECT_FALSE(parse_neighbor_advert(std::span(bytes).first(23)));  // shorter than the target
  auto other_type = bytes;
  other_type[0] = 135;  // a solicitation
  EXPECT_FALSE(parse_neighbor_advert(other_type));
  auto zero_length = bytes;
  zero_length[25] = 0;  // option length 0 (RFC 4861 §4.6: invalid)
  EXPECT_FALSE(parse_neighbor_advert(zero_length));
  auto overlong = bytes;
  overlong[25] = 2;  // runs past the end
  EXPECT_FALSE(parse_neighbor_advert(overlong));
  const auto no_option = parse_neighbor_advert(std::span(bytes).first(24));
  ASSERT_TRUE(no_option.has_value());
  EXPECT_FALSE(no_option->mac.has_value());
}

}  // namespace
}  // namespace halo::net
