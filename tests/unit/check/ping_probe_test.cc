// PING_CHECK on ICMP datagram sockets in a fresh network namespace. Such a namespace starts
// with net.ipv4.ping_group_range "1 0" (nobody may open one, root included): the first test
// checks the probe says so; the others widen the range inside the sandbox only.
#include "check/ping_probe.h"

#include <gtest/gtest.h>

#include "check/probe_test_support.h"
#include "support/netns_sandbox.h"

namespace halo::check {
namespace {

using namespace probe_test;  // NOLINT(google-build-using-namespace): the probe test helpers
namespace asio = boost::asio;

class PingProbeTest : public halo::testing::NetnsSandbox {
 protected:
  void SetUp() override {
    NetnsSandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(add_silent_and_unreachable_nets());
  }
  // Inside the sandbox's namespace only (the sysctl is per namespace).
  static void allow_ping() {
    ASSERT_TRUE(halo::testing::sh("sysctl -q -w net.ipv4.ping_group_range='0 2147483647'"));
  }
  asio::io_context io_;
};

TEST_F(PingProbeTest, SaysWhyWhenPingGroupRangeExcludesUs) {
  auto probe = make_ping_probe(io_, make_target("127.0.0.1", 0));
  EXPECT_EQ(probe->kind(), "PING_CHECK");
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason,
            "cannot open an ICMP datagram socket: permission denied "
            "(net.ipv4.ping_group_range is \"1 0\" and must include one of the daemon's groups)");
  EXPECT_FALSE(run.called_inside_start);
}

TEST_F(PingProbeTest, EchoReplyIsSuccess) {
  allow_ping();
  for (const char* address : {"127.0.0.1", "::1"}) {
    auto probe = make_ping_probe(io_, make_target(address, 0));
    for (int i = 0; i < 3; ++i) {
      const Attempt run = run_probe(io_, *probe);
      ASSERT_TRUE(run.outcome) << address;
      EXPECT_TRUE(run.outcome->success) << address << ": " << run.outcome->reason;
      EXPECT_EQ(run.outcome->reason, "echo reply");
      EXPECT_EQ(run.calls, 1);
    }
  }
}

TEST_F(PingProbeTest, NoReplyIsATimeoutBoundedByConnectTimeout) {
  allow_ping();
  auto probe = make_ping_probe(io_, make_target("198.51.100.2", 0, std::chrono::milliseconds(300)));
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_TRUE(run.outcome->timed_out);
  EXPECT_EQ(run.outcome->reason, "no echo reply within 300 ms");
  EXPECT_GE(run.elapsed, std::chrono::milliseconds(290));
  EXPECT_LT(run.elapsed, std::chrono::milliseconds(1000));  // timeout + scheduling slack
}

TEST_F(PingProbeTest, UnreachableIsFailure) {
  allow_ping();
  auto probe = make_ping_probe(io_, make_target("198.51.100.200", 0));
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "no route to host");
}

TEST_F(PingProbeTest, CancelStopsTheAttemptAndTheProbeStartsAgain) {
  allow_ping();
  auto probe = make_ping_probe(io_, make_target("198.51.100.2", 0, std::chrono::milliseconds(100)));
  int calls = 0;
  probe->start([&calls](const Outcome&) { ++calls; });
  run_for(io_, std::chrono::milliseconds(20));
  probe->cancel();
  run_for(io_, std::chrono::milliseconds(200));
  EXPECT_EQ(calls, 0);
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->timed_out);
  EXPECT_EQ(run.calls, 1);
}

}  // namespace
}  // namespace halo::check
