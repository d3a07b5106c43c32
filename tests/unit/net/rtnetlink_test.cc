// Component tests of the rtnetlink request socket against the real kernel, each in a fresh
// network namespace (NetnsSandbox): addresses with lifetimes added, listed, renewed and
// deleted; links read one by one and dumped; a VMAC macvlan created on a veth and deleted;
// routes (via a gateway, multipath, IPv6, blackhole) and rules added, re-added and deleted
// twice, checked against what `ip route` / `ip rule` list; and the error text the kernel's
// answers turn into.
#include "net/rtnetlink.h"

#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "support/netns_sandbox.h"

namespace halo::net {
namespace {

using halo::testing::sh;

// The output of a shell command run in the test's namespace.
std::string output_of(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return {};
  std::string out;
  std::array<char, 512> chunk{};
  while (std::fgets(chunk.data(), static_cast<int>(chunk.size()), pipe.get()) != nullptr) {
    out += chunk.data();
  }
  return out;
}

// The lines of `text` that contain `needle`.
std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (line.find(needle) != std::string::npos) out.push_back(line);
    start = end + 1;
  }
  return out;
}

class RtnetlinkTest : public halo::testing::NetnsSandbox {
 protected:
  void SetUp() override {
    NetnsSandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    add_veth("veth-a", "veth-b");
    auto rt = Rtnetlink::open();
    ASSERT_TRUE(rt.has_value()) << rt.error().message;
    rt_.emplace(std::move(*rt));
    auto a = rt_->link("veth-a");
    ASSERT_TRUE(a.has_value()) << a.error().message;
    ASSERT_TRUE(a->has_value());
    veth_a_ = (*a)->ifindex;
  }

  AddressRequest address(std::string_view text, std::uint32_t lifetime) const {
    AddressRequest r;
    r.ifindex = veth_a_;
    r.interface_name = "veth-a";
    r.prefix = *IpPrefix::parse(text);
    r.flags.nodad = r.prefix.address.is_v6();
    r.lifetime = AddressLifetime{.valid = lifetime, .preferred = lifetime};
    return r;
  }

  // The address as the kernel lists it, if it is there.
  std::optional<AddressMessage> find(const AddressRequest& r) {
    auto list = rt_->addresses(r.prefix.address.family());
    EXPECT_TRUE(list.has_value()) << list.error().message;
    if (!list) return std::nullopt;
    for (const auto& m : *list) {
      if (m.address.ifindex == r.ifindex && m.address.prefix == r.prefix) return m;
    }
    return std::nullopt;
  }

  std::uint32_t ifindex(const std::string& name) {
    auto l = rt_->link(name);
    EXPECT_TRUE(l.has_value() && l->has_value()) << name;
    return l && *l ? (*l)->ifindex : 0;
  }

  std::optional<Rtnetlink> rt_;
  std::uint32_t veth_a_ = 0;
};

// A route via a gateway on a veth, in table 100: added (twice: the second is the kernel's EEXIST,
// success), listed by `ip route` as halo asked for it, deleted, and deleted again (not there:
// false).
TEST_F(RtnetlinkTest, RouteViaGateway) {
  ASSERT_TRUE(sh("ip addr add 198.51.100.1/24 dev veth-a"));
  RouteRequest r;
  r.destination = *IpPrefix::parse("192.0.2.0/24");
  r.gateway = *IpAddress::parse("198.51.100.2");
  r.ifindex = veth_a_;
  r.table = 100;
  r.metric = 10;
  for (int i = 0; i < 2; ++i) {
    auto added = rt_->add_route(r);
    ASSERT_TRUE(added.has_value()) << added.error().message;
  }
  auto listed = lines_with(output_of("ip route show table all"), "192.0.2.0/24");
  ASSERT_EQ(listed.size(), 1u) << output_of("ip route show table all");
  EXPECT_EQ(listed[0],
            "192.0.2.0/24 via 198.51.100.2 dev veth-a table 100 proto keepalived "
            "metric 10 ");

  // Another metric is another route: both are there, and each is deleted on its own.
  auto other = r;
  other.metric = 20;
  ASSERT_TRUE(rt_->add_route(other).has_value());
  EXPECT_EQ(lines_with(output_of("ip route show table 100"), "192.0.2.0/24").size(), 2u);

  for (const auto& route : {r, other}) {
    auto first = rt_->delete_route(route);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_TRUE(*first);
    auto second = rt_->delete_route(route);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_FALSE(*second);
  }
  EXPECT_TRUE(lines_with(output_of("ip route show table all"), "192.0.2.0/24").empty());
}

