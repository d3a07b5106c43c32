// The pool's rules (R1..R10 in src/lvs/pool.h), one or more cases each, and desired() in every
// state. Expected notices and tables come from keepalived 2.2.7's ipwrapper.c, confirmed where
// noted by a capture of keepalived's FIFO (notice_line_test.cc).
#include "lvs/pool.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace halo::lvs {
namespace {

using Kind = PoolNotice::Kind;

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

Destination dest(const char* address, std::uint32_t weight, std::uint16_t port = 80) {
  Destination d;
  d.address = ip(address);
  d.port = port;
  d.weight = weight;
  return d;
}

RealServerSpec rs(const char* address, std::uint32_t weight, std::vector<bool> checkers = {true},
                  bool inhibit = false) {
  RealServerSpec r;
  r.name = std::string("[") + address + "]:tcp:80";
  r.destination = dest(address, weight);
  r.inhibit_on_failure = inhibit;
  r.checker_starts_up = std::move(checkers);
  return r;
}

PoolSpec spec(std::vector<RealServerSpec> servers, std::uint32_t quorum = 1,
              std::uint32_t hysteresis = 0) {
  PoolSpec s;
  s.service.name = "192.0.2.10:80";
  s.service.frontends.push_back(Frontend{ip("192.0.2.10"), ip("192.0.2.10"), 80});
  s.real_servers = std::move(servers);
  s.quorum = quorum;
  s.hysteresis = hysteresis;
  return s;
}

PoolNotice rs_notice(Kind kind, std::size_t index) {
  PoolNotice n{};
  n.kind = kind;
  n.real_server = index;
  return n;
}
PoolNotice up(std::size_t i) {
  return rs_notice(Kind::RealServerUp, i);
}
PoolNotice down(std::size_t i) {
  return rs_notice(Kind::RealServerDown, i);
}
PoolNotice weight(std::size_t i, std::uint32_t w) {
  PoolNotice n = rs_notice(Kind::RealServerWeight, i);
  n.weight = w;
  return n;
}
PoolNotice quorum(Kind kind, std::int64_t sum, std::int64_t threshold) {
  PoolNotice n{};
  n.kind = kind;
  n.weight_sum = sum;
  n.threshold = threshold;
  return n;
}
PoolNotice plain(Kind kind) {
  PoolNotice n{};
  n.kind = kind;
  return n;
}

using Table = std::vector<std::pair<std::string, std::uint32_t>>;

// The back end's destinations as (address, weight), in order.
Table table(const Pool& pool) {
  Table out;
  for (const auto& d : pool.desired().destinations) {
    out.emplace_back(d.address.to_string(), d.weight);
  }
  return out;
}

using Notices = std::vector<PoolNotice>;

// R1, R2, R7: without alpha every server starts alive, in the table with its weight, and the
// quorum starts up with its notice ("Gained quorum ... VS UP" in the capture).
TEST(PoolTest, StartWithoutAlphaEveryServerAliveAndQuorumUp) {
  Pool pool(spec({rs("198.51.100.11", 2), rs("198.51.100.12", 3)}));
  EXPECT_EQ(pool.start(), (Notices{quorum(Kind::QuorumUp, 5, 1)}));
  EXPECT_TRUE(pool.alive(0));
  EXPECT_TRUE(pool.alive(1));
  EXPECT_TRUE(pool.quorum_up());
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 2}, {"198.51.100.12", 3}}));
  const Service service = pool.desired();
  EXPECT_EQ(service.name, "192.0.2.10:80");
  ASSERT_EQ(service.frontends.size(), 1u);
}

// R1: a server without checkers is always alive.
TEST(PoolTest, ServerWithoutCheckersIsAlwaysAlive) {
  Pool pool(spec({rs("198.51.100.11", 1, {})}));
  pool.start();
  EXPECT_TRUE(pool.alive(0));
  EXPECT_TRUE(pool.set_checker(0, 0, false).empty());  // no such checker: ignored
  EXPECT_TRUE(pool.alive(0));
}

// R2, R7: with alpha the servers start dead and out of the table; without a sorry server the
// quorum starts down silently (the capture: no VS line at start).
TEST(PoolTest, AlphaStartsDownWithoutQuorumNotice) {
  Pool pool(spec({rs("198.51.100.11", 1, {false}), rs("198.51.100.12", 1, {false})}));
  EXPECT_TRUE(pool.start().empty());
  EXPECT_FALSE(pool.alive(0));
  EXPECT_FALSE(pool.quorum_up());
  EXPECT_EQ(table(pool), Table{});
}

