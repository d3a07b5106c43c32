// TCP_CHECK against real sockets in a fresh network namespace: connected, refused, no
// SYN-ACK (a dummy link swallows the SYN), unreachable, bind options, cancel and restart.
#include "check/tcp_probe.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "check/probe_test_support.h"
#include "support/netns_sandbox.h"

namespace halo::check {
namespace {

using namespace probe_test;  // NOLINT(google-build-using-namespace): the probe test helpers
namespace asio = boost::asio;
using asio::ip::tcp;

class TcpProbeTest : public halo::testing::NetnsSandbox {
 protected:
  void SetUp() override {
    NetnsSandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(add_silent_and_unreachable_nets());
    ASSERT_TRUE(halo::testing::sh("ip addr add 192.0.2.1/32 dev lo"));
  }
  asio::io_context io_;
};

TEST_F(TcpProbeTest, ConnectedIsSuccess) {
  TcpServer server(io_, {asio::ip::make_address("127.0.0.1"), 0}, "");
  auto probe = make_tcp_probe(io_, make_target("127.0.0.1", server.port()));
  EXPECT_EQ(probe->kind(), "TCP_CHECK");
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->success) << run.outcome->reason;
  EXPECT_EQ(run.outcome->reason, "connected");
  EXPECT_EQ(run.calls, 1);
  EXPECT_FALSE(run.called_inside_start);
}

TEST_F(TcpProbeTest, Ipv6ConnectedIsSuccess) {
  TcpServer server(io_, {asio::ip::make_address("::1"), 0}, "");
  auto probe = make_tcp_probe(io_, make_target("::1", server.port()));
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->success) << run.outcome->reason;
}

TEST_F(TcpProbeTest, RefusedIsFailure) {
  std::uint16_t port = 0;
  {
    tcp::acceptor a(io_, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto probe = make_tcp_probe(io_, make_target("127.0.0.1", port));
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "connection refused");
  EXPECT_FALSE(run.outcome->timed_out);
}

TEST_F(TcpProbeTest, NoSynAckIsATimeoutBoundedByConnectTimeout) {
  auto probe = make_tcp_probe(io_, make_target("198.51.100.2", 80, std::chrono::milliseconds(300)));
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_TRUE(run.outcome->timed_out);
  EXPECT_EQ(run.outcome->reason, "no connection within 300 ms");
  EXPECT_GE(run.elapsed, std::chrono::milliseconds(290));
  EXPECT_LT(run.elapsed, std::chrono::milliseconds(1000));  // timeout + scheduling slack
  EXPECT_EQ(run.calls, 1);
}

TEST_F(TcpProbeTest, UnreachableIsFailure) {
  auto probe = make_tcp_probe(io_, make_target("198.51.100.200", 80));
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "no route to host");
  EXPECT_FALSE(run.called_inside_start);
}

TEST_F(TcpProbeTest, BindtoAndBindPortAreTheSource) {
  TcpServer server(io_, {asio::ip::make_address("127.0.0.1"), 0}, "");
  Target t = make_target("127.0.0.1", server.port());
  t.bind_address = asio::ip::make_address("192.0.2.1");
  t.bind_port = 40123;
  t.bind_interface = "lo";
  t.fwmark = 7;
  ASSERT_TRUE(halo::testing::sh(
      "nft add table ip probe && nft add chain ip probe in "
      "'{ type filter hook input priority 0; }' && nft add rule ip probe in ip saddr "
      "192.0.2.1 tcp sport 40123 tcp flags syn meta mark 7 counter"));
  auto probe = make_tcp_probe(io_, t);
  for (int i = 0; i < 3; ++i) {  // the fixed source port is usable attempt after attempt
    const Attempt run = run_probe(io_, *probe);
    ASSERT_TRUE(run.outcome);
    ASSERT_TRUE(run.outcome->success) << run.outcome->reason;
  }
  // The server never accepts a check (the RST beats the handshake's last ACK, tcp_probe.cc),
  // so the source is seen by an nftables counter on the way in: three SYNs from
  // 192.0.2.1:40123 with mark 7.
  std::array<char, 4096> out{};
  FILE* nft = popen("nft list chain ip probe in", "r");
  ASSERT_NE(nft, nullptr);
  const std::size_t n = fread(out.data(), 1, out.size() - 1, nft);
  pclose(nft);
  const std::string listing(out.data(), n);
  EXPECT_NE(listing.find("counter packets 3 "), std::string::npos) << listing;
}

TEST_F(TcpProbeTest, BindFailureIsAFailureWithTheReason) {
  Target t = make_target("127.0.0.1", 80);
  t.bind_address = asio::ip::make_address("192.0.2.77");  // not on any link
  auto probe = make_tcp_probe(io_, t);
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "cannot bind to 192.0.2.77:0: Cannot assign requested address");
  EXPECT_FALSE(run.called_inside_start);

  Target wrong = make_target("::1", 80);
  wrong.bind_address = asio::ip::make_address("127.0.0.1");
  auto mixed = make_tcp_probe(io_, wrong);
  const Attempt run2 = run_probe(io_, *mixed);
  ASSERT_TRUE(run2.outcome);
  EXPECT_EQ(run2.outcome->reason, "bindto 127.0.0.1 is not of the address family of ::1");

  Target no_link = make_target("127.0.0.1", 80);
  no_link.bind_interface = "nosuch0";
  auto unbound = make_tcp_probe(io_, no_link);
  const Attempt run3 = run_probe(io_, *unbound);
  ASSERT_TRUE(run3.outcome);
  EXPECT_EQ(run3.outcome->reason, "cannot bind to interface nosuch0: No such device");
}

