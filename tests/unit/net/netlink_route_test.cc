// Tests for the rtnetlink route and rule builders: golden request bytes, iproute2's default
// scopes, and the requests refused before they reach the kernel.
//
// Golden bytes are written out field by field from the struct layouts (netlink is host byte
// order; these tests assume little-endian):
//   nlmsghdr      u32 len, u16 type, u16 flags, u32 seq, u32 pid                      16 bytes
//   rtmsg         u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags 12
//   fib_rule_hdr  u8 family, dst_len, src_len, tos, table, res1, res2, action; u32 flags  12
//   nlattr        u16 len (header + payload, unpadded), u16 type, payload padded to 4
//   rtnexthop     u16 len (with its attributes), u8 flags, u8 hops, s32 ifindex         8 bytes
// RTA_*: DST 1, OIF 4, GATEWAY 5, PRIORITY 6, METRICS 8, MULTIPATH 9, TABLE 15, VIA 18.
// FRA_*: DST 1, SRC 2, IIFNAME 3, PRIORITY 6, FWMARK 10, TABLE 15, FWMASK 16, UID_RANGE 20,
// PROTOCOL 21, IP_PROTO 22, DPORT_RANGE 24.
// Cross-checked against iproute2 6.1 under `strace -v` in a throw-away network namespace:
// `ip rule add pref 100 from 192.0.2.0/24 table 100 protocol 18` sends GoldenIpv4Rule field
// for field and in the same order; `ip route prepend` of GoldenIpv4GatewayRoute and of
// GoldenIpv6MultipathBigTable (with proto 18) sends the same rtmsg and attributes, in
// iproute2's order (it follows the command line, and puts RTA_OIF after the others).
#include "net/netlink_route.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "support/netlink_bytes.h"