// R7: with alpha and a sorry server, keepalived starts with quorum down and the sorry server
// in ("Starting with quorum down", VS DOWN in the capture).
TEST(PoolTest, AlphaWithSorryServerStartsWithSorryServerIn) {
  PoolSpec s = spec({rs("198.51.100.11", 1, {false})});
  s.sorry_server = dest("198.51.100.99", 1);
  Pool pool(std::move(s));
  EXPECT_EQ(pool.start(), (Notices{plain(Kind::SorryServerIn), quorum(Kind::QuorumDown, 0, 1)}));
  EXPECT_TRUE(pool.sorry_server_active());
  EXPECT_EQ(table(pool), (Table{{"198.51.100.99", 1}}));
}

// R7: the start uses the "down" threshold quorum + hysteresis.
TEST(PoolTest, StartNeedsQuorumPlusHysteresis) {
  Pool short_of_it(spec({rs("198.51.100.11", 2), rs("198.51.100.12", 1, {false})}, 2, 1));
  EXPECT_TRUE(short_of_it.start().empty());
  EXPECT_FALSE(short_of_it.quorum_up());

  Pool enough(spec({rs("198.51.100.11", 3)}, 2, 1));
  EXPECT_EQ(enough.start(), (Notices{quorum(Kind::QuorumUp, 3, 3)}));
}

// R2: rs_init_notifies reports the servers that start alive.
TEST(PoolTest, RsInitNotifies) {
  PoolSpec s = spec({rs("198.51.100.11", 1), rs("198.51.100.12", 1, {false})});
  s.rs_init_notifies = true;
  Pool pool(std::move(s));
  EXPECT_EQ(pool.start(), (Notices{up(0), quorum(Kind::QuorumUp, 1, 1)}));
}

// R1, R6: a server goes down and comes back; the quorum follows.
TEST(PoolTest, RealServerDownAndUp) {
  Pool pool(spec({rs("198.51.100.11", 1), rs("198.51.100.12", 1)}));
  pool.start();
  EXPECT_TRUE(pool.set_checker(0, 0, true).empty());  // first verdict, unchanged
  EXPECT_EQ(pool.set_checker(0, 0, false), (Notices{down(0)}));
  EXPECT_FALSE(pool.alive(0));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.12", 1}}));
  EXPECT_TRUE(pool.set_checker(0, 0, false).empty());  // repeated verdict: nothing
  EXPECT_EQ(pool.set_checker(0, 0, true), (Notices{up(0)}));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 1}, {"198.51.100.12", 1}}));
}

// R1: every checker must be up; the server goes down on the first failing one and comes up
// only when the last one recovers.
TEST(PoolTest, EveryCheckerMustBeUp) {
  Pool pool(spec({rs("198.51.100.11", 1, {true, true})}, 1));
  pool.start();
  EXPECT_EQ(pool.set_checker(0, 1, false), (Notices{down(0), quorum(Kind::QuorumDown, 0, 1)}));
  EXPECT_TRUE(pool.set_checker(0, 0, false).empty());
  EXPECT_TRUE(pool.set_checker(0, 1, true).empty());
  EXPECT_FALSE(pool.alive(0));
  EXPECT_EQ(pool.set_checker(0, 0, true), (Notices{up(0), quorum(Kind::QuorumUp, 1, 1)}));
}

// R3: the first "down" of a checker that started down is reported (the capture: "RS ... DOWN"
// after the first failed check under alpha); later repeats are not; a first "up" is a change.
TEST(PoolTest, AlphaFirstFailureIsReportedOnce) {
  Pool pool(spec({rs("198.51.100.11", 1, {false}), rs("198.51.100.12", 1, {false})}));
  pool.start();
  EXPECT_EQ(pool.set_checker(0, 0, false), (Notices{down(0)}));
  EXPECT_TRUE(pool.set_checker(0, 0, false).empty());
  EXPECT_EQ(pool.set_checker(1, 0, true), (Notices{up(1), quorum(Kind::QuorumUp, 1, 1)}));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.12", 1}}));
}

