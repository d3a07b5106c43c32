// Tests for the rtnetlink link codec: golden request bytes (macvlan, set up, delete, get,
// dump), build -> parse round trips, kernel-style notifications, and malformed input.
//
// Golden bytes are written out field by field from the struct layouts (netlink is host byte
// order; these tests assume little-endian, as on every machine halo runs on):
//   nlmsghdr   u32 len, u16 type, u16 flags, u32 seq, u32 pid                  16 bytes
//   ifinfomsg  u8 family, u8 pad, u16 type, i32 index, u32 flags, u32 change   16 bytes
//   nlattr     u16 len (header + payload, unpadded), u16 type, payload padded to 4
// libmnl marks nests with NLA_F_NESTED (0x8000) in the type; the kernel accepts both and
// sends its own without it. Notifications are assembled by a small writer below that knows
// nothing of libmnl.
#include "net/netlink_link.h"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "support/netlink_bytes.h"

namespace halo::net {
namespace {

using halo::testing::Bytes;
using halo::testing::bytes_of;
using halo::testing::cut_short;
using halo::testing::random_message;
using halo::testing::with_trailing_junk;

const MacAddress kVmac = MacAddress::vrrp_v4(0x33);  // 00:00:5e:00:01:33

MacvlanRequest vmac() {
  return MacvlanRequest{.name = "vrrp.51", .parent_ifindex = 3, .mac = kVmac, .bridge_mode = false};
}

template <class Builder>
Bytes build(Builder builder) {
  Bytes buf(kMaxLinkMessageSize);
  auto n = builder(std::span<std::uint8_t>(buf));
  return bytes_of(n, buf);
}

// A little-endian netlink message writer for hand-made kernel messages.
class Writer {
 public:
  Writer(std::uint16_t type, std::uint8_t family, std::int32_t index, std::uint32_t flags) {
    u32(0);  // nlmsg_len, patched in bytes()
    u16(type);
    u16(0);
    u32(0);
    u32(0);
    bytes_.push_back(family);
    bytes_.push_back(0);
    u16(kArphrdEther);
    u32(static_cast<std::uint32_t>(index));
    u32(flags);
    u32(0);
  }
  Writer& attr(std::uint16_t type, const Bytes& payload) {
    u16(static_cast<std::uint16_t>(4 + payload.size()));
    u16(type);
    bytes_.insert(bytes_.end(), payload.begin(), payload.end());
    while (bytes_.size() % 4 != 0) bytes_.push_back(0);
    return *this;
  }
  Writer& attr_u32(std::uint16_t type, std::uint32_t v) { return attr(type, le32(v)); }
  Writer& attr_str(std::uint16_t type, const std::string& s) {
    Bytes b(s.begin(), s.end());
    b.push_back(0);
    return attr(type, b);
  }
  Writer& begin_nest(std::uint16_t type) {
    nests_.push_back(bytes_.size());
    u16(0);
    u16(type);
    return *this;
  }
  Writer& end_nest() {
    const std::size_t start = nests_.back();
    nests_.pop_back();
    const auto len = static_cast<std::uint16_t>(bytes_.size() - start);
    std::memcpy(&bytes_[start], &len, 2);
    return *this;
  }
  Bytes bytes() const {
    Bytes b = bytes_;
    const auto len = static_cast<std::uint32_t>(b.size());
    std::memcpy(b.data(), &len, 4);
    return b;
  }
  static Bytes le32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
            static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
  }