TEST_F(TcpProbeTest, CancelStopsTheAttemptAndTheProbeStartsAgain) {
  auto probe = make_tcp_probe(io_, make_target("198.51.100.2", 80, std::chrono::milliseconds(200)));
  int calls = 0;
  probe->start([&calls](const Outcome&) { ++calls; });
  run_for(io_, std::chrono::milliseconds(50));
  probe->cancel();
  probe->cancel();  // idempotent
  run_for(io_, std::chrono::milliseconds(400));
  EXPECT_EQ(calls, 0);

  TcpServer server(io_, {asio::ip::make_address("127.0.0.1"), 0}, "");
  auto again = make_tcp_probe(io_, make_target("127.0.0.1", server.port()));
  again->start([](const Outcome&) {});
  again->cancel();  // before the connect completes
  const Attempt run = run_probe(io_, *again);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->success);
  EXPECT_EQ(run.calls, 1);
}

TEST_F(TcpProbeTest, DestroyedWhileConnectingIsSafe) {
  TcpServer server(io_, {asio::ip::make_address("127.0.0.1"), 0}, "");
  int calls = 0;
  {
    auto probe =
        make_tcp_probe(io_, make_target("198.51.100.2", 80, std::chrono::milliseconds(100)));
    probe->start([&calls](const Outcome&) { ++calls; });
    run_for(io_, std::chrono::milliseconds(10));
  }
  run_for(io_, std::chrono::milliseconds(200));
  EXPECT_EQ(calls, 0);
}

TEST_F(TcpProbeTest, DoneMayStartTheNextAttempt) {
  TcpServer server(io_, {asio::ip::make_address("127.0.0.1"), 0}, "");
  auto probe = make_tcp_probe(io_, make_target("127.0.0.1", server.port()));
  int successes = 0;
  std::function<void(Outcome)> again = [&](const Outcome& o) {
    if (o.success) ++successes;
    if (successes < 5) probe->start(again);
  };
  probe->start(again);
  io_.restart();
  io_.run_for(std::chrono::seconds(2));
  EXPECT_EQ(successes, 5);
}

// Not a benchmark (bench/ has that), a measurement in passing: 10,000 TCP_CHECK attempts,
// 200 at a time, against a listener that accepts and closes on its own thread; prints the
// rate and the CPU time of the probing thread alone.
TEST_F(TcpProbeTest, TenThousandChecks) {
  asio::io_context server_io;
  tcp::acceptor acceptor(server_io, {asio::ip::make_address("127.0.0.1"), 0});
  acceptor.listen(4096);
  const std::uint16_t port = acceptor.local_endpoint().port();
  std::function<void()> accept = [&] {
    acceptor.async_accept([&](boost::system::error_code ec, tcp::socket peer) {
      if (ec) return;
      boost::system::error_code ignored;
      peer.close(ignored);
      accept();
    });
  };
  accept();
  std::thread server([&server_io] { server_io.run(); });

  constexpr int kTotal = 10'000, kParallel = 200;
  std::vector<std::unique_ptr<Probe>> probes;
  probes.reserve(kParallel);
  for (int i = 0; i < kParallel; ++i)
    probes.push_back(make_tcp_probe(io_, make_target("127.0.0.1", port, std::chrono::seconds(2))));
  int started = 0, succeeded = 0, failed = 0;
  std::string failure;
  std::function<void(Probe&)> launch = [&](Probe& p) {
    ++started;
    p.start([&, probe = &p](const Outcome& o) {
      if (o.success) {
        ++succeeded;
      } else {
        ++failed;
        failure = o.reason;
      }
      if (started < kTotal) launch(*probe);
    });
  };
  rusage before{};
  getrusage(RUSAGE_THREAD, &before);
  const auto begin = std::chrono::steady_clock::now();
  for (auto& p : probes) launch(*p);
  io_.run();
  const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  rusage after{};
  getrusage(RUSAGE_THREAD, &after);
  server_io.stop();
  server.join();
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  const double cpu = seconds(after.ru_utime) - seconds(before.ru_utime) + seconds(after.ru_stime) -
                     seconds(before.ru_stime);
  EXPECT_EQ(succeeded, kTotal) << failed << " failed, last: " << failure;
  // The RST close leaves no TIME_WAIT behind (state 06 in /proc/net/tcp).
  std::ifstream table("/proc/net/tcp");
  std::string line;
  int time_wait = 0;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    if (fields >> slot >> local >> remote >> state && state == "06") ++time_wait;
  }
  EXPECT_LT(time_wait, 100);
  std::printf(
      "%d TCP checks in %.3f s wall (%.0f/s); probing thread CPU %.3f s (%.1f us/check); "
      "%d in TIME_WAIT\n",
      kTotal, wall, kTotal / wall, cpu, cpu / kTotal * 1e6, time_wait);
}

}  // namespace
}  // namespace halo::check