// R3: a non-alpha checker's first "up" says nothing; its first "down" is a plain change.
TEST(PoolTest, NonAlphaFirstVerdicts) {
  Pool pool(spec({rs("198.51.100.11", 1), rs("198.51.100.12", 1)}));
  pool.start();
  EXPECT_TRUE(pool.set_checker(0, 0, true).empty());
  EXPECT_EQ(pool.set_checker(1, 0, false), (Notices{down(1)}));
}

// R5: inhibit_on_failure keeps a dead server in the table with weight 0, and it counts 0.
TEST(PoolTest, InhibitOnFailureKeepsWeightZero) {
  Pool pool(spec({rs("198.51.100.11", 4, {true}, true), rs("198.51.100.12", 1)}));
  pool.start();
  EXPECT_EQ(pool.set_checker(0, 0, false), (Notices{down(0)}));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 0}, {"198.51.100.12", 1}}));
  EXPECT_EQ(pool.alive_weight_sum(), 1);
  EXPECT_EQ(pool.set_checker(0, 0, true), (Notices{up(0)}));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 4}, {"198.51.100.12", 1}}));
}

// R2, R5: an inhibited server under alpha starts in the table with weight 0.
TEST(PoolTest, InhibitWithAlphaStartsAtWeightZero) {
  Pool pool(spec({rs("198.51.100.11", 4, {false}, true)}));
  pool.start();
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 0}}));
}

// R6: quorum lost below quorum - hysteresis and gained at quorum + hysteresis; moves inside
// the band change nothing, whichever way the sum flaps.
TEST(PoolTest, QuorumHysteresisDoesNotFlap) {
  // Five servers of weight 1, quorum 3, hysteresis 1: lost below 2, gained at 4.
  Pool pool(spec({rs("198.51.100.1", 1), rs("198.51.100.2", 1), rs("198.51.100.3", 1),
                  rs("198.51.100.4", 1), rs("198.51.100.5", 1)},
                 3, 1));
  EXPECT_EQ(pool.start(), (Notices{quorum(Kind::QuorumUp, 5, 4)}));
  EXPECT_EQ(pool.set_checker(0, 0, false), (Notices{down(0)}));  // 4
  EXPECT_EQ(pool.set_checker(1, 0, false), (Notices{down(1)}));  // 3
  EXPECT_EQ(pool.set_checker(2, 0, false), (Notices{down(2)}));  // 2: still >= 2
  EXPECT_TRUE(pool.quorum_up());
  // Flap around the quorum itself: 2 -> 3 -> 2 -> 3, never lost.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(pool.set_checker(2, 0, true), (Notices{up(2)}));
    EXPECT_EQ(pool.set_checker(2, 0, false), (Notices{down(2)}));
  }
  EXPECT_TRUE(pool.quorum_up());
  EXPECT_EQ(pool.set_checker(3, 0, false), (Notices{down(3), quorum(Kind::QuorumDown, 1, 2)}));
  // Back up to 3 (the quorum) is not enough to gain it: 4 is needed.
  EXPECT_EQ(pool.set_checker(3, 0, true), (Notices{up(3)}));  // 2
  EXPECT_EQ(pool.set_checker(2, 0, true), (Notices{up(2)}));  // 3
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(pool.set_checker(2, 0, false), (Notices{down(2)}));
    EXPECT_EQ(pool.set_checker(2, 0, true), (Notices{up(2)}));
  }
  EXPECT_FALSE(pool.quorum_up());
  EXPECT_EQ(pool.set_checker(1, 0, true), (Notices{up(1), quorum(Kind::QuorumUp, 4, 4)}));
}

// R6: with hysteresis 0 the quorum is lost when the sum falls below the quorum and gained
// when it reaches it (the capture: "Lost quorum 1-0=1 > 0", "Gained quorum 1+0=1 <= 1").
TEST(PoolTest, QuorumWithoutHysteresis) {
  Pool pool(spec({rs("198.51.100.11", 1)}));
  pool.start();
  EXPECT_EQ(pool.set_checker(0, 0, false), (Notices{down(0), quorum(Kind::QuorumDown, 0, 1)}));
  EXPECT_EQ(pool.set_checker(0, 0, true), (Notices{up(0), quorum(Kind::QuorumUp, 1, 1)}));
}