 private:
  static constexpr std::uint16_t kArphrdEther = 1;
  void u16(std::uint16_t v) {
    bytes_.push_back(static_cast<std::uint8_t>(v));
    bytes_.push_back(static_cast<std::uint8_t>(v >> 8));
  }
  void u32(std::uint32_t v) {
    const auto b = le32(v);
    bytes_.insert(bytes_.end(), b.begin(), b.end());
  }
  Bytes bytes_;
  std::vector<std::size_t> nests_;
};

constexpr std::uint32_t kUpRunning = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST;

// An RTM_NEWLINK for a macvlan the way rtnl_fill_ifinfo() lays it out: IFNAME, TXQLEN,
// OPERSTATE (u8), MTU, LINK, LINKINFO { KIND, DATA { MODE, FLAGS (u16) } }, ADDRESS,
// BROADCAST, and an attribute type from the future.
Bytes kernel_macvlan(std::uint16_t type = RTM_NEWLINK) {
  return Writer(type, AF_UNSPEC, 7, kUpRunning)
      .attr_str(IFLA_IFNAME, "vrrp.51")
      .attr_u32(IFLA_TXQLEN, 1000)
      .attr(IFLA_OPERSTATE, {6})
      .attr_u32(IFLA_MTU, 1500)
      .attr_u32(IFLA_LINK, 3)
      .begin_nest(IFLA_LINKINFO)
      .attr_str(IFLA_INFO_KIND, "macvlan")
      .begin_nest(IFLA_INFO_DATA)
      .attr_u32(IFLA_MACVLAN_MODE, MACVLAN_MODE_PRIVATE)
      .attr(IFLA_MACVLAN_FLAGS, {0, 0})
      .end_nest()
      .end_nest()
      .attr(IFLA_ADDRESS, {0x00, 0x00, 0x5e, 0x00, 0x01, 0x33})
      .attr(IFLA_BROADCAST, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
      .attr(0x3f0, {1, 2, 3})
      .bytes();
}

TEST(NetlinkLinkTest, GoldenNewMacvlan) {
  const Bytes expected = {
      // nlmsghdr: len 92, RTM_NEWLINK (16), REQUEST|ACK|EXCL|CREATE (0x605), seq 7, pid 0
      0x5c, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x06, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // ifinfomsg: AF_UNSPEC, type 0, index 0, flags 0, change 0
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // IFLA_IFNAME (3), 4 + 8: "vrrp.51\0"
      0x0c, 0x00, 0x03, 0x00, 'v', 'r', 'r', 'p', '.', '5', '1', 0x00,
      // IFLA_LINK (5), u32 3
      0x08, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00,
      // IFLA_ADDRESS (1), 4 + 6, padded: 00:00:5e:00:01:33
      0x0a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x5e, 0x00, 0x01, 0x33, 0x00, 0x00,
      // IFLA_LINKINFO (18 | NLA_F_NESTED), 28 bytes
      0x1c, 0x00, 0x12, 0x80,
      //   IFLA_INFO_KIND (1), 4 + 8: "macvlan\0"
      0x0c, 0x00, 0x01, 0x00, 'm', 'a', 'c', 'v', 'l', 'a', 'n', 0x00,
      //   IFLA_INFO_DATA (2 | NLA_F_NESTED), 12 bytes
      0x0c, 0x00, 0x02, 0x80,
      //     IFLA_MACVLAN_MODE (1), u32 MACVLAN_MODE_PRIVATE (1)
      0x08, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00};
  EXPECT_EQ(build([](auto buf) { return build_new_macvlan(vmac(), 7, buf); }), expected);

  // Bridge mode changes the mode word only: MACVLAN_MODE_BRIDGE (4).
  auto bridged = vmac();
  bridged.bridge_mode = true;
  Bytes expected_bridge = expected;
  expected_bridge[88] = 0x04;
  EXPECT_EQ(build([&](auto buf) { return build_new_macvlan(bridged, 7, buf); }), expected_bridge);
}

TEST(NetlinkLinkTest, GoldenSetUpAndDown) {
  const Bytes up = {// nlmsghdr: len 32, RTM_NEWLINK, REQUEST|ACK (0x5), seq 8
                    0x20, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00,
                    0x00, 0x00, 0x00,
                    // ifinfomsg: index 4, flags IFF_UP, change IFF_UP
                    0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
                    0x00, 0x00, 0x00};
  EXPECT_EQ(build([](auto buf) { return build_set_link_up(4, true, 8, buf); }), up);
  Bytes down = up;
  down[24] = 0x00;  // flags 0, change still IFF_UP
  EXPECT_EQ(build([](auto buf) { return build_set_link_up(4, false, 8, buf); }), down);
}

TEST(NetlinkLinkTest, GoldenDelLink) {
  const Bytes expected = {// nlmsghdr: len 32, RTM_DELLINK (17), REQUEST|ACK, seq 9
                          0x20, 0x00, 0x00, 0x00, 0x11, 0x00, 0x05, 0x00, 0x09, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x00,
                          // ifinfomsg: index 300 (0x12c)
                          0x00, 0x00, 0x00, 0x00, 0x2c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(build([](auto buf) { return build_del_link(300, 9, buf); }), expected);
}

TEST(NetlinkLinkTest, GoldenGetLinkAndDump) {
  const Bytes by_index = {// nlmsghdr: len 40, RTM_GETLINK (18), REQUEST|ACK, seq 10
                          0x28, 0x00, 0x00, 0x00, 0x12, 0x00, 0x05, 0x00, 0x0a, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x00,
                          // ifinfomsg: index 2
                          0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x00,
                          // IFLA_EXT_MASK (29), u32 RTEXT_FILTER_SKIP_STATS (8)
                          0x08, 0x00, 0x1d, 0x00, 0x08, 0x00, 0x00, 0x00};
  EXPECT_EQ(build([](auto buf) { return build_get_link(2, 10, buf); }), by_index);

  Bytes by_name = by_index;
  by_name[0] = 0x34;   // 52 bytes
  by_name[20] = 0x00;  // index 0: look the name up
  // IFLA_IFNAME (3), 4 + 7: "veth-a\0", padded
  by_name.insert(by_name.end(), {0x0b, 0x00, 0x03, 0x00, 'v', 'e', 't', 'h', '-', 'a', 0x00, 0x00});
  EXPECT_EQ(build([](auto buf) { return build_get_link(std::string_view("veth-a"), 10, buf); }),
            by_name);

  Bytes dump = by_index;
  dump[6] = 0x01;  // REQUEST | DUMP (0x300): a dump is not acked
  dump[7] = 0x03;
  dump[20] = 0x00;
  EXPECT_EQ(build([](auto buf) { return build_dump_links(10, buf); }), dump);
}

TEST(NetlinkLinkTest, InterfaceNames) {
  for (const char* good : {"eth0", "vrrp.51", "a", "fifteen-chars-x", "veth-a@1"}) {
    EXPECT_TRUE(check_interface_name(good).has_value()) << good;
  }
  for (const char* bad :
       {"", ".", "..", "sixteen-chars-xx", "eth0:1", "a/b", "a b", "tab\tx", "nl\n"}) {
    EXPECT_FALSE(check_interface_name(bad).has_value()) << bad;
  }
  EXPECT_FALSE(check_interface_name(std::string_view("a\0b", 3)).has_value());
}

TEST(NetlinkLinkTest, InvalidRequests) {
  Bytes buf(kMaxLinkMessageSize);
  auto r = vmac();
  r.name = "eth0:1";
  EXPECT_FALSE(build_new_macvlan(r, 1, buf).has_value());
  r = vmac();
  r.parent_ifindex = 0;
  EXPECT_FALSE(build_new_macvlan(r, 1, buf).has_value());
  r = vmac();
  r.mac = MacAddress();
  auto zero = build_new_macvlan(r, 1, buf);
  ASSERT_FALSE(zero.has_value());
  EXPECT_NE(zero.error().message.find("00:00:00:00:00:00"), std::string::npos);
  r.mac = *MacAddress::parse("01:00:5e:00:00:12");
  EXPECT_FALSE(build_new_macvlan(r, 1, buf).has_value());

  EXPECT_FALSE(build_del_link(0, 1, buf).has_value());
  EXPECT_FALSE(build_set_link_up(0, true, 1, buf).has_value());
  EXPECT_FALSE(build_get_link(0u, 1, buf).has_value());
  EXPECT_FALSE(build_get_link(0x80000000u, 1, buf).has_value());
  EXPECT_FALSE(build_get_link(std::string_view(""), 1, buf).has_value());
}

TEST(NetlinkLinkTest, BufferTooSmall) {
  const Bytes full = build([](auto buf) { return build_new_macvlan(vmac(), 1, buf); });
  for (std::size_t size = 0; size < full.size(); ++size) {
    Bytes buf(size);
    EXPECT_FALSE(build_new_macvlan(vmac(), 1, buf).has_value()) << size;
  }
  // Exactly enough fits, into a buffer of any alignment.
  Bytes big(full.size() + 1);
  auto n = build_new_macvlan(vmac(), 1, std::span(big).subspan(1));
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(Bytes(big.begin() + 1, big.end()), full);
  Bytes tiny(31);
  EXPECT_FALSE(build_del_link(1, 1, tiny).has_value());
}

// A request parses back to what was asked for (the kernel's messages share the layout).
TEST(NetlinkLinkTest, RoundTrip) {
  auto parsed =
      parse_link_message(build([](auto buf) { return build_new_macvlan(vmac(), 5, buf); }));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->event, LinkEvent::Added);
  EXPECT_EQ(parsed->seq, 5u);
  EXPECT_EQ(parsed->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE);
  EXPECT_EQ(parsed->link, (LinkInfo{.ifindex = 0,
                                    .name = "vrrp.51",
                                    .admin_up = false,
                                    .running = false,
                                    .mac = kVmac,
                                    .mtu = 0,
                                    .kind = "macvlan",
                                    .link_ifindex = 3,
                                    .macvlan_mode = MacvlanMode::Private}));

  auto up = parse_link_message(build([](auto buf) { return build_set_link_up(4, true, 6, buf); }));
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->link.ifindex, 4u);
  EXPECT_TRUE(up->link.admin_up);
  EXPECT_EQ(up->ifi_change, static_cast<std::uint32_t>(IFF_UP));

  auto del = parse_link_message(build([](auto buf) { return build_del_link(4, 7, buf); }));
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(del->event, LinkEvent::Removed);
  EXPECT_EQ(del->link.ifindex, 4u);
  EXPECT_TRUE(del->link.name.empty());
}

TEST(NetlinkLinkTest, KernelStyleMacvlanNotification) {
  auto m = parse_link_message(kernel_macvlan());
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->event, LinkEvent::Added);
  EXPECT_EQ(m->family, AF_UNSPEC);
  const LinkInfo& l = m->link;
  EXPECT_EQ(l.ifindex, 7u);
  EXPECT_EQ(l.name, "vrrp.51");
  EXPECT_TRUE(l.admin_up);
  EXPECT_TRUE(l.running);
  EXPECT_TRUE(l.up());
  EXPECT_EQ(l.mac, kVmac);
  EXPECT_EQ(l.mtu, 1500u);
  EXPECT_EQ(l.kind, "macvlan");
  EXPECT_EQ(l.link_ifindex, 3u);
  EXPECT_EQ(l.macvlan_mode, MacvlanMode::Private);