namespace halo::net {
namespace {

using halo::testing::Bytes;
using halo::testing::bytes_of;
using halo::testing::ip;
using halo::testing::prefix;

Bytes new_route(const RouteRequest& r, std::uint32_t seq) {
  Bytes buf(kMaxRouteMessageSize);
  auto n = build_new_route(r, seq, buf);
  return bytes_of(n, buf);
}
Bytes del_route(const RouteRequest& r, std::uint32_t seq) {
  Bytes buf(kMaxRouteMessageSize);
  auto n = build_del_route(r, seq, buf);
  return bytes_of(n, buf);
}
Bytes new_rule(const RuleRequest& r, std::uint32_t seq) {
  Bytes buf(kMaxRouteMessageSize);
  auto n = build_new_rule(r, seq, buf);
  return bytes_of(n, buf);
}
Bytes del_rule(const RuleRequest& r, std::uint32_t seq) {
  Bytes buf(kMaxRouteMessageSize);
  auto n = build_del_rule(r, seq, buf);
  return bytes_of(n, buf);
}

// 192.0.2.0/24 via 198.51.100.1 dev 3 table 100 metric 10
RouteRequest v4_gateway_route() {
  RouteRequest r;
  r.destination = prefix("192.0.2.0/24");
  r.gateway = ip("198.51.100.1");
  r.ifindex = 3;
  r.table = 100;
  r.metric = 10;
  return r;
}

TEST(NetlinkRouteTest, GoldenIpv4GatewayRoute) {
  const Bytes expected = {
      // nlmsghdr: len 60, RTM_NEWROUTE (24), REQUEST|ACK|CREATE (0x405), seq 1, pid 0
      0x3c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // rtmsg: AF_INET, /24, src 0, tos 0, table 100, RTPROT_KEEPALIVED (18), universe (a
      // gateway), RTN_UNICAST; flags 0
      0x02, 0x18, 0x00, 0x00, 0x64, 0x12, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // RTA_DST 192.0.2.0
      0x08, 0x00, 0x01, 0x00, 0xc0, 0x00, 0x02, 0x00,
      // RTA_GATEWAY 198.51.100.1
      0x08, 0x00, 0x05, 0x00, 0xc6, 0x33, 0x64, 0x01,
      // RTA_OIF 3
      0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
      // RTA_PRIORITY 10
      0x08, 0x00, 0x06, 0x00, 0x0a, 0x00, 0x00, 0x00};
  EXPECT_EQ(new_route(v4_gateway_route(), 1), expected);
}

TEST(NetlinkRouteTest, GoldenIpv4DeleteAnyScope) {
  const Bytes expected = {// nlmsghdr: len 60, RTM_DELROUTE (25), REQUEST|ACK (0x005), seq 9
                          0x3c, 0x00, 0x00, 0x00, 0x19, 0x00, 0x05, 0x00, 0x09, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x00,
                          // rtmsg: as added, but scope RT_SCOPE_NOWHERE (255): any
                          0x02, 0x18, 0x00, 0x00, 0x64, 0x12, 0xff, 0x01, 0x00, 0x00, 0x00, 0x00,
                          0x08, 0x00, 0x01, 0x00, 0xc0, 0x00, 0x02, 0x00,   // RTA_DST
                          0x08, 0x00, 0x05, 0x00, 0xc6, 0x33, 0x64, 0x01,   // RTA_GATEWAY
                          0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,   // RTA_OIF
                          0x08, 0x00, 0x06, 0x00, 0x0a, 0x00, 0x00, 0x00};  // RTA_PRIORITY
  EXPECT_EQ(del_route(v4_gateway_route(), 9), expected);

  // A scope that was asked for is kept in the delete.
  auto scoped = v4_gateway_route();
  scoped.scope = 253;
  EXPECT_EQ(del_route(scoped, 9)[22], 253);
}

// 2001:db8:1::/48 table 1000 mtu 1400
//   nexthop via 2001:db8::1 dev 3 nexthop via 2001:db8::2 dev 4 weight 3 onlink
TEST(NetlinkRouteTest, GoldenIpv6MultipathBigTable) {
  RouteRequest r;
  r.destination = prefix("2001:db8:1::/48");
  r.table = 1000;
  r.mtu = 1400;
  r.nexthops = {
      RouteNextHop{.gateway = ip("2001:db8::1"), .ifindex = 3, .weight = 1, .onlink = false},
      RouteNextHop{.gateway = ip("2001:db8::2"), .ifindex = 4, .weight = 3, .onlink = true},
  };
  const Bytes expected = {
      // nlmsghdr: len 128, RTM_NEWROUTE, REQUEST|ACK|CREATE, seq 2
      0x80, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // rtmsg: AF_INET6 (10), /48, table RT_TABLE_UNSPEC (in RTA_TABLE), keepalived, universe
      // (nexthops), unicast
      0x0a, 0x30, 0x00, 0x00, 0x00, 0x12, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // RTA_TABLE 1000
      0x08, 0x00, 0x0f, 0x00, 0xe8, 0x03, 0x00, 0x00,
      // RTA_DST 2001:db8:1::
      0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00,
      // RTA_METRICS (no NLA_F_NESTED, like iproute2), 12 bytes: RTAX_MTU (2) 1400
      0x0c, 0x00, 0x08, 0x00, 0x08, 0x00, 0x02, 0x00, 0x78, 0x05, 0x00, 0x00,
      // RTA_MULTIPATH, 4 + 2 * 28 = 60 bytes
      0x3c, 0x00, 0x09, 0x00,
      // rtnexthop: len 28, flags 0, hops 0 (weight 1), ifindex 3; RTA_GATEWAY 2001:db8::1
      0x1c, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x00, 0x20, 0x01, 0x0d,
      0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
      // rtnexthop: len 28, RTNH_F_ONLINK (4), hops 2 (weight 3), ifindex 4; 2001:db8::2
      0x1c, 0x00, 0x04, 0x02, 0x04, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x00, 0x20, 0x01, 0x0d,
      0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02};
  EXPECT_EQ(new_route(r, 2), expected);
}

TEST(NetlinkRouteTest, GoldenBlackholeAppend) {
  RouteRequest r;
  r.type = RouteType::Blackhole;
  r.destination = prefix("2001:db8:dead::/48");
  r.append = true;
  const Bytes expected = {
      // nlmsghdr: len 48, RTM_NEWROUTE, REQUEST|ACK|APPEND|CREATE (0xc05), seq 3
      0x30, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // rtmsg: AF_INET6, /48, table main (254), keepalived, universe, RTN_BLACKHOLE (6)
      0x0a, 0x30, 0x00, 0x00, 0xfe, 0x12, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00,
      // RTA_DST 2001:db8:dead::
      0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(new_route(r, 3), expected);
}

// An IPv4 route via an IPv6 gateway: RTA_VIA (RFC 5549); a default route has no RTA_DST.
TEST(NetlinkRouteTest, GoldenIpv4DefaultViaIpv6) {
  RouteRequest r;
  r.destination = prefix("0.0.0.0/0");
  r.gateway = ip("2001:db8::1");
  r.ifindex = 3;
  r.protocol = 4;  // static
  const Bytes expected = {
      // nlmsghdr: len 60, RTM_NEWROUTE, REQUEST|ACK|CREATE, seq 4
      0x3c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // rtmsg: AF_INET, /0, main, RTPROT_STATIC, universe, unicast
      0x02, 0x00, 0x00, 0x00, 0xfe, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // RTA_VIA, 4 + 2 + 16 = 22 bytes padded to 24: AF_INET6 (u16 10), 2001:db8::1
      0x16, 0x00, 0x12, 0x00, 0x0a, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
      // RTA_OIF 3
      0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00};
  EXPECT_EQ(new_route(r, 4), expected);
}

// iproute2's defaults (iproute_modify): host for local/nat, link for broadcast/anycast/
// multicast and for unicast without a gateway, universe otherwise.
TEST(NetlinkRouteTest, DefaultScopes) {
  RouteRequest r;
  r.destination = prefix("192.0.2.0/24");
  r.ifindex = 3;
  EXPECT_EQ(route_scope(r), 253);  // link: on the wire
  r.gateway = ip("198.51.100.1");
  EXPECT_EQ(route_scope(r), 0);
  r.gateway.reset();
  r.nexthops.push_back({.gateway = ip("198.51.100.1"), .ifindex = 0, .weight = 1, .onlink = false});
  EXPECT_EQ(route_scope(r), 0);
  r.nexthops.clear();
  r.type = RouteType::Local;
  EXPECT_EQ(route_scope(r), 254);
  r.type = RouteType::Nat;
  EXPECT_EQ(route_scope(r), 254);
  r.type = RouteType::Broadcast;
  EXPECT_EQ(route_scope(r), 253);
  r.type = RouteType::Multicast;
  EXPECT_EQ(route_scope(r), 253);
  r.type = RouteType::Anycast;
  EXPECT_EQ(route_scope(r), 253);
  for (auto t :
       {RouteType::Blackhole, RouteType::Unreachable, RouteType::Prohibit, RouteType::Throw}) {
    r.type = t;
    EXPECT_EQ(route_scope(r), 0);
  }
  r.scope = 200;
  EXPECT_EQ(route_scope(r), 200);  // asked for: kept
}

TEST(NetlinkRouteTest, RouteErrors) {
  struct Case {
    const char* name;
    void (*change)(RouteRequest&);
    const char* message;
  };
  const Case cases[] = {
      {"v6 from on v4", [](RouteRequest& r) { r.source = prefix("192.0.2.0/24"); },
       "a source prefix ('from') is IPv6 only"},
      {"prefsrc family", [](RouteRequest& r) { r.prefsrc = ip("2001:db8::1"); },
       "preferred source 2001:db8::1 is not IPv4"},
      {"table 0", [](RouteRequest& r) { r.table = 0; }, "routing table 0"},
      {"ifindex", [](RouteRequest& r) { r.ifindex = 0x80000000u; }, "interface index 2147483648"},
      {"via and nexthops",
       [](RouteRequest& r) {
         r.nexthops.push_back(
             {.gateway = ip("198.51.100.2"), .ifindex = 0, .weight = 1, .onlink = false});
       },
       "a route with nexthops cannot have 'via'"},
      {"weight 0",
       [](RouteRequest& r) {
         r.gateway.reset();
         r.nexthops.push_back(
             {.gateway = ip("198.51.100.2"), .ifindex = 0, .weight = 0, .onlink = false});
       },
       "nexthop weight 0 is out of range 1..256"},
      {"weight 257",
       [](RouteRequest& r) {
         r.gateway.reset();
         r.nexthops.push_back(
             {.gateway = ip("198.51.100.2"), .ifindex = 0, .weight = 257, .onlink = false});
       },
       "nexthop weight 257 is out of range 1..256"},
      {"empty nexthop",
       [](RouteRequest& r) {
         r.gateway.reset();
         r.nexthops.push_back(
             {.gateway = std::nullopt, .ifindex = 0, .weight = 1, .onlink = false});
       },
       "a nexthop needs a gateway or an interface"},
      {"prefix length", [](RouteRequest& r) { r.destination.length = 33; },
       "destination prefix length 33 is longer than 32"},
  };
  for (const auto& c : cases) {
    auto r = v4_gateway_route();
    c.change(r);
    Bytes buf(kMaxRouteMessageSize);
    auto added = build_new_route(r, 1, buf);
    ASSERT_FALSE(added.has_value()) << c.name;
    EXPECT_EQ(added.error().message, c.message) << c.name;
    auto deleted = build_del_route(r, 1, buf);
    ASSERT_FALSE(deleted.has_value()) << c.name;
  }

  RouteRequest v6;
  v6.destination = prefix("2001:db8::/64");
  v6.gateway = ip("192.0.2.1");
  Bytes buf(kMaxRouteMessageSize);
  auto refused = build_new_route(v6, 1, buf);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, "IPv6 route via IPv4 gateway 192.0.2.1");
  v6.gateway.reset();
  v6.source = prefix("192.0.2.0/24");
  refused = build_new_route(v6, 1, buf);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, "source 192.0.2.0/24 is not IPv6");
}

TEST(NetlinkRouteTest, BufferTooSmall) {
  const auto full = new_route(v4_gateway_route(), 1);
  for (std::size_t size : {std::size_t{0}, std::size_t{27}, full.size() - 1}) {
    Bytes buf(size);
    auto n = build_new_route(v4_gateway_route(), 1, buf);
    ASSERT_FALSE(n.has_value()) << size;
    EXPECT_EQ(n.error().message,
              "netlink buffer of " + std::to_string(size) + " bytes is too small");
  }
  // Too many nexthops for the largest message.
  RouteRequest r;
  r.destination = prefix("2001:db8::/64");
  for (int i = 0; i < 40; ++i) {
    r.nexthops.push_back(
        {.gateway = ip("2001:db8::1"), .ifindex = 3, .weight = 1, .onlink = false});
  }
  Bytes buf(kMaxRouteMessageSize);
  EXPECT_FALSE(build_new_route(r, 1, buf).has_value());
  r.nexthops.resize(32);  // what the header promises
  EXPECT_TRUE(build_new_route(r, 1, buf).has_value());
}

TEST(NetlinkRouteTest, RouteText) {
  EXPECT_EQ(route_text(v4_gateway_route()),
            "192.0.2.0/24 via 198.51.100.1 dev 3 table 100 metric 10");
  RouteRequest r;
  r.type = RouteType::Blackhole;
  r.destination = prefix("2001:db8::/64");
  EXPECT_EQ(route_text(r), "blackhole 2001:db8::/64");
}

// from 192.0.2.0/24 table 100 priority 100
RuleRequest v4_rule() {
  RuleRequest r;
  r.source = prefix("192.0.2.0/24");
  r.table = 100;
  r.priority = 100;
  return r;
}

TEST(NetlinkRouteTest, GoldenIpv4Rule) {
  const Bytes expected = {
      // nlmsghdr: len 52, RTM_NEWRULE (32), REQUEST|ACK|EXCL|CREATE (0x605), seq 5
      0x34, 0x00, 0x00, 0x00, 0x20, 0x00, 0x05, 0x06, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // fib_rule_hdr: AF_INET, dst_len 0, src_len 24, tos 0, table 100, res, res,
      // FR_ACT_TO_TBL (1); flags 0
      0x02, 0x00, 0x18, 0x00, 0x64, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // FRA_PRIORITY 100
      0x08, 0x00, 0x06, 0x00, 0x64, 0x00, 0x00, 0x00,
      // FRA_SRC 192.0.2.0
      0x08, 0x00, 0x02, 0x00, 0xc0, 0x00, 0x02, 0x00,
      // FRA_PROTOCOL (u8, 5 bytes padded to 8): keepalived
      0x05, 0x00, 0x15, 0x00, 0x12, 0x00, 0x00, 0x00};
  EXPECT_EQ(new_rule(v4_rule(), 5), expected);

  // The delete carries the same rule: RTM_DELRULE (33), REQUEST|ACK.
  auto del = expected;
  del[4] = 0x21;
  del[6] = 0x05;
  del[7] = 0x00;
  EXPECT_EQ(del_rule(v4_rule(), 5), del);
}

// not to 2001:db8::/32 table 1000 priority 5 fwmark 0x10/0xff iif eth0 ipproto tcp
//   dport 80-80 uidrange 1000-2000
TEST(NetlinkRouteTest, GoldenIpv6RuleManyMatches) {
  RuleRequest r;
  r.family = Family::V6;
  r.destination = prefix("2001:db8::/32");
  r.invert = true;
  r.table = 1000;
  r.priority = 5;
  r.fwmark = 0x10;
  r.fwmask = 0xff;
  r.iif = "eth0";
  r.ip_proto = 6;
  r.dport = PortRange{80, 80};
  r.uid_range = UidRange{1000, 2000};
  const Bytes expected = {
      // nlmsghdr: len 128, RTM_NEWRULE, REQUEST|ACK|EXCL|CREATE, seq 6
      0x80, 0x00, 0x00, 0x00, 0x20, 0x00, 0x05, 0x06, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00,
      // fib_rule_hdr: AF_INET6, dst_len 32, src 0, tos 0, table UNSPEC (in FRA_TABLE), res,
      // res, FR_ACT_TO_TBL; flags FIB_RULE_INVERT (2)
      0x0a, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,
      // FRA_PRIORITY 5
      0x08, 0x00, 0x06, 0x00, 0x05, 0x00, 0x00, 0x00,
      // FRA_DST 2001:db8::
      0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00,
      // FRA_TABLE 1000
      0x08, 0x00, 0x0f, 0x00, 0xe8, 0x03, 0x00, 0x00,
      // FRA_FWMARK 0x10, FRA_FWMASK 0xff
      0x08, 0x00, 0x0a, 0x00, 0x10, 0x00, 0x00, 0x00, 0x08, 0x00, 0x10, 0x00, 0xff, 0x00, 0x00,
      0x00,
      // FRA_IIFNAME "eth0\0" (9 bytes, padded to 12)
      0x09, 0x00, 0x03, 0x00, 'e', 't', 'h', '0', 0x00, 0x00, 0x00, 0x00,
      // FRA_UID_RANGE 1000-2000
      0x0c, 0x00, 0x14, 0x00, 0xe8, 0x03, 0x00, 0x00, 0xd0, 0x07, 0x00, 0x00,
      // FRA_PROTOCOL keepalived, FRA_IP_PROTO 6
      0x05, 0x00, 0x15, 0x00, 0x12, 0x00, 0x00, 0x00, 0x05, 0x00, 0x16, 0x00, 0x06, 0x00, 0x00,
      0x00,
      // FRA_DPORT_RANGE 80-80
      0x08, 0x00, 0x18, 0x00, 0x50, 0x00, 0x50, 0x00};
  EXPECT_EQ(new_rule(r, 6), expected);
}

TEST(NetlinkRouteTest, RuleActionsAndExtras) {
  // goto: FR_ACT_GOTO (2), table 0 in the header, FRA_GOTO (4).
  RuleRequest g;
  g.action = RuleAction::Goto;
  g.goto_target = 200;
  g.priority = 10;
  g.table = 7;  // ignored for a goto
  const auto go = new_rule(g, 1);
  ASSERT_GE(go.size(), 28u);
  EXPECT_EQ(go[16 + 4], 0);  // frh.table
  EXPECT_EQ(go[16 + 7], 2);  // frh.action
  const Bytes goto_attr = {0x08, 0x00, 0x04, 0x00, 0xc8, 0x00, 0x00, 0x00};
  EXPECT_NE(std::search(go.begin(), go.end(), goto_attr.begin(), goto_attr.end()), go.end());

  // l3mdev: FR_ACT_TO_TBL with table 0 and FRA_L3MDEV (19) = 1.
  RuleRequest l;
  l.l3mdev = true;
  l.priority = 1000;
  const auto l3 = new_rule(l, 1);
  EXPECT_EQ(l3[16 + 4], 0);
  EXPECT_EQ(l3[16 + 7], 1);
  const Bytes l3_attr = {0x05, 0x00, 0x13, 0x00, 0x01, 0x00, 0x00, 0x00};
  EXPECT_NE(std::search(l3.begin(), l3.end(), l3_attr.begin(), l3_attr.end()), l3.end());

  // blackhole (6), tunnel id big-endian (FRA_TUN_ID 12), realms (FRA_FLOW 11),
  // suppress_prefixlength (14), suppress_ifgroup (13), oif (17), sport (23).
  RuleRequest b;
  b.action = RuleAction::Blackhole;
  b.tunnel_id = 0x0102030405060708ULL;
  b.realms = (1u << 16) | 2u;
  b.suppress_prefixlen = 0;
  b.suppress_ifgroup = 3;
  b.oif = "eth1";
  b.sport = PortRange{1024, 2048};
  b.tos = 0x10;
  const auto bh = new_rule(b, 1);
  EXPECT_EQ(bh[16 + 3], 0x10);
  EXPECT_EQ(bh[16 + 7], 6);
  for (const Bytes& attr : {
           Bytes{0x0c, 0x00, 0x0c, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08},
           Bytes{0x08, 0x00, 0x0b, 0x00, 0x02, 0x00, 0x01, 0x00},
           Bytes{0x08, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00},
           Bytes{0x08, 0x00, 0x0d, 0x00, 0x03, 0x00, 0x00, 0x00},
           Bytes{0x09, 0x00, 0x11, 0x00, 'e', 't', 'h', '1', 0x00},
           Bytes{0x08, 0x00, 0x17, 0x00, 0x00, 0x04, 0x00, 0x08},
       }) {
    EXPECT_NE(std::search(bh.begin(), bh.end(), attr.begin(), attr.end()), bh.end())
        << "attribute type " << int{attr[2]};
  }
}

TEST(NetlinkRouteTest, RuleErrors) {
  struct Case {
    const char* name;
    void (*change)(RuleRequest&);
    const char* message;
  };
  const Case cases[] = {
      {"table 0", [](RuleRequest& r) { r.table = 0; },
       "table 0 (the kernel would make a new table)"},
      {"l3mdev with table", [](RuleRequest& r) { r.l3mdev = true; },
       "an l3mdev rule cannot have a table"},
      {"l3mdev with goto",
       [](RuleRequest& r) {
         r.l3mdev = true;
         r.action = RuleAction::Goto;
       },
       "an l3mdev rule's action is its table lookup"},
      {"goto 0", [](RuleRequest& r) { r.action = RuleAction::Goto; }, "goto target 0"},
      {"fwmask alone", [](RuleRequest& r) { r.fwmask = 0xff; }, "a fwmark mask without a fwmark"},
      {"iif name", [](RuleRequest& r) { r.iif = "eth0:1"; },
       "interface name 'eth0:1' contains '/', ':', NUL or white space"},
      {"oif too long", [](RuleRequest& r) { r.oif = "abcdefghijklmnop"; },
       "interface name 'abcdefghijklmnop' is longer than 15 characters"},
      {"port range",
       [](RuleRequest& r) {
         r.dport = PortRange{30, 20};
       },
       "port range 30-20 is backwards"},
      {"uid range",
       [](RuleRequest& r) {
         r.uid_range = UidRange{5, 4};
       },
       "uid range 5-4 is backwards"},
      {"family", [](RuleRequest& r) { r.family = Family::V6; }, "source 192.0.2.0/24 is not IPv6"},
      {"length", [](RuleRequest& r) { r.source->length = 40; },
       "source prefix length 40 is longer than 32"},
  };
  for (const auto& c : cases) {
    auto r = v4_rule();
    c.change(r);
    Bytes buf(kMaxRouteMessageSize);
    auto added = build_new_rule(r, 1, buf);
    ASSERT_FALSE(added.has_value()) << c.name;
    EXPECT_EQ(added.error().message, c.message) << c.name;
  }
  Bytes small(31);
  auto n = build_new_rule(v4_rule(), 1, small);
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().message, "netlink buffer of 31 bytes is too small");
}

TEST(NetlinkRouteTest, RuleText) {
  EXPECT_EQ(rule_text(v4_rule()), "from 192.0.2.0/24 table 100 priority 100");
  RuleRequest r;
  r.invert = true;
  r.action = RuleAction::Unreachable;
  r.iif = "eth0";
  EXPECT_EQ(rule_text(r), "not from all iif eth0 unreachable");
}

}  // namespace
}  // namespace halo::net
