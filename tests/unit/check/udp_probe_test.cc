// UDP_CHECK: the reply judgement (pure), then real sockets in a fresh network namespace:
// silence, ICMP port unreachable, require_reply with length and pattern, cancel.
#include "check/udp_probe.h"

#include <gtest/gtest.h>

#include "check/probe_test_support.h"
#include "support/netns_sandbox.h"

namespace halo::check {
namespace {

using namespace probe_test;  // NOLINT(google-build-using-namespace): the probe test helpers
namespace asio = boost::asio;
using asio::ip::udp;
using Bytes = std::vector<std::uint8_t>;

config::UdpCheck require(std::string pattern, std::uint32_t min = 0, std::uint32_t max = 255) {
  config::UdpCheck c;
  c.require_reply = true;
  c.reply = std::move(pattern);
  c.min_reply_length = min;
  c.max_reply_length = max;
  return c;
}

TEST(UdpReply, PayloadDecodes) {
  EXPECT_EQ(decode_udp_payload("0a1BfF00"), (Bytes{0x0a, 0x1b, 0xff, 0x00}));
  EXPECT_EQ(decode_udp_payload(""), Bytes{});
}

TEST(UdpReply, Judgement) {
  struct Case {
    const char* what;
    config::UdpCheck check;
    Bytes reply;
    bool success;
    std::string reason;
  };
  const Case cases[] = {
      {"any data", require(""), {1, 2, 3}, true, "reply of 3 bytes"},
      {"empty reply", require(""), {}, true, "reply of 0 bytes"},
      {"too short",
       require("", 4),
       {1, 2, 3},
       false,
       "reply of 3 bytes, shorter than min_reply_length 4"},
      {"too long",
       require("", 0, 2),
       {1, 2, 3},
       false,
       "reply of more than max_reply_length 2 bytes"},
      {"pattern matches", require("4f4b"), {'O', 'K', '!'}, true, "reply matches"},
      {"pattern longer than reply: compared over the reply",
       require("4f4b0a0a"),
       {'O', 'K'},
       true,
       "reply matches"},
      {"wildcard nibble", require("4X4b"), {'A', 'K'}, true, "reply matches"},
      {"wildcard byte", require("xx4b"), {0xff, 'K'}, true, "reply matches"},
      {"mismatch", require("4f4b"), {'O', 'L'}, false, "reply byte 1 is 4c, the pattern wants 4b"},
      {"mismatch beside a wildcard",
       require("4X"),
       {0x50},
       false,
       "reply byte 0 is 50, the pattern wants 4X"},
  };
  for (const Case& c : cases) {
    const Outcome o = judge_udp_reply(c.reply, c.check);
    EXPECT_EQ(o.success, c.success) << c.what;
    EXPECT_EQ(o.reason, c.reason) << c.what;
  }
}

class UdpProbeTest : public halo::testing::NetnsSandbox {
 protected:
  asio::io_context io_;
  const udp::endpoint local_{asio::ip::make_address("127.0.0.1"), 0};
};

TEST_F(UdpProbeTest, SilenceIsSuccessWithoutRequireReply) {
  UdpServer server(io_, local_, [](const Bytes&) { return std::nullopt; });
  config::UdpCheck check;
  check.payload = "68656c6c6f";
  auto probe = make_udp_probe(
      io_, make_target("127.0.0.1", server.port(), std::chrono::milliseconds(200)), check);
  EXPECT_EQ(probe->kind(), "UDP_CHECK");
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "no ICMP port unreachable within 200 ms");
  ASSERT_EQ(server.received().size(), 1u);
  EXPECT_EQ(server.received()[0], (Bytes{'h', 'e', 'l', 'l', 'o'}));
}

TEST_F(UdpProbeTest, RandomPayloadWithoutOne) {
  UdpServer server(io_, local_, [](const Bytes& d) { return d; });
  auto probe = make_udp_probe(io_, make_target("127.0.0.1", server.port()), {});
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "reply received");
  ASSERT_EQ(server.received().size(), 1u);
  EXPECT_EQ(server.received()[0].size(), 32u);
}