// A route someone else made to the same destination (same key: table, tos, metric) is neither
// replaced when ours is added (ours goes before it, like keepalived's) nor deleted in our name.
TEST_F(RtnetlinkTest, OthersRoutesAreLeftAlone) {
  ASSERT_TRUE(sh("ip addr add 198.51.100.1/24 dev veth-a"));
  ASSERT_TRUE(sh("ip route add 192.0.2.0/24 via 198.51.100.3 dev veth-a proto static"));
  RouteRequest r;
  r.destination = *IpPrefix::parse("192.0.2.0/24");
  r.gateway = *IpAddress::parse("198.51.100.2");
  r.ifindex = veth_a_;
  auto not_ours = rt_->delete_route(r);
  ASSERT_TRUE(not_ours.has_value()) << not_ours.error().message;
  EXPECT_FALSE(*not_ours);

  auto added = rt_->add_route(r);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_EQ(lines_with(output_of("ip route show"), "192.0.2.0/24"),
            (std::vector<std::string>{"192.0.2.0/24 via 198.51.100.2 dev veth-a proto keepalived ",
                                      "192.0.2.0/24 via 198.51.100.3 dev veth-a proto static "}));
  auto deleted = rt_->delete_route(r);
  ASSERT_TRUE(deleted.has_value()) << deleted.error().message;
  EXPECT_TRUE(*deleted);
  EXPECT_EQ(lines_with(output_of("ip route show"), "192.0.2.0/24"),
            std::vector<std::string>{"192.0.2.0/24 via 198.51.100.3 dev veth-a proto static "});
}

TEST_F(RtnetlinkTest, MultipathRoute) {
  ASSERT_TRUE(sh("ip addr add 198.51.100.1/25 dev veth-a"));
  ASSERT_TRUE(sh("ip addr add 198.51.100.129/25 dev veth-b"));
  RouteRequest r;
  r.destination = *IpPrefix::parse("192.0.2.0/24");
  r.nexthops = {
      RouteNextHop{.gateway = *IpAddress::parse("198.51.100.2"),
                   .ifindex = veth_a_,
                   .weight = 1,
                   .onlink = false},
      RouteNextHop{.gateway = *IpAddress::parse("198.51.100.130"),
                   .ifindex = ifindex("veth-b"),
                   .weight = 3,
                   .onlink = false},
  };
  auto added = rt_->add_route(r);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  const auto shown = output_of("ip route show 192.0.2.0/24");
  EXPECT_EQ(shown,
            "192.0.2.0/24 proto keepalived \n"
            "\tnexthop via 198.51.100.2 dev veth-a weight 1 \n"
            "\tnexthop via 198.51.100.130 dev veth-b weight 3 \n");
  auto first = rt_->delete_route(r);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_TRUE(*first);
  EXPECT_EQ(output_of("ip route show 192.0.2.0/24"), "");
  auto second = rt_->delete_route(r);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_FALSE(*second);
}

TEST_F(RtnetlinkTest, Ipv6Route) {
  ASSERT_TRUE(sh("ip addr add 2001:db8::1/64 dev veth-a nodad"));
  RouteRequest r;
  r.destination = *IpPrefix::parse("2001:db8:1::/48");
  r.gateway = *IpAddress::parse("2001:db8::2");
  r.ifindex = veth_a_;
  r.metric = 100;
  r.mtu = 1400;
  auto added = rt_->add_route(r);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_EQ(output_of("ip -6 route show 2001:db8:1::/48"),
            "2001:db8:1::/48 via 2001:db8::2 dev veth-a proto keepalived metric 100 mtu 1400 "
            "pref medium\n");
  auto again = rt_->add_route(r);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(lines_with(output_of("ip -6 route show"), "2001:db8:1::/48").size(), 1u);
  auto first = rt_->delete_route(r);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_TRUE(*first);
  auto second = rt_->delete_route(r);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_FALSE(*second);
  EXPECT_EQ(output_of("ip -6 route show 2001:db8:1::/48"), "");
}