// R6, R5: quorum lost with a sorry server: it enters, the alive servers leave; gained: the
// reverse. Servers that change while it is in do not enter the table.
TEST(PoolTest, SorryServerInAndOut) {
  PoolSpec s = spec({rs("198.51.100.11", 1), rs("198.51.100.12", 1)}, 2);
  s.sorry_server = dest("198.51.100.99", 5);
  Pool pool(std::move(s));
  pool.start();
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 1}, {"198.51.100.12", 1}}));
  EXPECT_EQ(pool.set_checker(0, 0, false),
            (Notices{down(0), plain(Kind::SorryServerIn), quorum(Kind::QuorumDown, 1, 2)}));
  EXPECT_TRUE(pool.sorry_server_active());
  EXPECT_TRUE(pool.alive(1));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.99", 5}}));
  EXPECT_EQ(pool.set_checker(1, 0, false), (Notices{down(1)}));
  EXPECT_EQ(pool.set_checker(1, 0, true), (Notices{up(1)}));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.99", 5}}));
  EXPECT_EQ(pool.set_checker(0, 0, true),
            (Notices{up(0), plain(Kind::SorryServerOut), quorum(Kind::QuorumUp, 2, 2)}));
  EXPECT_FALSE(pool.sorry_server_active());
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 1}, {"198.51.100.12", 1}}));
}

// R5: sorry_server_inhibit keeps the sorry server in the table at weight 0 while out, and
// inhibited real servers stay at weight 0 while it is in.
TEST(PoolTest, SorryServerInhibit) {
  PoolSpec s = spec({rs("198.51.100.11", 1, {true}, true), rs("198.51.100.12", 1)}, 2);
  s.sorry_server = dest("198.51.100.99", 5);
  s.sorry_server_inhibit = true;
  Pool pool(std::move(s));
  pool.start();
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 1}, {"198.51.100.12", 1}, {"198.51.100.99", 0}}));
  pool.set_checker(1, 0, false);
  EXPECT_TRUE(pool.sorry_server_active());
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 0}, {"198.51.100.99", 5}}));
  pool.set_checker(1, 0, true);
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 1}, {"198.51.100.12", 1}, {"198.51.100.99", 0}}));
}

// R5: a sorry server with a real server's address and port is one destination.
TEST(PoolTest, SorryServerSameAsRealServer) {
  PoolSpec s = spec({rs("198.51.100.11", 3), rs("198.51.100.12", 3)}, 6);
  s.sorry_server = dest("198.51.100.12", 1);
  s.sorry_server_inhibit = true;
  Pool pool(std::move(s));
  pool.start();
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 3}, {"198.51.100.12", 3}}));
  pool.set_checker(0, 0, false);
  EXPECT_EQ(table(pool), (Table{{"198.51.100.12", 1}}));
}

// R4: contributions add to the configured weight, clamp at 0 and at IPVS's limit, and a
// change of the clamped weight of an alive server is reported.
TEST(PoolTest, WeightsFromContributionsNeverBelowZero) {
  Pool pool(spec({rs("198.51.100.11", 10, {true, true}), rs("198.51.100.12", 1)}));
  pool.start();
  EXPECT_EQ(pool.set_contribution(0, 0, 5), (Notices{weight(0, 15)}));
  EXPECT_EQ(pool.set_contribution(0, 1, -3), (Notices{weight(0, 12)}));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 12}, {"198.51.100.12", 1}}));
  EXPECT_EQ(pool.set_contribution(0, 0, -50), (Notices{weight(0, 0)}));
  EXPECT_EQ(pool.effective_weight(0), 0u);
  EXPECT_TRUE(pool.set_contribution(0, 0, -60).empty());  // still clamped at 0
  EXPECT_TRUE(pool.alive(0));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 0}, {"198.51.100.12", 1}}));
  EXPECT_EQ(pool.set_contribution(0, 0, 0), (Notices{weight(0, 7)}));
  EXPECT_EQ(pool.set_contribution(0, 0, std::numeric_limits<std::int64_t>::max()),
            (Notices{weight(0, 2147483647u)}));
  EXPECT_TRUE(pool.set_contribution(0, 1, std::numeric_limits<std::int64_t>::max()).empty());
  EXPECT_EQ(pool.effective_weight(0), 2147483647u);
  EXPECT_TRUE(pool.set_contribution(9, 0, 1).empty());  // no such server: ignored
}

