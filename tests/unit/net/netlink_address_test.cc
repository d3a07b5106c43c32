// Tests for the rtnetlink address codec: golden request bytes, build -> parse round trips,
// label and lifetime rules, kernel-style notifications, acks, and malformed input.
//
// Golden bytes are written out field by field from the struct layouts (netlink is host byte
// order; these tests assume little-endian, as on every machine halo runs on):
//   nlmsghdr       u32 len, u16 type, u16 flags, u32 seq, u32 pid            16 bytes
//   ifaddrmsg      u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index      8 bytes
//   nlattr         u16 len (header + payload, unpadded), u16 type, payload padded to 4
//   ifa_cacheinfo  u32 preferred, u32 valid, u32 cstamp, u32 tstamp          16 bytes
// The IPv4 request was also cross-checked against `strace -e sendmsg ip -n NS addr add
// 192.0.2.10/24 brd 192.0.2.255 dev veth-a valid_lft 30 preferred_lft 20 label veth-a:vip`
// run inside a throw-away network namespace: the bytes are identical apart from nlmsg_seq.
// In the same kind of namespace these builders were sent to the kernel (6.18) over a libmnl
// socket and every ack and RTNLGRP_IPV4/IPV6_IFADDR notification that came back parsed,
// the expiry of a finite lifetime included (RTM_NEWADDR deprecated, then RTM_DELADDR).
#include "net/netlink_address.h"

#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include "support/netlink_bytes.h"