// A source-specific IPv6 route (RTA_SRC, `from`) and an IPv4 route via an IPv6 gateway
// (RTA_VIA, RFC 5549).
TEST_F(RtnetlinkTest, SourceRouteAndIpv4ViaIpv6) {
  ASSERT_TRUE(sh("ip addr add 2001:db8::1/64 dev veth-a nodad"));
  RouteRequest from;
  from.destination = *IpPrefix::parse("2001:db8:1::/48");
  from.source = *IpPrefix::parse("2001:db8:2::/48");
  from.gateway = *IpAddress::parse("2001:db8::2");
  from.ifindex = veth_a_;
  RouteRequest via6;
  via6.destination = *IpPrefix::parse("198.51.100.0/24");
  via6.gateway = *IpAddress::parse("2001:db8::2");
  via6.ifindex = veth_a_;
  for (const auto& r : {from, via6}) {
    auto added = rt_->add_route(r);
    ASSERT_TRUE(added.has_value()) << added.error().message;
  }
  EXPECT_EQ(lines_with(output_of("ip -6 route show"), "2001:db8:1::/48"),
            std::vector<std::string>{"2001:db8:1::/48 from 2001:db8:2::/48 via 2001:db8::2 dev "
                                     "veth-a proto keepalived metric 1024 pref medium"});
  EXPECT_EQ(output_of("ip route show 198.51.100.0/24"),
            "198.51.100.0/24 via inet6 2001:db8::2 dev veth-a proto keepalived \n");
  for (const auto& r : {from, via6}) {
    auto first = rt_->delete_route(r);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_TRUE(*first) << route_text(r);
    auto second = rt_->delete_route(r);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_FALSE(*second) << route_text(r);
  }
}

// Blackhole routes of both families, the IPv4 one appended twice (EEXIST is success).
TEST_F(RtnetlinkTest, BlackholeRoutes) {
  RouteRequest v4;
  v4.type = RouteType::Blackhole;
  v4.destination = *IpPrefix::parse("198.51.100.0/24");
  v4.append = true;
  RouteRequest v6 = v4;
  v6.destination = *IpPrefix::parse("2001:db8:dead::/48");
  v6.append = false;
  for (const auto& r : {v4, v4, v6}) {
    auto added = rt_->add_route(r);
    ASSERT_TRUE(added.has_value()) << added.error().message;
  }
  EXPECT_EQ(output_of("ip route show 198.51.100.0/24"),
            "blackhole 198.51.100.0/24 proto keepalived \n");
  EXPECT_EQ(lines_with(output_of("ip -6 route show"), "2001:db8:dead::/48"),
            std::vector<std::string>{"blackhole 2001:db8:dead::/48 dev lo proto keepalived "
                                     "metric 1024 pref medium"});
  for (const auto& r : {v4, v6}) {
    auto first = rt_->delete_route(r);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_TRUE(*first) << route_text(r);
    auto second = rt_->delete_route(r);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_FALSE(*second) << route_text(r);
  }
}

TEST_F(RtnetlinkTest, RouteErrors) {
  RouteRequest r;
  r.destination = *IpPrefix::parse("192.0.2.0/24");
  r.gateway = *IpAddress::parse("198.51.100.2");  // no address on that network
  r.ifindex = veth_a_;
  auto added = rt_->add_route(r);
  ASSERT_FALSE(added.has_value());
  EXPECT_TRUE(
      added.error().message.starts_with("cannot add route 192.0.2.0/24 via 198.51.100.2 dev " +
                                        std::to_string(veth_a_) + ": Network is unreachable"))
      << added.error().message;

  r.gateway.reset();
  r.ifindex = 9999;
  auto no_dev = rt_->add_route(r);
  ASSERT_FALSE(no_dev.has_value());
  EXPECT_TRUE(
      no_dev.error().message.starts_with("cannot add route 192.0.2.0/24 dev 9999: No such device"))
      << no_dev.error().message;
  // Deleting a route on an interface that is gone: nothing to delete.
  auto deleted = rt_->delete_route(r);
  ASSERT_TRUE(deleted.has_value()) << deleted.error().message;
  EXPECT_FALSE(*deleted);

  r.table = 0;
  auto refused = rt_->add_route(r);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message,
            "cannot add route 192.0.2.0/24 dev 9999 table 0: routing table 0");
}

