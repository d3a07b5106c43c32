// static_routes / virtual_routes and static_rules / virtual_rules lines, loaded from config
// text, turned into netlink route and rule requests: every field mapped, the defaults
// (protocol keepalived, table main), and what halo refuses.
#include "vrrp/route_spec.h"

#include <gtest/gtest.h>

#include "config/test_util.h"

namespace halo::vrrp {
namespace {

using config::testing::load;
using config::testing::rendered;

IpAddress ip(std::string_view text) {
  return *IpAddress::parse(text);
}
IpPrefix prefix(std::string_view text) {
  return *IpPrefix::parse(text);
}

// lo 1, eth0 2, eth1 3, eth2 4.
std::optional<std::uint32_t> test_ifindex(std::string_view name) {
  if (name == "lo") return 1;
  if (name == "eth0") return 2;
  if (name == "eth1") return 3;
  if (name == "eth2") return 4;
  return std::nullopt;
}

struct Loaded {
  std::vector<config::IpRouteItem> routes;
  std::vector<config::IpRuleItem> rules;
};

Loaded static_items(const std::string& routes, const std::string& rules) {
  auto loaded = load("static_routes {\n" + routes + "}\nstatic_rules {\n" + rules + "}\n");
  EXPECT_TRUE(loaded.ok()) << rendered(loaded);
  if (!loaded.ok()) return {};
  return {loaded.config->global.static_routes, loaded.config->global.static_rules};
}

net::RouteRequest route_of(const std::string& line) {
  auto items = static_items(line + "\n", "");
  EXPECT_EQ(items.routes.size(), 1u) << line;
  if (items.routes.size() != 1) return {};
  auto r = route_request(items.routes[0], test_ifindex);
  EXPECT_TRUE(r.has_value()) << line << ": " << (r ? "" : r.error().message);
  return r ? *r : net::RouteRequest{};
}

std::string route_error(const std::string& line,
                        const IfindexOf& ifindex_of = IfindexOf(test_ifindex)) {
  auto items = static_items(line + "\n", "");
  EXPECT_EQ(items.routes.size(), 1u) << line;
  if (items.routes.size() != 1) return {};
  auto r = route_request(items.routes[0], ifindex_of);
  EXPECT_FALSE(r.has_value()) << line;
  return r ? std::string() : r.error().message;
}

net::RuleRequest rule_of(const std::string& line) {
  auto items = static_items("", line + "\n");
  EXPECT_EQ(items.rules.size(), 1u) << line;
  if (items.rules.size() != 1) return {};
  auto r = rule_request(items.rules[0]);
  EXPECT_TRUE(r.has_value()) << line << ": " << (r ? "" : r.error().message);
  return r ? *r : net::RuleRequest{};
}

TEST(RouteSpec, RouteEveryField) {
  const auto r = route_of(
      "192.0.2.0/24 via 198.51.100.1 dev eth0 src 198.51.100.5 table 100 metric 10 "
      "scope global tos 0x10 onlink mtu 1400");
  net::RouteRequest expected;
  expected.destination = prefix("192.0.2.0/24");
  expected.gateway = ip("198.51.100.1");
  expected.ifindex = 2;
  expected.prefsrc = ip("198.51.100.5");
  expected.table = 100;
  expected.metric = 10;
  expected.scope = 0;
  expected.tos = 0x10;
  expected.onlink = true;
  expected.mtu = 1400;
  expected.protocol = net::kProtocolKeepalived;
  EXPECT_EQ(r, expected);
}

TEST(RouteSpec, RouteDefaults) {
  const auto r = route_of("192.0.2.0/24 dev eth1");
  EXPECT_EQ(r.type, net::RouteType::Unicast);
  EXPECT_EQ(r.table, 254u);   // main
  EXPECT_EQ(r.protocol, 18);  // keepalived
  EXPECT_EQ(r.ifindex, 3u);
  EXPECT_FALSE(r.scope.has_value());
  EXPECT_EQ(net::route_scope(r), 253);  // link: no gateway
  EXPECT_FALSE(r.metric.has_value());
  EXPECT_FALSE(r.append);
}

TEST(RouteSpec, RouteTypesFamiliesAndNexthops) {
  auto bh = route_of("blackhole 198.51.100.0/24 no_track");
  EXPECT_EQ(bh.type, net::RouteType::Blackhole);
  EXPECT_EQ(bh.ifindex, 0u);
  EXPECT_EQ(route_of("unreachable 198.51.100.0/24 no_track").type, net::RouteType::Unreachable);
  EXPECT_EQ(route_of("prohibit 198.51.100.0/24 no_track").type, net::RouteType::Prohibit);
  EXPECT_EQ(route_of("throw 198.51.100.0/24 no_track").type, net::RouteType::Throw);
  EXPECT_EQ(route_of("local 198.51.100.1 dev lo").type, net::RouteType::Local);

  auto v6 =
      route_of("2001:db8:1::/48 from 2001:db8:2::/48 via 2001:db8::1 dev eth1 protocol keepalived");
  EXPECT_EQ(v6.destination, prefix("2001:db8:1::/48"));
  EXPECT_EQ(v6.source, prefix("2001:db8:2::/48"));
  EXPECT_EQ(v6.gateway, ip("2001:db8::1"));
  EXPECT_EQ(v6.ifindex, 3u);

  auto other_protocol = route_of("192.0.2.0/24 dev eth0 protocol bird no_track");
  EXPECT_EQ(other_protocol.protocol, 12);

  auto appended = route_of("198.51.100.0/25 via 192.0.2.1 dev eth0 append");
  EXPECT_TRUE(appended.append);

  auto def6 = route_of("default via 2001:db8::1 dev eth0");
  EXPECT_EQ(def6.destination, prefix("::/0"));

  auto mp = route_of(
      "192.0.2.128/25 table 6909 no_track nexthop via 198.51.100.2 dev eth1 weight 2 "
      "nexthop via 198.51.100.3 dev eth2 onlink");
  EXPECT_EQ(mp.table, 6909u);
  ASSERT_EQ(mp.nexthops.size(), 2u);
  EXPECT_EQ(mp.nexthops[0],
            (net::RouteNextHop{
                .gateway = ip("198.51.100.2"), .ifindex = 3, .weight = 2, .onlink = false}));
  EXPECT_EQ(mp.nexthops[1],
            (net::RouteNextHop{
                .gateway = ip("198.51.100.3"), .ifindex = 4, .weight = 1, .onlink = true}));
  EXPECT_EQ(net::route_scope(mp), 0);  // universe: nexthops
}

TEST(RouteSpec, RouteRefusals) {
  EXPECT_EQ(route_error("192.0.2.0/24 dev eth0 advmss 1400"),
            "route '192.0.2.0/24 dev eth0 advmss 1400': halo does not support 'advmss' in routes");
  EXPECT_EQ(route_error("192.0.2.0/24 dev eth0 mtu lock 1400"),
            "route '192.0.2.0/24 dev eth0 mtu lock 1400': halo does not support 'mtu lock' in "
            "routes");
  EXPECT_EQ(route_error("192.0.2.0/24 dev eth0 vrf blue"),
            "route '192.0.2.0/24 dev eth0 vrf blue': halo does not support 'vrf' in routes");
  EXPECT_EQ(route_error("192.0.2.0/24 dev eth0 realms 1/2"),
            "route '192.0.2.0/24 dev eth0 realms 1/2': halo does not support 'realms' in routes");
  EXPECT_EQ(route_error("192.0.2.0/24 dev eth0 hoplimit 5"),
            "route '192.0.2.0/24 dev eth0 hoplimit 5': halo does not support 'hoplimit' in routes");
  // An interface that is not there (any more) when the route is made.
  const IfindexOf none = [](std::string_view) { return std::optional<std::uint32_t>(); };
  EXPECT_EQ(route_error("192.0.2.0/24 dev eth0", none),
            "route '192.0.2.0/24 dev eth0': interface eth0 does not exist");
  EXPECT_EQ(route_error("192.0.2.0/24 no_track nexthop via 198.51.100.2 dev eth2", none),
            "route '192.0.2.0/24 no_track nexthop via 198.51.100.2 dev eth2': interface eth2 "
            "does not exist");
}

// A value that spells an option name is a value ("table rtt" would be a table named rtt).
TEST(RouteSpec, ValuesAreNotOptions) {
  auto items = static_items("192.0.2.0/24 dev eth0\n", "");
  ASSERT_EQ(items.routes.size(), 1u);
  auto item = items.routes[0];
  item.words = {"192.0.2.0/24", "dev", "window", "metric", "5"};
  item.dev = "eth0";
  auto r = route_request(item, test_ifindex);
  ASSERT_TRUE(r.has_value()) << r.error().message;
}

TEST(RouteSpec, VirtualRoutesAndRules) {
  auto loaded = load(R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    192.0.2.100
  }
  virtual_routes {
    198.51.100.0/24 via 192.0.2.1 dev eth0 table 5
  }
  virtual_rules {
    from 192.0.2.100 table 5 priority 50
  }
}
)");
  ASSERT_TRUE(loaded.ok()) << rendered(loaded);
  const auto& vi = loaded.config->vrrp.instances.at(0);
  ASSERT_EQ(vi.virtual_routes.size(), 1u);
  auto route = route_request(vi.virtual_routes[0], test_ifindex);
  ASSERT_TRUE(route.has_value()) << route.error().message;
  EXPECT_EQ(route->destination, prefix("198.51.100.0/24"));
  EXPECT_EQ(route->gateway, ip("192.0.2.1"));
  EXPECT_EQ(route->ifindex, 2u);
  EXPECT_EQ(route->table, 5u);
  ASSERT_EQ(vi.virtual_rules.size(), 1u);
  auto rule = rule_request(vi.virtual_rules[0]);
  ASSERT_TRUE(rule.has_value()) << rule.error().message;
  EXPECT_EQ(rule->source, prefix("192.0.2.100/32"));
  EXPECT_EQ(rule->table, 5u);
  EXPECT_EQ(rule->priority, 50u);
}