namespace halo::net {
namespace {

using halo::testing::Bytes;
using halo::testing::bytes_of;
using halo::testing::cut_short;
using halo::testing::ip;
using halo::testing::prefix;
using halo::testing::random_message;
using halo::testing::with_trailing_junk;

// The IPv4 VIP of the golden test: what `ip addr add` above asks for.
AddressRequest v4_vip() {
  AddressRequest r;
  r.ifindex = 3;
  r.interface_name = "veth-a";
  r.prefix = prefix("192.0.2.10/24");
  r.broadcast = ip("192.0.2.255");
  r.label = "veth-a:vip";
  r.lifetime = AddressLifetime{.valid = 30, .preferred = 20};
  return r;
}

AddressRequest v6_vip() {
  AddressRequest r;
  r.ifindex = 3;
  r.interface_name = "veth-a";
  r.prefix = prefix("2001:db8::10/64");
  r.flags.nodad = true;
  return r;
}

Bytes build_new(const AddressRequest& r, std::uint32_t seq, bool replace) {
  Bytes buf(kMaxAddressMessageSize);
  auto n = build_new_address(r, seq, buf, replace);
  return bytes_of(n, buf);
}

TEST(NetlinkAddressTest, GoldenIpv4NewAddress) {
  const Bytes expected = {
      // nlmsghdr: len 84, RTM_NEWADDR (20), REQUEST|ACK|EXCL|CREATE (0x605), seq 1, pid 0
      0x54, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // ifaddrmsg: AF_INET, /24, flags 0, RT_SCOPE_UNIVERSE, ifindex 3
      0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
      // IFA_LOCAL (2), 8 bytes: 192.0.2.10
      0x08, 0x00, 0x02, 0x00, 0xc0, 0x00, 0x02, 0x0a,
      // IFA_BROADCAST (4): 192.0.2.255
      0x08, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0xff,
      // IFA_LABEL (3), 4 + 11 = 15 bytes: "veth-a:vip\0", padded to 16
      0x0f, 0x00, 0x03, 0x00, 'v', 'e', 't', 'h', '-', 'a', ':', 'v', 'i', 'p', 0x00, 0x00,
      // IFA_ADDRESS (1): 192.0.2.10 again (no peer)
      0x08, 0x00, 0x01, 0x00, 0xc0, 0x00, 0x02, 0x0a,
      // IFA_CACHEINFO (6), 20 bytes: preferred 20, valid 30, cstamp 0, tstamp 0
      0x14, 0x00, 0x06, 0x00, 0x14, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(build_new(v4_vip(), 1, false), expected);
}

TEST(NetlinkAddressTest, GoldenIpv6NewAddressForever) {
  const Bytes expected = {
      // nlmsghdr: len 64, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq 2
      0x40, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // ifaddrmsg: AF_INET6 (10), /64, IFA_F_NODAD (0x02), universe, ifindex 3
      0x0a, 0x40, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00,
      // IFA_ADDRESS (1), 20 bytes: 2001:db8::10 (IPv6 sends no IFA_LOCAL without a peer)
      0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x10,
      // IFA_CACHEINFO: preferred and valid forever (0xffffffff)
      0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(build_new(v6_vip(), 2, false), expected);
}

TEST(NetlinkAddressTest, GoldenIpv6RenewalWithWideFlags) {
  auto r = v6_vip();
  r.flags.noprefixroute = true;   // 0x200
  r.flags.managetempaddr = true;  // 0x100
  r.lifetime = AddressLifetime{.valid = 3, .preferred = 3};
  const Bytes expected = {
      // nlmsghdr: len 72, RTM_NEWADDR, REQUEST|ACK|REPLACE|CREATE (0x505), seq 7
      0x48, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x05, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // ifaddrmsg: ifa_flags holds the low 8 bits only (NODAD)
      0x0a, 0x40, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00,
      // IFA_ADDRESS
      0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x10,
      // IFA_CACHEINFO: preferred 3, valid 3
      0x14, 0x00, 0x06, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00,
      // IFA_FLAGS (8), u32 0x302: NODAD | MANAGETEMPADDR | NOPREFIXROUTE
      0x08, 0x00, 0x08, 0x00, 0x02, 0x03, 0x00, 0x00};
  EXPECT_EQ(build_new(r, 7, true), expected);
}

TEST(NetlinkAddressTest, GoldenIpv4DelAddress) {
  const Bytes expected = {// nlmsghdr: len 56, RTM_DELADDR (21), REQUEST|ACK (0x5), seq 9
                          0x38, 0x00, 0x00, 0x00, 0x15, 0x00, 0x05, 0x00, 0x09, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x00,
                          // ifaddrmsg: AF_INET, /24, flags 0, universe, ifindex 3
                          0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
                          // IFA_LOCAL, IFA_LABEL, IFA_ADDRESS; no broadcast, no lifetimes
                          0x08, 0x00, 0x02, 0x00, 0xc0, 0x00, 0x02, 0x0a,  //
                          0x0f, 0x00, 0x03, 0x00, 'v', 'e', 't', 'h', '-', 'a', ':', 'v', 'i', 'p',
                          0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0xc0, 0x00, 0x02, 0x0a};
  Bytes buf(kMaxAddressMessageSize);
  auto n = build_del_address(v4_vip(), 9, buf);
  ASSERT_TRUE(n.has_value()) << n.error().message;
  buf.resize(*n);
  EXPECT_EQ(buf, expected);
}

TEST(NetlinkAddressTest, PeerGoesInIfaAddress) {
  auto r = v4_vip();
  r.label.reset();
  r.broadcast.reset();
  r.prefix = prefix("192.0.2.10/32");
  r.peer = ip("198.51.100.1");
  const auto bytes = build_new(r, 1, false);
  // IFA_LOCAL at offset 24, IFA_ADDRESS right after it.
  ASSERT_GE(bytes.size(), 40u);
  EXPECT_EQ(Bytes(bytes.begin() + 28, bytes.begin() + 32), (Bytes{192, 0, 2, 10}));
  EXPECT_EQ(Bytes(bytes.begin() + 36, bytes.begin() + 40), (Bytes{198, 51, 100, 1}));
  auto parsed = parse_address_message(bytes);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->address.peer, ip("198.51.100.1"));
  EXPECT_EQ(parsed->address.prefix, prefix("192.0.2.10/32"));
}

// Requests and notifications share the layout, so a built request parses back to itself.
TEST(NetlinkAddressTest, RoundTrip) {
  auto v4_site = v4_vip();
  v4_site.scope = AddressScope::Site;
  v4_site.flags.noprefixroute = true;
  auto v4_host = v4_vip();
  v4_host.scope = AddressScope::Host;
  v4_host.broadcast.reset();
  v4_host.label.reset();
  v4_host.prefix = prefix("198.51.100.7/32");
  auto v6_all = v6_vip();
  v6_all.scope = AddressScope::Link;
  v6_all.flags = AddressFlags{true, true, true, true};
  v6_all.lifetime = AddressLifetime{.valid = 3, .preferred = 1};
  auto v6_peer = v6_vip();
  v6_peer.peer = ip("2001:db8:1::1");
  v6_peer.prefix = prefix("2001:db8::10/128");

  for (const auto& request : {v4_vip(), v4_site, v4_host, v6_vip(), v6_all, v6_peer}) {
    for (bool replace : {false, true}) {
      SCOPED_TRACE(request.prefix.to_string() + (replace ? " replace" : " create"));
      const auto bytes = build_new(request, 42, replace);
      auto parsed = parse_address_message(bytes);
      ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
      EXPECT_EQ(parsed->event, AddressEvent::Added);
      EXPECT_EQ(parsed->seq, 42u);
      EXPECT_EQ((parsed->nlmsg_flags & NLM_F_REPLACE) != 0, replace);
      EXPECT_EQ((parsed->nlmsg_flags & NLM_F_EXCL) != 0, !replace);
      EXPECT_TRUE(parsed->has_cacheinfo);
      auto expected = request;
      expected.interface_name.clear();  // never sent
      EXPECT_EQ(parsed->address, expected);
    }
    Bytes buf(kMaxAddressMessageSize);
    auto n = build_del_address(request, 43, buf);
    ASSERT_TRUE(n.has_value()) << n.error().message;
    auto parsed = parse_address_message(std::span(buf).first(*n));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(parsed->event, AddressEvent::Removed);
    EXPECT_EQ(parsed->address.prefix, request.prefix);
    EXPECT_EQ(parsed->address.label, request.label);
    EXPECT_EQ(parsed->address.peer, request.peer);
    EXPECT_FALSE(parsed->has_cacheinfo);
    EXPECT_TRUE(parsed->address.lifetime.is_forever());
  }
}

TEST(NetlinkAddressTest, Lifetimes) {
  struct Case {
    const char* description;
    AddressLifetime lifetime;
    bool ok;
  };
  const Case cases[] = {
      {"forever", {kForeverLifetime, kForeverLifetime}, true},
      {"finite VIP lease", {3, 3}, true},
      {"deprecated at once", {3, 0}, true},
      {"finite valid, preferred forever", {3, kForeverLifetime}, false},
      {"preferred longer than valid", {3, 4}, false},
      {"valid 0", {0, 0}, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.description);
    for (auto request : {v4_vip(), v6_vip()}) {
      request.lifetime = c.lifetime;
      Bytes buf(kMaxAddressMessageSize);
      auto n = build_new_address(request, 1, buf, true);
      ASSERT_EQ(n.has_value(), c.ok);
      if (!c.ok) continue;
      auto parsed = parse_address_message(std::span(buf).first(*n));
      ASSERT_TRUE(parsed.has_value());
      EXPECT_EQ(parsed->address.lifetime, c.lifetime);
      EXPECT_EQ(parsed->address.lifetime.is_forever(), c.lifetime.is_forever());
    }
  }
}

TEST(NetlinkAddressTest, LabelRules) {
  struct Case {
    const char* label;
    const char* interface_name;
    bool ok;
  };
  const Case cases[] = {
      {"eth0", "eth0", true},
      {"eth0:vip", "eth0", true},
      {"eth0:123456789A", "eth0", true},  // 15 characters: the longest
      {"eth0:123456789AB", "eth0", false},
      {"", "eth0", false},
      {"vip", "eth0", false},
      {"eth1:vip", "eth0", false},
      {"eth:vip", "eth0", false},
      {"eth0:vip", "", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    EXPECT_EQ(check_label(c.label, c.interface_name).has_value(), c.ok);
    auto request = v4_vip();
    request.label = c.label;
    request.interface_name = c.interface_name;
    Bytes buf(kMaxAddressMessageSize);
    EXPECT_EQ(build_new_address(request, 1, buf, false).has_value(), c.ok);
    EXPECT_EQ(build_del_address(request, 1, buf).has_value(), c.ok);
  }
  EXPECT_FALSE(check_label(std::string_view("eth0\0x", 6), "eth0").has_value());
}

TEST(NetlinkAddressTest, InvalidRequests) {
  std::vector<std::pair<const char*, AddressRequest>> cases;
  auto r = v4_vip();
  r.ifindex = 0;
  cases.emplace_back("ifindex 0", r);
  r = v4_vip();
  r.prefix.length = 33;
  cases.emplace_back("prefix too long", r);
  r = v6_vip();
  r.label = "veth-a:v6";
  cases.emplace_back("IPv6 label", r);
  r = v6_vip();
  r.broadcast = ip("192.0.2.255");
  cases.emplace_back("IPv6 broadcast", r);
  r = v4_vip();
  r.peer = ip("2001:db8::1");
  cases.emplace_back("peer of another family", r);
  r = v4_vip();
  r.broadcast = ip("2001:db8::ff");
  cases.emplace_back("IPv6 broadcast on IPv4", r);
  for (const auto& [description, request] : cases) {
    SCOPED_TRACE(description);
    Bytes buf(kMaxAddressMessageSize);
    EXPECT_FALSE(build_new_address(request, 1, buf, false).has_value());
  }
}

TEST(NetlinkAddressTest, BufferTooSmall) {
  const auto full = build_new(v4_vip(), 1, false);
  for (std::size_t size = 0; size < full.size(); ++size) {
    SCOPED_TRACE(size);
    Bytes buf(size);
    EXPECT_FALSE(build_new_address(v4_vip(), 1, buf, false).has_value());
  }
  // Exactly enough fits, into a buffer of any alignment.
  Bytes big(full.size() + 1);
  auto n = build_new_address(v4_vip(), 1, std::span(big).subspan(1), false);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(Bytes(big.begin() + 1, big.end()), full);
}

// An RTM_NEWADDR as the kernel sends it to RTNLGRP_IPV4_IFADDR (inet_fill_ifaddr): ADDRESS,
// LOCAL, LABEL, FLAGS, CACHEINFO with timestamps, plus IFA_PROTO and an attribute type from
// the future, both of which the parser skips.
TEST(NetlinkAddressTest, KernelStyleIpv4Notification) {
  const Bytes bytes = {// nlmsghdr: len 96, RTM_NEWADDR, flags 0, seq 0, pid 0
                       0x60, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                       0x00, 0x00, 0x00,
                       // ifaddrmsg: AF_INET, /24, IFA_F_PERMANENT (0x80), universe, ifindex 5
                       0x02, 0x18, 0x80, 0x00, 0x05, 0x00, 0x00, 0x00,
                       // IFA_ADDRESS, IFA_LOCAL: 198.51.100.20
                       0x08, 0x00, 0x01, 0x00, 0xc6, 0x33, 0x64, 0x14,  //
                       0x08, 0x00, 0x02, 0x00, 0xc6, 0x33, 0x64, 0x14,
                       // IFA_LABEL "eth1\0", padded
                       0x09, 0x00, 0x03, 0x00, 'e', 't', 'h', '1', 0x00, 0x00, 0x00, 0x00,
                       // IFA_FLAGS 0x280: PERMANENT | NOPREFIXROUTE
                       0x08, 0x00, 0x08, 0x00, 0x80, 0x02, 0x00, 0x00,
                       // IFA_CACHEINFO: preferred 17, valid 27, cstamp 1000, tstamp 2000
                       0x14, 0x00, 0x06, 0x00, 0x11, 0x00, 0x00, 0x00, 0x1b, 0x00, 0x00, 0x00, 0xe8,
                       0x03, 0x00, 0x00, 0xd0, 0x07, 0x00, 0x00,
                       // IFA_PROTO (11), u8 padded; then type 60 (unknown), 4 bytes
                       0x05, 0x00, 0x0b, 0x00, 0x02, 0x00, 0x00, 0x00,  //
                       0x08, 0x00, 0x3c, 0x00, 0xde, 0xad, 0xbe, 0xef};
  ASSERT_EQ(bytes.size(), 96u);
  auto m = parse_address_message(bytes);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->event, AddressEvent::Added);
  EXPECT_EQ(m->address.ifindex, 5u);
  EXPECT_EQ(m->address.prefix, prefix("198.51.100.20/24"));
  EXPECT_FALSE(m->address.peer.has_value());
  EXPECT_EQ(m->address.label, "eth1");
  EXPECT_EQ(m->address.scope, AddressScope::Universe);
  EXPECT_EQ(m->raw_flags, static_cast<std::uint32_t>(IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE));
  EXPECT_EQ(m->address.flags, (AddressFlags{.noprefixroute = true}));
  EXPECT_EQ(m->address.lifetime, (AddressLifetime{.valid = 27, .preferred = 17}));

  // The same as RTM_DELADDR.
  Bytes del = bytes;
  del[4] = RTM_DELADDR;
  auto d = parse_address_message(del);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->event, AddressEvent::Removed);
}

TEST(NetlinkAddressTest, MalformedMessagesAreErrors) {
  const auto good = build_new(v4_vip(), 1, false);
  struct Case {
    const char* description;
    std::size_t offset;
    std::uint8_t value;
  };
  const Case cases[] = {
      {"not an address message", 4, RTM_NEWLINK},
      {"family AF_UNIX", 16, 1},
      {"prefix length 33", 17, 33},
      {"IFA_LOCAL of 5 bytes", 24, 9},
      {"IFA_LOCAL longer than the message", 24, 0xfc},
      {"label without NUL", 54, 'x'},
      {"IFA_CACHEINFO of 15 bytes", 64, 0x13},
      {"nlmsg_len past the buffer", 0, 0x58},
      {"nlmsg_len below the header", 0, 0x0f},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.description);
    Bytes bad = good;
    bad[c.offset] = c.value;
    EXPECT_FALSE(parse_address_message(bad).has_value());
  }
  // Four bytes after the last attribute that are not an attribute (nla_len 2).
  EXPECT_FALSE(parse_address_message(with_trailing_junk(good)).has_value());
  // Without IFA_LOCAL and IFA_ADDRESS there is no address: keep only the header and ifaddrmsg.
  Bytes bare(good.begin(), good.begin() + 24);
  bare[0] = 24;
  EXPECT_FALSE(parse_address_message(bare).has_value());
  bare[0] = 20;  // not even a full ifaddrmsg
  EXPECT_FALSE(parse_address_message(std::span(bare).first(20)).has_value());
}

TEST(NetlinkAddressTest, TruncatedMessagesNeverCrash) {
  for (const auto& full : {build_new(v4_vip(), 1, false), build_new(v6_vip(), 1, true)}) {
    for (std::size_t size = 0; size < full.size(); ++size) {
      // The buffer ends early while nlmsg_len still says the full length: always an error.
      EXPECT_FALSE(parse_address_message(std::span(full).first(size)).has_value()) << size;
      // nlmsg_len agrees with the short buffer (unaligned, mid-attribute): no out-of-bounds
      // read; whatever parses must still be a sane address.
      auto m = parse_address_message(cut_short(full, size));
      if (m) {
        EXPECT_EQ(m->address.prefix.address.family(), full[16] == 2 ? Family::V4 : Family::V6);
      }
    }
  }
}

TEST(NetlinkAddressTest, RandomBuffersNeverCrash) {
  std::mt19937 rng(20261122);
  const Bytes seeds[] = {build_new(v4_vip(), 1, false), build_new(v6_vip(), 2, true)};
  std::size_t parsed = 0;
  for (int i = 0; i < 10000; ++i) {
    // Noise, sometimes with a plausible header, or a valid message with a few bytes flipped.
    const Bytes buf = random_message(rng, i, seeds, 16, RTM_NEWADDR, NLMSG_ERROR);
    if (parse_address_message(buf).has_value()) ++parsed;
    (void)parse_ack(buf);
  }
  // Some mutants must still parse, or the mutation never got past the first check.
  EXPECT_GT(parsed, 100u);
}

// NLMSG_ERROR: u32 len, type 2, flags, seq, pid; then int error and the echoed nlmsghdr.
Bytes make_ack(int error, std::uint32_t seq, std::uint16_t flags = 0, const Bytes& tail = {}) {
  Bytes b(36, 0);
  const std::uint32_t len = static_cast<std::uint32_t>(36 + tail.size());
  std::memcpy(&b[0], &len, 4);
  const std::uint16_t type = NLMSG_ERROR;
  std::memcpy(&b[4], &type, 2);
  std::memcpy(&b[6], &flags, 2);
  std::memcpy(&b[8], &seq, 4);
  std::memcpy(&b[16], &error, 4);
  const std::uint32_t echoed_len = 16;  // the request header alone (capped)
  std::memcpy(&b[20], &echoed_len, 4);
  b.insert(b.end(), tail.begin(), tail.end());
  return b;
}

TEST(NetlinkAddressTest, Acks) {
  auto ok = parse_ack(make_ack(0, 11));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->error, 0);
  EXPECT_EQ(ok->seq, 11u);