TEST_F(RtnetlinkTest, Rules) {
  RuleRequest r;
  r.source = *IpPrefix::parse("192.0.2.0/24");
  r.table = 100;
  r.priority = 100;
  RuleRequest v6;
  v6.family = Family::V6;
  v6.destination = *IpPrefix::parse("2001:db8::/32");
  v6.action = RuleAction::Unreachable;
  v6.priority = 200;
  v6.iif = "veth-a";
  for (const auto& rule : {r, r, v6, v6}) {  // twice: EEXIST is success
    auto added = rt_->add_rule(rule);
    ASSERT_TRUE(added.has_value()) << added.error().message;
  }
  EXPECT_EQ(lines_with(output_of("ip rule show"), "192.0.2.0/24"),
            std::vector<std::string>{"100:\tfrom 192.0.2.0/24 lookup 100 proto keepalived"});
  EXPECT_EQ(lines_with(output_of("ip -6 rule show"), "2001:db8::/32"),
            std::vector<std::string>{
                "200:\tfrom all to 2001:db8::/32 iif veth-a unreachable proto keepalived"});
  for (const auto& rule : {r, v6}) {
    auto first = rt_->delete_rule(rule);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_TRUE(*first) << rule_text(rule);
    auto second = rt_->delete_rule(rule);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_FALSE(*second) << rule_text(rule);
  }
  EXPECT_TRUE(lines_with(output_of("ip rule show"), "192.0.2.0/24").empty());
  EXPECT_TRUE(lines_with(output_of("ip -6 rule show"), "2001:db8::/32").empty());

  // The other actions and matches, each listed by `ip rule` as asked for, then deleted.
  RuleRequest marked;
  marked.fwmark = 0x10;
  marked.fwmask = 0xff;
  marked.table = 1000;  // FRA_TABLE
  marked.priority = 300;
  marked.ip_proto = 6;
  marked.dport = PortRange{80, 80};
  RuleRequest l3mdev;
  l3mdev.l3mdev = true;
  l3mdev.priority = 400;
  RuleRequest jump;
  jump.action = RuleAction::Goto;
  jump.goto_target = 300;
  jump.priority = 50;
  jump.invert = true;
  jump.source = *IpPrefix::parse("198.51.100.0/24");
  RuleRequest users;
  users.action = RuleAction::Prohibit;
  users.priority = 60;
  users.uid_range = UidRange{1000, 2000};
  users.oif = "veth-b";
  const std::vector<std::pair<RuleRequest, std::string>> more = {
      {marked, "300:\tfrom all fwmark 0x10/0xff ipproto tcp dport 80 lookup 1000 proto keepalived"},
      {l3mdev, "400:\tfrom all lookup [l3mdev-table] proto keepalived"},
      {jump, "50:\tnot from 198.51.100.0/24 goto 300 proto keepalived"},
      {users, "60:\tfrom all oif veth-b uidrange 1000-2000 prohibit proto keepalived"},
  };
  for (const auto& [rule, listed] : more) {
    auto added = rt_->add_rule(rule);
    ASSERT_TRUE(added.has_value()) << added.error().message;
    const auto prefix = listed.substr(0, listed.find('\t') + 1);
    EXPECT_EQ(lines_with(output_of("ip rule show"), prefix), std::vector<std::string>{listed});
  }
  for (const auto& [rule, listed] : more) {
    auto first = rt_->delete_rule(rule);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_TRUE(*first) << rule_text(rule);
    auto second = rt_->delete_rule(rule);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_FALSE(*second) << rule_text(rule);
  }
  EXPECT_EQ(output_of("ip rule show"),
            "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n"
            "32767:\tfrom all lookup default\n");

  // A goto backwards is the kernel's EINVAL, worded.
  RuleRequest back;
  back.action = RuleAction::Goto;
  back.goto_target = 50;
  back.priority = 100;
  auto refused = rt_->add_rule(back);
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(refused.error().message.starts_with(
      "cannot add rule from all goto 50 priority 100: Invalid argument"))
      << refused.error().message;
}