// R4: a dead server's weight changes silently and applies when it comes back.
TEST(PoolTest, DeadServerWeightWaits) {
  Pool pool(spec({rs("198.51.100.11", 2), rs("198.51.100.12", 1)}));
  pool.start();
  pool.set_checker(0, 0, false);
  EXPECT_TRUE(pool.set_contribution(0, 0, 3).empty());
  EXPECT_EQ(pool.effective_weight(0), 5u);
  EXPECT_EQ(pool.set_checker(0, 0, true), (Notices{up(0)}));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 5}, {"198.51.100.12", 1}}));
}

// R4, R6: the quorum is computed from effective weights: a weight drop alone loses it, a
// weight rise alone gains it back (with the sorry server following).
TEST(PoolTest, QuorumFromEffectiveWeights) {
  PoolSpec s = spec({rs("198.51.100.11", 3), rs("198.51.100.12", 3)}, 5);
  s.sorry_server = dest("198.51.100.99", 1);
  Pool pool(std::move(s));
  EXPECT_EQ(pool.start(), (Notices{quorum(Kind::QuorumUp, 6, 5)}));
  EXPECT_EQ(pool.set_contribution(1, 0, -2),
            (Notices{weight(1, 1), plain(Kind::SorryServerIn), quorum(Kind::QuorumDown, 4, 5)}));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.99", 1}}));
  EXPECT_EQ(pool.alive_weight_sum(), 4);
  EXPECT_EQ(pool.set_contribution(0, 0, 1),
            (Notices{weight(0, 4), plain(Kind::SorryServerOut), quorum(Kind::QuorumUp, 5, 5)}));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 4}, {"198.51.100.12", 1}}));
}

// R6: an alive server at weight 0 counts nothing; a sum of 0 loses the quorum.
TEST(PoolTest, ZeroSumLosesQuorum) {
  Pool pool(spec({rs("198.51.100.11", 1)}));
  pool.start();
  EXPECT_EQ(pool.set_contribution(0, 0, -1),
            (Notices{weight(0, 0), quorum(Kind::QuorumDown, 0, 1)}));
  EXPECT_TRUE(pool.alive(0));
}

// R8: omega gives a RealServerDown per alive server, then QuorumDown even when the quorum is
// already down (the capture: "VS ... DOWN" at stop for a virtual server that never had it).
TEST(PoolTest, OmegaStopNotices) {
  PoolSpec s = spec({rs("198.51.100.11", 1), rs("198.51.100.12", 1), rs("198.51.100.13", 1)}, 3, 1);
  s.omega = true;
  Pool pool(std::move(s));
  pool.start();
  pool.set_checker(1, 0, false);
  EXPECT_EQ(pool.stop(), (Notices{down(0), down(2), quorum(Kind::QuorumDown, 0, 2)}));
  EXPECT_TRUE(pool.alive(0));  // stop() changes nothing

  PoolSpec quiet = spec({rs("198.51.100.11", 1, {false})});
  quiet.omega = true;
  Pool never_up(std::move(quiet));
  never_up.start();
  EXPECT_FALSE(never_up.quorum_up());
  EXPECT_EQ(never_up.stop(), (Notices{quorum(Kind::QuorumDown, 0, 1)}));
}

// R8: without omega nothing is said at shutdown.
TEST(PoolTest, NoOmegaNoStopNotices) {
  Pool pool(spec({rs("198.51.100.11", 1)}));
  pool.start();
  EXPECT_TRUE(pool.stop().empty());
}

// R8: omega also reports alive servers kept out by the sorry server (keepalived does not).
TEST(PoolTest, OmegaStopWithSorryServerIn) {
  PoolSpec s = spec({rs("198.51.100.11", 1), rs("198.51.100.12", 1)}, 2);
  s.sorry_server = dest("198.51.100.99", 1);
  s.omega = true;
  Pool pool(std::move(s));
  pool.start();
  pool.set_checker(0, 0, false);
  EXPECT_EQ(pool.stop(), (Notices{down(1), quorum(Kind::QuorumDown, 0, 2)}));
}

// R9: removal by a reload ignores omega; QuorumDown only if the quorum was up.
TEST(PoolTest, RemovalByReload) {
  Pool pool(spec({rs("198.51.100.11", 1), rs("198.51.100.12", 1)}));
  pool.start();
  EXPECT_EQ(pool.remove(), (Notices{down(0), down(1), quorum(Kind::QuorumDown, 0, 1)}));
  pool.set_checker(0, 0, false);
  pool.set_checker(1, 0, false);
  EXPECT_TRUE(pool.remove().empty());
}