  auto d = parse_link_message(kernel_macvlan(RTM_DELLINK));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->event, LinkEvent::Removed);
  EXPECT_EQ(d->link, l);
}

TEST(NetlinkLinkTest, KernelStyleOtherLinks) {
  // Loopback: no LINKINFO, zero MAC, up but (here) not running.
  auto lo = parse_link_message(Writer(RTM_NEWLINK, AF_UNSPEC, 1, IFF_UP | IFF_LOOPBACK)
                                   .attr_str(IFLA_IFNAME, "lo")
                                   .attr_u32(IFLA_MTU, 65536)
                                   .attr(IFLA_ADDRESS, {0, 0, 0, 0, 0, 0})
                                   .bytes());
  ASSERT_TRUE(lo.has_value()) << lo.error().message;
  EXPECT_EQ(lo->link, (LinkInfo{.ifindex = 1,
                                .name = "lo",
                                .admin_up = true,
                                .running = false,
                                .mac = {},
                                .mtu = 65536,
                                .kind = "",
                                .link_ifindex = 0,
                                .macvlan_mode = MacvlanMode::None}));
  EXPECT_FALSE(lo->link.up());

  // An ipip tunnel: a 4-byte hardware address is no MAC, not an error.
  auto tun = parse_link_message(Writer(RTM_NEWLINK, AF_UNSPEC, 9, 0)
                                    .attr_str(IFLA_IFNAME, "tunl0")
                                    .attr(IFLA_ADDRESS, {0, 0, 0, 0})
                                    .begin_nest(IFLA_LINKINFO)
                                    .attr_str(IFLA_INFO_KIND, "ipip")
                                    .begin_nest(IFLA_INFO_DATA)
                                    .attr_u32(1, 0x12345678)  // IFLA_IPTUN_LINK, not a mode
                                    .end_nest()
                                    .end_nest()
                                    .bytes());
  ASSERT_TRUE(tun.has_value()) << tun.error().message;
  EXPECT_TRUE(tun->link.mac.is_zero());
  EXPECT_EQ(tun->link.kind, "ipip");
  EXPECT_EQ(tun->link.macvlan_mode, MacvlanMode::None);  // another kind's data is not read

  // A bridge port message (AF_BRIDGE) parses and says so; readers skip it.
  auto port = parse_link_message(Writer(RTM_DELLINK, AF_BRIDGE, 4, kUpRunning)
                                     .attr_str(IFLA_IFNAME, "veth-a")
                                     .attr_u32(IFLA_MASTER, 2)
                                     .bytes());
  ASSERT_TRUE(port.has_value());
  EXPECT_EQ(port->family, AF_BRIDGE);

  // Data before kind within LINKINFO is still read.
  auto reordered = parse_link_message(Writer(RTM_NEWLINK, AF_UNSPEC, 8, 0)
                                          .begin_nest(IFLA_LINKINFO)
                                          .begin_nest(IFLA_INFO_DATA)
                                          .attr_u32(IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE)
                                          .end_nest()
                                          .attr_str(IFLA_INFO_KIND, "macvlan")
                                          .end_nest()
                                          .bytes());
  ASSERT_TRUE(reordered.has_value()) << reordered.error().message;
  EXPECT_EQ(reordered->link.macvlan_mode, MacvlanMode::Bridge);
}