// Add with a finite lifetime, see it counting down, renew it (NLM_F_REPLACE) and see the
// remaining lifetime back at the top, then delete it twice.
TEST_F(RtnetlinkTest, AddressLifecycle) {
  const auto v4 = address("192.0.2.10/24", 30);
  const auto v6 = address("2001:db8::10/64", 30);
  for (const auto& r : {v4, v6}) {
    auto added = rt_->add_address(r, /*replace=*/false);
    ASSERT_TRUE(added.has_value()) << added.error().message;
    auto listed = find(r);
    ASSERT_TRUE(listed.has_value()) << r.prefix.to_string();
    EXPECT_TRUE(listed->has_cacheinfo);
    EXPECT_LE(listed->address.lifetime.valid, 30u);
    EXPECT_GE(listed->address.lifetime.valid, 29u);
    EXPECT_EQ((listed->raw_flags & IFA_F_PERMANENT), 0u);  // finite: not permanent
    if (r.prefix.address.is_v6()) {
      EXPECT_TRUE(listed->address.flags.nodad);
    }
    // Adding it again without replace is the kernel's EEXIST, worded.
    auto again = rt_->add_address(r, /*replace=*/false);
    ASSERT_FALSE(again.has_value());
    // Linux 6.18 adds "(ipv4: Address already assigned)": the extended ack text.
    EXPECT_TRUE(again.error().message.starts_with("cannot add " + r.prefix.to_string() +
                                                  " on veth-a: File exists"))
        << again.error().message;
  }

  // The kernel reports the remaining lifetime in whole seconds.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  for (const auto& r : {v4, v6}) {
    auto listed = find(r);
    ASSERT_TRUE(listed.has_value());
    EXPECT_LE(listed->address.lifetime.valid, 28u) << r.prefix.to_string();
    auto renewed = rt_->add_address(r, /*replace=*/true);
    ASSERT_TRUE(renewed.has_value()) << renewed.error().message;
    auto after = find(r);
    ASSERT_TRUE(after.has_value());
    EXPECT_GE(after->address.lifetime.valid, 29u) << r.prefix.to_string();
    EXPECT_GT(after->address.lifetime.valid, listed->address.lifetime.valid);
  }

  for (const auto& r : {v4, v6}) {
    auto first = rt_->delete_address(r);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_TRUE(*first);
    EXPECT_FALSE(find(r).has_value());
    auto second = rt_->delete_address(r);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_FALSE(*second);
  }
}

// Replace also creates an address that is not there (the renewal after a restart).
TEST_F(RtnetlinkTest, ReplaceCreates) {
  const auto r = address("198.51.100.7/32", 10);
  auto added = rt_->add_address(r, /*replace=*/true);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_TRUE(find(r).has_value());
}

