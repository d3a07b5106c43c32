// Component tests of the no_accept firewall against the real kernel's nftables.
//
// Two hosts joined by a veth pair: veth-a (192.0.2.1/24, 2001:db8::1/64) stays in the sandbox
// namespace (NetnsSandbox) and also carries the "virtual" addresses 192.0.2.10 and
// 2001:db8::10; veth-b (192.0.2.2/24, 2001:db8::2/64) moves to a peer namespace held by a
// descriptor only (as in vrrp_socket_test.cc), from which we ping. A ping that works before
// drop_to, fails after it and works again after allow_to shows the packets really are dropped
// at the input hook. The table is checked with the nft command itself.
#include "net/nft_no_accept.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "common/unique_fd.h"
#include "support/netns_sandbox.h"
#include "support/peer_netns.h"

namespace halo::net {
namespace {

using halo::testing::PeerNamespace;
using halo::testing::sh;

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

// stdout of a shell command (stderr dropped).
std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

bool table_exists(const std::string& name) {
  return sh("nft list table inet " + name + " >/dev/null 2>&1");
}

TEST(NoAcceptFirewallName, RejectsNamesNftWouldMisreadOrThatCouldInjectCommands) {
  for (const char* bad : {"", "1st", "my table", "halo;flush ruleset", "a-b"}) {
    auto opened = NoAcceptFirewall::open(bad);
    ASSERT_FALSE(opened) << bad;
    EXPECT_NE(opened.error().message.find("invalid nftables table name"), std::string::npos);
  }
  EXPECT_FALSE(NoAcceptFirewall::open(std::string(65, 'a')));
}

class NoAcceptFirewallTest : public halo::testing::NetnsSandbox {
 protected:
  void SetUp() override {
    NetnsSandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    add_veth("veth-a", "veth-b");
    if (HasFatalFailure()) return;
    ASSERT_TRUE(peer_.create());
    ASSERT_TRUE(sh("ip link set veth-b netns " + peer_.path()));
    ASSERT_TRUE(
        sh("ip addr add 192.0.2.1/24 dev veth-a && ip addr add 192.0.2.10/32 dev veth-a && "
           "ip addr add 2001:db8::1/64 dev veth-a nodad && "
           "ip addr add 2001:db8::10/128 dev veth-a nodad"));
    ASSERT_TRUE(peer_.inside([] {
      return sh(
          "ip link set lo up && ip link set veth-b up && ip addr add 192.0.2.2/24 dev veth-b && "
          "ip addr add 2001:db8::2/64 dev veth-b nodad");
    }));
  }

  bool peer_reaches(const std::string& address) {
    return peer_.inside([&] { return sh("ping -c1 -W1 -q " + address + " >/dev/null 2>&1"); });
  }