TEST_F(UdpProbeTest, PortUnreachableIsFailure) {
  std::uint16_t port = 0;
  {
    udp::socket s(io_, local_);
    port = s.local_endpoint().port();
  }
  auto probe = make_udp_probe(io_, make_target("127.0.0.1", port), {});
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "ICMP port unreachable");
  EXPECT_LT(run.elapsed, std::chrono::milliseconds(450));  // well before the 500 ms timeout
}

TEST_F(UdpProbeTest, Ipv6PortUnreachableIsFailure) {
  std::uint16_t port = 0;
  {
    udp::socket s(io_, {asio::ip::make_address("::1"), 0});
    port = s.local_endpoint().port();
  }
  auto probe = make_udp_probe(io_, make_target("::1", port), {});
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_EQ(run.outcome->reason, "ICMP port unreachable");
}

TEST_F(UdpProbeTest, RequireReplyWantsAMatchingReply) {
  UdpServer ok(io_, local_, [](const Bytes&) { return Bytes{'O', 'K', 1}; });
  UdpServer garbage(io_, local_, [](const Bytes&) { return Bytes{'N', 'O'}; });
  UdpServer silent(io_, local_, [](const Bytes&) { return std::nullopt; });
  const config::UdpCheck check = require("4f4b", 2, 10);

  auto good = make_udp_probe(io_, make_target("127.0.0.1", ok.port()), check);
  Attempt run = run_probe(io_, *good);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->success) << run.outcome->reason;

  auto bad = make_udp_probe(io_, make_target("127.0.0.1", garbage.port()), check);
  run = run_probe(io_, *bad);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "reply byte 0 is 4e, the pattern wants 4f");

  auto mute = make_udp_probe(
      io_, make_target("127.0.0.1", silent.port(), std::chrono::milliseconds(200)), check);
  run = run_probe(io_, *mute);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_TRUE(run.outcome->timed_out);
  EXPECT_EQ(run.outcome->reason, "no reply within 200 ms");
  EXPECT_LT(run.elapsed, std::chrono::milliseconds(900));  // timeout + scheduling slack
}

TEST_F(UdpProbeTest, RequireReplyChecksTheLengthOfALongReply) {
  UdpServer big(io_, local_, [](const Bytes&) { return Bytes(300, 'x'); });
  auto probe = make_udp_probe(io_, make_target("127.0.0.1", big.port()), require(""));
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "reply of more than max_reply_length 255 bytes");
}

// keepalived's semantics, with the caveat its manual gives: a host that swallows datagrams
// without an ICMP error is up unless require_reply is set.
TEST_F(UdpProbeTest, SilentNetworkIsSuccessUnlessAReplyIsRequired) {
  ASSERT_TRUE(add_silent_and_unreachable_nets());
  auto lenient =
      make_udp_probe(io_, make_target("198.51.100.2", 53, std::chrono::milliseconds(200)), {});
  Attempt run = run_probe(io_, *lenient);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "no ICMP port unreachable within 200 ms");

  auto strict = make_udp_probe(io_, make_target("198.51.100.2", 53, std::chrono::milliseconds(200)),
                               require(""));
  run = run_probe(io_, *strict);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "no reply within 200 ms");

  auto unreachable = make_udp_probe(io_, make_target("198.51.100.200", 53), {});
  run = run_probe(io_, *unreachable);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "no route to host");
  EXPECT_FALSE(run.called_inside_start);
}

TEST_F(UdpProbeTest, CancelStopsTheAttemptAndTheProbeStartsAgain) {
  UdpServer server(io_, local_, [](const Bytes& d) { return d; });
  UdpServer silent(io_, local_, [](const Bytes&) { return std::nullopt; });
  auto probe = make_udp_probe(
      io_, make_target("127.0.0.1", silent.port(), std::chrono::milliseconds(100)), require(""));
  int calls = 0;
  probe->start([&calls](const Outcome&) { ++calls; });
  run_for(io_, std::chrono::milliseconds(20));
  probe->cancel();
  run_for(io_, std::chrono::milliseconds(200));
  EXPECT_EQ(calls, 0);
  const Attempt run = run_probe(io_, *probe);  // and again: the same probe times out properly
  ASSERT_TRUE(run.outcome);
  EXPECT_EQ(run.outcome->reason, "no reply within 100 ms");
  EXPECT_EQ(run.calls, 1);
}

}  // namespace
}  // namespace halo::check