TEST_F(RtnetlinkTest, ErrorsNameTheThing) {
  auto r = address("192.0.2.10/24", 30);
  r.ifindex = 9999;
  r.interface_name.clear();
  auto added = rt_->add_address(r, false);
  ASSERT_FALSE(added.has_value());
  // Linux 6.18 appends its extended ack text: "... No such device (ipv4: Device not found)".
  EXPECT_TRUE(
      added.error().message.starts_with("cannot add 192.0.2.10/24 on ifindex 9999: No such device"))
      << added.error().message;
  EXPECT_NE(added.error().message.find(" (ipv4: "), std::string::npos) << added.error().message;
  // Deleting from an interface that is gone: nothing to delete, not an error.
  auto deleted = rt_->delete_address(r);
  ASSERT_TRUE(deleted.has_value()) << deleted.error().message;
  EXPECT_FALSE(*deleted);

  // An invalid request is refused before it is sent, with the same wording.
  auto zero = address("192.0.2.10/24", 30);
  zero.lifetime.valid = 0;
  auto refused = rt_->add_address(zero, false);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, "cannot add 192.0.2.10/24 on veth-a: valid lifetime 0");

  // A macvlan on loopback: EINVAL (6.18 sends no extended ack text for this one).
  auto lo = rt_->link("lo");
  ASSERT_TRUE(lo.has_value() && lo->has_value());
  auto mv = rt_->add_macvlan({.name = "mv-lo",
                              .parent_ifindex = (*lo)->ifindex,
                              .mac = MacAddress::vrrp_v4(1),
                              .bridge_mode = false});
  ASSERT_FALSE(mv.has_value());
  EXPECT_TRUE(mv.error().message.starts_with("cannot create macvlan mv-lo on ifindex 1: "))
      << mv.error().message;

  auto gone = rt_->delete_link(9999);
  ASSERT_TRUE(gone.has_value()) << gone.error().message;
  EXPECT_FALSE(*gone);
  auto up = rt_->set_link_up(9999, true);
  ASSERT_FALSE(up.has_value());
  EXPECT_EQ(up.error().message, "cannot set link 9999 up: No such device");
}

TEST_F(RtnetlinkTest, Links) {
  auto lo = rt_->link("lo");
  ASSERT_TRUE(lo.has_value()) << lo.error().message;
  ASSERT_TRUE(lo->has_value());
  EXPECT_EQ((*lo)->name, "lo");
  EXPECT_EQ((*lo)->ifindex, 1u);  // always 1 in a namespace
  EXPECT_TRUE((*lo)->admin_up);
  EXPECT_TRUE((*lo)->mac.is_zero());
  EXPECT_EQ((*lo)->mtu, 65536u);

  auto a = rt_->link(veth_a_);
  ASSERT_TRUE(a.has_value()) << a.error().message;
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->name, "veth-a");
  EXPECT_EQ((*a)->kind, "veth");
  EXPECT_TRUE((*a)->admin_up);
  EXPECT_FALSE((*a)->mac.is_zero());
  EXPECT_EQ((*a)->mtu, 1500u);

  auto missing = rt_->link("no-such-link");
  ASSERT_TRUE(missing.has_value()) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
  auto missing_index = rt_->link(9999u);
  ASSERT_TRUE(missing_index.has_value()) << missing_index.error().message;
  EXPECT_FALSE(missing_index->has_value());
  auto bad_name = rt_->link("not a name");
  ASSERT_TRUE(bad_name.has_value());
  EXPECT_FALSE(bad_name->has_value());

  auto all = rt_->links();
  ASSERT_TRUE(all.has_value()) << all.error().message;
  std::vector<std::string> names;
  for (const auto& l : *all) names.push_back(l.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"lo", "veth-a", "veth-b"}));
  for (const auto& l : *all) {
    if (l.name == "veth-a") {
      EXPECT_EQ(l, **a);
    }
  }
}

// Many links: the dump spans several datagrams and is read to its end.
TEST_F(RtnetlinkTest, LargeDump) {
  ASSERT_TRUE(
      sh("for i in $(seq 1 30); do echo link add p$i type veth peer name q$i; done"
         " | ip -batch -"));
  auto all = rt_->links();
  ASSERT_TRUE(all.has_value()) << all.error().message;
  EXPECT_EQ(all->size(), 63u);
  // The socket is clean afterwards: the next request gets its own answer.
  auto lo = rt_->link("lo");
  ASSERT_TRUE(lo.has_value() && lo->has_value());
  EXPECT_EQ((*lo)->ifindex, 1u);
}