// R10: a carried real server keeps its state, alpha or not; nothing is said of it.
TEST(PoolTest, CarryOverKeepsTheStateOfCarriedRealServers) {
  Pool old(spec({rs("198.51.100.11", 1, {false}), rs("198.51.100.12", 1, {false})}));
  old.start();
  old.set_checker(0, 0, true);
  old.set_checker(1, 0, true);
  old.set_contribution(1, 0, 4);
  // The reload changes the quorum; both servers are checked as before. Alpha: fresh ones
  // would start down.
  Pool pool(spec({rs("198.51.100.11", 1, {false}), rs("198.51.100.12", 1, {false})}, 2));
  EXPECT_TRUE(pool.carry_over(old, {0, 1}).empty());
  EXPECT_TRUE(pool.alive(0));
  EXPECT_TRUE(pool.alive(1));
  EXPECT_TRUE(pool.quorum_up());
  EXPECT_EQ(pool.effective_weight(1), 5u);
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 1}, {"198.51.100.12", 5}}));
  // The first verdicts were given before: a repeat says nothing (no R3 notice).
  EXPECT_TRUE(pool.set_checker(0, 0, true).empty());
}

// R10: a new weight of an alive carried server is a weight change; the others start (R2);
// the quorum is evaluated as a change.
TEST(PoolTest, CarryOverWeighsAgainAndStartsTheOthers) {
  PoolSpec before = spec({rs("198.51.100.11", 1), rs("198.51.100.12", 1)}, 2);
  before.sorry_server = dest("198.51.100.99", 1);
  Pool old(std::move(before));
  old.start();
  old.set_checker(1, 0, false);  // quorum lost: the sorry server is in
  ASSERT_TRUE(old.sorry_server_active());

  PoolSpec after = spec({rs("198.51.100.13", 1, {false}), rs("198.51.100.11", 2)}, 2);
  after.sorry_server = dest("198.51.100.99", 1);
  after.rs_init_notifies = true;
  Pool pool(std::move(after));
  // .11 is carried (index 0 in old) with weight 2: the sum reaches the quorum; .13 is new and
  // starts down (alpha), so R2 says nothing of it.
  EXPECT_EQ(pool.carry_over(old, {std::nullopt, 0}),
            (Notices{weight(1, 2), plain(Kind::SorryServerOut), quorum(Kind::QuorumUp, 2, 2)}));
  EXPECT_FALSE(pool.alive(0));
  EXPECT_TRUE(pool.alive(1));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 2}}));
}

// R10: a sorry server added by the reload to a virtual server without quorum goes in.
TEST(PoolTest, CarryOverBringsInANewSorryServer) {
  Pool old(spec({rs("198.51.100.11", 1, {false})}));
  old.start();
  PoolSpec after = spec({rs("198.51.100.11", 1, {false})});
  after.sorry_server = dest("198.51.100.99", 1);
  Pool pool(std::move(after));
  EXPECT_EQ(pool.carry_over(old, {0}), (Notices{plain(Kind::SorryServerIn)}));
  EXPECT_EQ(table(pool), (Table{{"198.51.100.99", 1}}));
}

// desired() keeps the service's identity and options, replaces the destinations, and gives
// each destination its configured method and thresholds.
TEST(PoolTest, DesiredKeepsServiceAndDestinationFields) {
  PoolSpec s = spec({rs("198.51.100.11", 2)});
  s.service.scheduler = config::LvsScheduler::Rr;
  s.service.persistence_timeout = 300;
  s.service.destinations.push_back(dest("203.0.113.1", 9));  // ignored
  s.real_servers[0].destination.upper_threshold = 100;
  s.real_servers[0].destination.method.method = config::LvsMethod::Dr;
  Pool pool(std::move(s));
  pool.start();
  const Service service = pool.desired();
  EXPECT_EQ(service.scheduler, config::LvsScheduler::Rr);
  EXPECT_EQ(service.persistence_timeout, 300u);
  ASSERT_EQ(service.destinations.size(), 1u);
  EXPECT_EQ(service.destinations[0].upper_threshold, 100u);
  EXPECT_EQ(service.destinations[0].method.method, config::LvsMethod::Dr);
  EXPECT_EQ(service.destinations[0].weight, 2u);
  EXPECT_EQ(pool.spec().quorum, 1u);
}

}  // namespace
}  // namespace halo::lvs