  std::unique_ptr<NoAcceptFirewall> open(std::string table = "halo") {
    auto opened = NoAcceptFirewall::open(std::move(table));
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  PeerNamespace peer_;
};

TEST_F(NoAcceptFirewallTest, TableAppearsWithTheFirstAddressAndHoldsSetsAndRules) {
  auto firewall = open();
  ASSERT_TRUE(firewall);
  EXPECT_FALSE(firewall->has_table());
  EXPECT_FALSE(table_exists("halo")) << "the table is made lazily";

  ASSERT_TRUE(firewall->drop_to(ip("192.0.2.10")));
  ASSERT_TRUE(firewall->drop_to(ip("2001:db8::10")));
  EXPECT_TRUE(firewall->has_table());
  EXPECT_TRUE(firewall->dropping(ip("192.0.2.10")));
  EXPECT_TRUE(firewall->dropping(ip("2001:db8::10")));

  const std::string listing = output_of("nft list table inet halo");
  EXPECT_NE(listing.find("set vips4"), std::string::npos) << listing;
  EXPECT_NE(listing.find("elements = { 192.0.2.10 }"), std::string::npos) << listing;
  EXPECT_NE(listing.find("elements = { 2001:db8::10 }"), std::string::npos) << listing;
  EXPECT_NE(listing.find("type filter hook input priority filter - 1; policy accept;"),
            std::string::npos)
      << listing;
  EXPECT_NE(listing.find("ip daddr @vips4 ip protocol vrrp accept"), std::string::npos);
  EXPECT_NE(listing.find("ip daddr @vips4 drop"), std::string::npos);
  EXPECT_NE(listing.find("ip6 daddr @vips6 meta l4proto vrrp accept"), std::string::npos);
  EXPECT_NE(listing.find("ip6 daddr @vips6 icmpv6 type { nd-neighbor-solicit, "
                         "nd-neighbor-advert } accept"),
            std::string::npos)
      << listing;
  EXPECT_NE(listing.find("ip6 daddr @vips6 drop"), std::string::npos);

  firewall.reset();
  EXPECT_FALSE(table_exists("halo")) << "the destructor deletes the table";
}

TEST_F(NoAcceptFirewallTest, DropsIpv4PacketsToTheAddressUntilAllowed) {
  ASSERT_TRUE(peer_reaches("192.0.2.10")) << "the set-up works without the firewall";
  auto firewall = open();
  ASSERT_TRUE(firewall);
  ASSERT_TRUE(firewall->drop_to(ip("192.0.2.10")));
  EXPECT_FALSE(peer_reaches("192.0.2.10"));
  EXPECT_TRUE(peer_reaches("192.0.2.1")) << "only the listed address is dropped";

  ASSERT_TRUE(firewall->allow_to(ip("192.0.2.10")));
  EXPECT_TRUE(peer_reaches("192.0.2.10"));
  EXPECT_FALSE(firewall->has_table());
  EXPECT_FALSE(table_exists("halo")) << "the table goes with the last address";
}

TEST_F(NoAcceptFirewallTest, DropsIpv6PacketsToTheAddressButNotNeighbourDiscovery) {
  ASSERT_TRUE(peer_reaches("2001:db8::10")) << "the set-up works without the firewall";
  auto firewall = open();
  ASSERT_TRUE(firewall);
  ASSERT_TRUE(firewall->drop_to(ip("2001:db8::10")));
  ASSERT_TRUE(peer_.inside([] { return sh("ip -6 neigh flush dev veth-b"); }));
  EXPECT_FALSE(peer_reaches("2001:db8::10"));
  // The echo request went out, so the address was resolved: neighbour discovery still works.
  const std::string neighbour =
      peer_.inside([] { return output_of("ip -6 neigh show 2001:db8::10 dev veth-b"); });
  EXPECT_NE(neighbour.find("lladdr"), std::string::npos) << neighbour;
  EXPECT_TRUE(peer_reaches("2001:db8::1")) << "only the listed address is dropped";

  ASSERT_TRUE(firewall->allow_to(ip("2001:db8::10")));
  EXPECT_TRUE(peer_reaches("2001:db8::10"));
}

// A neighbour whose entry goes stale checks it with a unicast solicitation to the address
// itself (RFC 4861 §7.3.3, DELAY -> PROBE); that one must get through, or the neighbours of a
// no_accept master lose the VIP. The peer's timers are shortened so the probe goes within ~1 s.
TEST_F(NoAcceptFirewallTest, UnicastNeighbourSolicitationsToTheAddressAreAnswered) {
  const std::string mac = output_of("ip -br link show dev veth-a | awk '{print $3}'");
  ASSERT_EQ(mac.size(), 18U) << mac;
  auto firewall = open();
  ASSERT_TRUE(firewall);
  ASSERT_TRUE(firewall->drop_to(ip("2001:db8::10")));
  ASSERT_TRUE(peer_.inside([&] {
    return sh(
        "sysctl -qw net.ipv6.neigh.veth-b.delay_first_probe_time=1 && "
        "sysctl -qw net.ipv6.neigh.veth-b.retrans_time_ms=200 && "
        "ip -6 neigh replace 2001:db8::10 lladdr " +
        mac.substr(0, 17) + " dev veth-b nud stale");
  }));
  EXPECT_FALSE(peer_reaches("2001:db8::10"));  // STALE -> DELAY; the reply is dropped
  std::string neighbour;
  for (int i = 0; i < 30; ++i) {  // at most 3 s
    neighbour = peer_.inside([] { return output_of("ip -6 neigh show 2001:db8::10 dev veth-b"); });
    if (neighbour.find("REACHABLE") != std::string::npos) break;
    ::usleep(100'000);
  }
  EXPECT_NE(neighbour.find("REACHABLE"), std::string::npos) << neighbour;
}

TEST_F(NoAcceptFirewallTest, DestroyingTheFirewallLetsPacketsInAgain) {
  auto firewall = open();
  ASSERT_TRUE(firewall);
  ASSERT_TRUE(firewall->drop_to(ip("192.0.2.10")));
  EXPECT_FALSE(peer_reaches("192.0.2.10"));
  firewall.reset();
  EXPECT_FALSE(table_exists("halo"));
  EXPECT_TRUE(peer_reaches("192.0.2.10"));
}

TEST_F(NoAcceptFirewallTest, ChangesAreIdempotentAndTheTableStaysWhileAnAddressRemains) {
  auto firewall = open();
  ASSERT_TRUE(firewall);
  EXPECT_TRUE(firewall->allow_to(ip("192.0.2.10"))) << "allowing what is not dropped";
  EXPECT_FALSE(table_exists("halo"));
  ASSERT_TRUE(firewall->drop_to(ip("192.0.2.10")));
  ASSERT_TRUE(firewall->drop_to(ip("192.0.2.10"))) << "dropping twice";
  ASSERT_TRUE(firewall->drop_to(ip("2001:db8::10")));
  ASSERT_TRUE(firewall->allow_to(ip("192.0.2.10")));
  ASSERT_TRUE(firewall->allow_to(ip("192.0.2.10"))) << "allowing twice";
  EXPECT_TRUE(table_exists("halo"));
  EXPECT_TRUE(peer_reaches("192.0.2.10"));
  EXPECT_FALSE(peer_reaches("2001:db8::10"));
  const std::string listing = output_of("nft list set inet halo vips4");
  EXPECT_EQ(listing.find("192.0.2.10"), std::string::npos) << listing;
}

TEST_F(NoAcceptFirewallTest, TablesOfOthersAreNeitherTakenOverNorTouched) {
  ASSERT_TRUE(
      sh("nft add table inet halo && nft add chain inet halo theirs && "
         "nft add table inet other && nft add chain inet other theirs"));
  {
    auto firewall = open();
    ASSERT_TRUE(firewall);
    auto dropped = firewall->drop_to(ip("192.0.2.10"));
    ASSERT_FALSE(dropped);
    EXPECT_EQ(dropped.error().message,
              "cannot create nftables table inet halo: a table of that name already exists in "
              "this network namespace (made by another program; pick another name)");
    EXPECT_FALSE(firewall->has_table());
    EXPECT_FALSE(firewall->dropping(ip("192.0.2.10")));
  }
  EXPECT_TRUE(sh("nft list chain inet halo theirs >/dev/null")) << "someone else's table stays";
  EXPECT_EQ(output_of("nft list table inet halo").find("vips4"), std::string::npos);

  // A firewall of another name works beside them and leaves them alone.
  auto firewall = open("halo_test");
  ASSERT_TRUE(firewall);
  ASSERT_TRUE(firewall->drop_to(ip("192.0.2.10")));
  EXPECT_FALSE(peer_reaches("192.0.2.10"));
  firewall.reset();
  EXPECT_FALSE(table_exists("halo_test"));
  EXPECT_TRUE(sh("nft list chain inet halo theirs >/dev/null"));
  EXPECT_TRUE(sh("nft list chain inet other theirs >/dev/null"));
}

TEST_F(NoAcceptFirewallTest, FailuresNameTheTableAndNftsReason) {
  auto firewall = open();
  ASSERT_TRUE(firewall);
  ASSERT_TRUE(firewall->drop_to(ip("192.0.2.10")));
  // Someone deletes our table behind our back: the next change says what and why.
  ASSERT_TRUE(sh("nft delete table inet halo"));
  auto dropped = firewall->drop_to(ip("192.0.2.11"));
  ASSERT_FALSE(dropped);
  EXPECT_EQ(dropped.error().message,
            "cannot drop packets to 192.0.2.11 in nftables table inet halo: No such file or "
            "directory");
  // A new table of that name is not ours: the destructor deletes by handle and misses it.
  ASSERT_TRUE(sh("nft add table inet halo && nft add chain inet halo theirs"));
  firewall.reset();
  EXPECT_TRUE(sh("nft list chain inet halo theirs >/dev/null"));
}

}  // namespace
}  // namespace halo::net