TEST_F(RtnetlinkTest, Macvlan) {
  const MacvlanRequest request{.name = "vrrp.51",
                               .parent_ifindex = veth_a_,
                               .mac = *MacAddress::parse("00:00:5e:00:01:33"),
                               .bridge_mode = false};
  auto ifindex = rt_->add_macvlan(request);
  ASSERT_TRUE(ifindex.has_value()) << ifindex.error().message;

  auto mv = rt_->link(*ifindex);
  ASSERT_TRUE(mv.has_value()) << mv.error().message;
  ASSERT_TRUE(mv->has_value());
  EXPECT_EQ((*mv)->name, "vrrp.51");
  EXPECT_EQ((*mv)->kind, "macvlan");
  EXPECT_EQ((*mv)->link_ifindex, veth_a_);
  EXPECT_EQ((*mv)->mac, request.mac);
  EXPECT_EQ((*mv)->macvlan_mode, MacvlanMode::Private);
  EXPECT_TRUE((*mv)->admin_up);
  EXPECT_TRUE(sh("ip -d link show vrrp.51 | grep -q 'macvlan mode private'"));
  EXPECT_TRUE(sh("ip link show vrrp.51 | grep -q '00:00:5e:00:01:33'"));

  auto all = rt_->links();
  ASSERT_TRUE(all.has_value()) << all.error().message;
  EXPECT_EQ(
      std::count_if(all->begin(), all->end(),
                    [](const LinkInfo& l) { return l.name == "vrrp.51" && l.kind == "macvlan"; }),
      1);

  // The same name again: EEXIST, and the first one is untouched.
  auto twice = rt_->add_macvlan(request);
  ASSERT_FALSE(twice.has_value());
  EXPECT_NE(twice.error().message.find("File exists"), std::string::npos) << twice.error().message;

  auto down = rt_->set_link_up(*ifindex, false);
  ASSERT_TRUE(down.has_value()) << down.error().message;
  auto after = rt_->link(*ifindex);
  ASSERT_TRUE(after.has_value() && after->has_value());
  EXPECT_FALSE((*after)->admin_up);

  auto deleted = rt_->delete_link(*ifindex);
  ASSERT_TRUE(deleted.has_value()) << deleted.error().message;
  EXPECT_TRUE(*deleted);
  auto gone = rt_->link("vrrp.51");
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->has_value());
  auto again = rt_->delete_link(*ifindex);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(*again);

  // Bridge mode.
  auto bridged = request;
  bridged.name = "vrrp.52";
  bridged.mac = MacAddress::vrrp_v4(52);
  bridged.bridge_mode = true;
  auto b = rt_->add_macvlan(bridged);
  ASSERT_TRUE(b.has_value()) << b.error().message;
  auto bl = rt_->link(*b);
  ASSERT_TRUE(bl.has_value() && bl->has_value());
  EXPECT_EQ((*bl)->macvlan_mode, MacvlanMode::Bridge);
}

// Any local process may send to our port: a forged ack (right sequence number, wrong
// sender) must not be taken for the kernel's answer.
TEST_F(RtnetlinkTest, ForgedAnswersAreIgnored) {
  sockaddr_nl ours{};
  socklen_t len = sizeof ours;
  ASSERT_EQ(getsockname(rt_->fd(), reinterpret_cast<sockaddr*>(&ours), &len), 0);
  const int forger = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  ASSERT_GE(forger, 0);
  // NLMSG_ERROR with -EPERM for sequence numbers 2..5 (SetUp used 1).
  for (std::uint32_t seq = 2; seq <= 5; ++seq) {
    struct {
      nlmsghdr hdr;
      nlmsgerr err;
    } forged{};
    forged.hdr.nlmsg_len = sizeof forged;
    forged.hdr.nlmsg_type = NLMSG_ERROR;
    forged.hdr.nlmsg_seq = seq;
    forged.hdr.nlmsg_pid = ours.nl_pid;
    forged.err.error = -EPERM;
    ASSERT_EQ(sendto(forger, &forged, sizeof forged, 0, reinterpret_cast<const sockaddr*>(&ours),
                     sizeof ours),
              static_cast<ssize_t>(sizeof forged));
  }
  close(forger);
  auto added = rt_->add_address(address("192.0.2.20/24", 30), false);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_TRUE(find(address("192.0.2.20/24", 30)).has_value());
}

// Moving the socket keeps it working; a moved-from one fails cleanly.
TEST_F(RtnetlinkTest, Move) {
  Rtnetlink moved = std::move(*rt_);
  auto lo = moved.link("lo");
  ASSERT_TRUE(lo.has_value() && lo->has_value());
  auto stale = rt_->link("lo");
  EXPECT_FALSE(stale.has_value());
}

}  // namespace
}  // namespace halo::net