  auto exists = parse_ack(make_ack(-EEXIST, 12));
  ASSERT_TRUE(exists.has_value());
  EXPECT_EQ(exists->error, EEXIST);

  // Extended ack with NLMSGERR_ATTR_MSG "bad\0" after the capped request header.
  const Bytes tlv = {0x08, 0x00, 0x01, 0x00, 'b', 'a', 'd', 0x00};
  auto ext = parse_ack(make_ack(-EINVAL, 13, NLM_F_CAPPED | NLM_F_ACK_TLVS, tlv));
  ASSERT_TRUE(ext.has_value());
  EXPECT_EQ(ext->error, EINVAL);
  EXPECT_EQ(ext->message, "bad");

  EXPECT_FALSE(parse_ack(make_ack(5, 14)).has_value());                // positive error
  EXPECT_FALSE(parse_ack(build_new(v4_vip(), 1, false)).has_value());  // not NLMSG_ERROR
  const auto full = make_ack(0, 15);
  EXPECT_FALSE(parse_ack(std::span(full).first(20)).has_value());  // truncated
  // Uncapped with an echoed request length past the message.
  auto bogus = make_ack(-EINVAL, 16, NLM_F_ACK_TLVS);
  bogus[20] = 0xff;
  EXPECT_FALSE(parse_ack(bogus).has_value());
}

}  // namespace
}  // namespace halo::net