TEST(RouteSpec, RuleEveryField) {
  const auto r = rule_of(
      "not to 2001:db8::/32 lookup 1000 preference 5 fwmark 0x10/0xff iif eth0 oif eth1 "
      "ipproto tcp sport 1-2 dport 80-80 uidrange 1000-2000 tos 4");
  net::RuleRequest expected;
  expected.family = Family::V6;
  expected.destination = prefix("2001:db8::/32");
  expected.invert = true;
  expected.action = net::RuleAction::Table;
  expected.table = 1000;
  expected.priority = 5;
  expected.fwmark = 0x10;
  expected.fwmask = 0xff;
  expected.iif = "eth0";
  expected.oif = "eth1";
  expected.ip_proto = 6;
  expected.sport = net::PortRange{1, 2};
  expected.dport = net::PortRange{80, 80};
  expected.uid_range = net::UidRange{1000, 2000};
  expected.tos = 4;
  expected.protocol = net::kProtocolKeepalived;
  EXPECT_EQ(r, expected);
}

TEST(RouteSpec, RuleActions) {
  auto table = rule_of("from 192.0.2.0/24 table 100 priority 100");
  EXPECT_EQ(table.family, Family::V4);
  EXPECT_EQ(table.source, prefix("192.0.2.0/24"));
  EXPECT_EQ(table.action, net::RuleAction::Table);
  EXPECT_EQ(table.table, 100u);
  EXPECT_EQ(table.protocol, 18);

  auto go = rule_of("from all preference 10 goto 20");
  EXPECT_EQ(go.action, net::RuleAction::Goto);
  EXPECT_EQ(go.goto_target, 20u);
  EXPECT_FALSE(go.source.has_value());

  auto l3 = rule_of("priority 30 l3mdev");
  EXPECT_EQ(l3.action, net::RuleAction::Table);
  EXPECT_TRUE(l3.l3mdev);
  EXPECT_EQ(l3.table, 0u);

  EXPECT_EQ(rule_of("priority 31 nop").action, net::RuleAction::Nop);
  EXPECT_EQ(rule_of("priority 32 blackhole").action, net::RuleAction::Blackhole);
  EXPECT_EQ(rule_of("priority 33 prohibit").action, net::RuleAction::Prohibit);
  EXPECT_EQ(rule_of("priority 34 type unreachable").action, net::RuleAction::Unreachable);
  EXPECT_EQ(rule_of("priority 35 table main inet6").family, Family::V6);
  EXPECT_EQ(rule_of("priority 35 table main inet6").table, 254u);
  EXPECT_EQ(rule_of("priority 36 table 7 protocol 12 no_track").protocol, 12);
}

TEST(RouteSpec, RuleOptionsFromWords) {
  auto r = rule_of(
      "from 192.0.2.0/24 priority 40 table 9 suppress_prefixlength 0 suppress_ifgroup 3 "
      "realms 1/2 tunnel-id 7");
  EXPECT_EQ(r.suppress_prefixlen, 0u);
  EXPECT_EQ(r.suppress_ifgroup, 3u);
  EXPECT_EQ(r.realms, (1u << 16) | 2u);
  EXPECT_EQ(r.tunnel_id, 7u);
  EXPECT_EQ(rule_of("priority 41 table 9 realms 5").realms, 5u);
  EXPECT_EQ(rule_of("priority 42 table 9 sup_pl 8").suppress_prefixlen, 8u);
}

}  // namespace
}  // namespace halo::vrrp