TEST(NetlinkLinkTest, MalformedMessagesAreErrors) {
  const Bytes good = kernel_macvlan();
  ASSERT_TRUE(parse_link_message(good).has_value());
  // Offsets in kernel_macvlan(): IFLA_IFNAME at 32 (payload 36..43), TXQLEN at 44, OPERSTATE
  // at 52, MTU at 60, LINK at 68, LINKINFO at 76 (KIND at 80, DATA at 92, MODE at 96, FLAGS
  // at 104), ADDRESS at 112.
  ASSERT_EQ(good[76 + 2], IFLA_LINKINFO);
  ASSERT_EQ(good[96 + 2], IFLA_MACVLAN_MODE);
  ASSERT_EQ(good[112 + 2], IFLA_ADDRESS);
  struct Case {
    const char* description;
    std::size_t offset;
    std::uint8_t value;
  };
  const Case cases[] = {
      {"not a link message", 4, RTM_NEWADDR},
      {"negative ifindex", 23, 0x80},
      {"name without NUL", 43, 'x'},
      {"empty name", 36, 0},
      {"IFLA_IFNAME longer than the message", 32, 0xf0},
      {"nla_len below the header", 32, 2},
      {"IFLA_MTU of 2 bytes", 60, 6},
      {"IFLA_LINK of 5 bytes", 68, 9},
      {"IFLA_LINKINFO past the message", 76, 0xf0},
      {"IFLA_INFO_KIND without NUL", 91, 'x'},
      {"IFLA_INFO_KIND running past LINKINFO", 80, 0x30},
      {"IFLA_INFO_DATA running past LINKINFO", 92, 0x20},
      {"IFLA_MACVLAN_MODE of 3 bytes", 96, 7},
      {"IFLA_MACVLAN_MODE running past INFO_DATA", 96, 0x0c},
      {"nlmsg_len past the buffer", 0, static_cast<std::uint8_t>(good.size() + 4)},
      {"nlmsg_len below the header", 0, 0x0f},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.description);
    Bytes bad = good;
    bad[c.offset] = c.value;
    EXPECT_FALSE(parse_link_message(bad).has_value());
  }

  // A name of 16 characters (17 bytes with the NUL): longer than IFNAMSIZ.
  EXPECT_FALSE(parse_link_message(
                   Writer(RTM_NEWLINK, 0, 1, 0).attr_str(IFLA_IFNAME, "sixteen-chars-xx").bytes())
                   .has_value());
  // A hardware address longer than MAX_ADDR_LEN (32).
  EXPECT_FALSE(
      parse_link_message(Writer(RTM_NEWLINK, 0, 1, 0).attr(IFLA_ADDRESS, Bytes(33, 1)).bytes())
          .has_value());
  // Bytes after the last attribute that are not an attribute (nla_len 2).
  EXPECT_FALSE(parse_link_message(with_trailing_junk(good)).has_value());
  // Only the header and part of an ifinfomsg.
  Bytes bare(good.begin(), good.begin() + 28);
  bare[0] = 28;
  EXPECT_FALSE(parse_link_message(bare).has_value());
  // Header and ifinfomsg alone are a (bare) link message.
  bare = Bytes(good.begin(), good.begin() + 32);
  bare[0] = 32;
  bare[1] = 0;
  EXPECT_TRUE(parse_link_message(bare).has_value());
}

TEST(NetlinkLinkTest, TruncatedMessagesNeverCrash) {
  const Bytes full = kernel_macvlan();
  for (std::size_t size = 0; size < full.size(); ++size) {
    // The buffer ends early while nlmsg_len still says the full length: always an error.
    EXPECT_FALSE(parse_link_message(std::span(full).first(size)).has_value()) << size;
    // nlmsg_len agrees with the short buffer (mid-attribute, unaligned): no read out of
    // bounds; whatever parses is the same link.
    auto m = parse_link_message(cut_short(full, size));
    if (m) {
      EXPECT_EQ(m->link.ifindex, 7u) << size;
    }
  }
}

TEST(NetlinkLinkTest, RandomBuffersNeverCrash) {
  std::mt19937 rng(20261122);
  const Bytes seeds[] = {kernel_macvlan(),
                         build([](auto buf) { return build_new_macvlan(vmac(), 1, buf); })};
  std::size_t parsed = 0;
  for (int i = 0; i < 10000; ++i) {
    const Bytes buf = random_message(rng, i, seeds, 32, RTM_NEWLINK, RTM_DELLINK);
    if (parse_link_message(buf).has_value()) ++parsed;
  }
  EXPECT_GT(parsed, 100u);
}

}  // namespace
}  // namespace halo::net
