// SMTP_CHECK against greeters on real sockets in a fresh network namespace: the good
// conversation (single- and multi-line replies), bad codes, garbage, silence, resets.
#include "check/smtp_probe.h"

#include <gtest/gtest.h>

#include "check/probe_test_support.h"
#include "support/netns_sandbox.h"

namespace halo::check {
namespace {

using namespace probe_test;  // NOLINT(google-build-using-namespace): the probe test helpers
namespace asio = boost::asio;
using asio::ip::tcp;

class SmtpProbeTest : public halo::testing::NetnsSandbox {
 protected:
  Attempt check(const TcpServer& server,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(300)) {
    auto probe =
        make_smtp_probe(io_, make_target("127.0.0.1", server.port(), timeout), "checker.example");
    return run_probe(io_, *probe);
  }
  asio::io_context io_;
  const tcp::endpoint local_{asio::ip::make_address("127.0.0.1"), 0};
};

std::string mail_server(const std::string& line) {
  if (line.rfind("HELO ", 0) == 0) return "250 mail.example\r\n";
  if (line == "QUIT\r\n") return "221 bye\r\n";
  return "500 what\r\n";
}

TEST_F(SmtpProbeTest, GreetingHeloQuitIsSuccess) {
  TcpServer server(io_, local_, "220 mail.example ESMTP\r\n", mail_server);
  auto probe = make_smtp_probe(io_, make_target("127.0.0.1", server.port()), "checker.example");
  EXPECT_EQ(probe->kind(), "SMTP_CHECK");
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->success) << run.outcome->reason;
  EXPECT_EQ(run.outcome->reason, "greeting 220, HELO 250");
  EXPECT_EQ(server.lines(), (std::vector<std::string>{"HELO checker.example\r\n", "QUIT\r\n"}));
  EXPECT_EQ(run.calls, 1);
}

TEST_F(SmtpProbeTest, MultiLineRepliesAreReadToTheirLastLine) {
  TcpServer server(io_, local_, "220-mail.example\r\n220-more\r\n220 ready\r\n",
                   [](const std::string& line) -> std::string {
                     if (line.rfind("HELO", 0) == 0) return "250-mail.example\r\n250 SIZE 1000\r\n";
                     return "221 bye\n";  // a bare LF is accepted too
                   });
  const Attempt run = check(server);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->success) << run.outcome->reason;
}

TEST_F(SmtpProbeTest, WrongCodesAreFailures) {
  TcpServer busy(io_, local_, "554 no service\r\n", mail_server);
  Attempt run = check(busy);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "greeting 554, not 220");

  TcpServer picky(io_, local_, "220 hi\r\n", [](const std::string&) { return "501 bad HELO\r\n"; });
  run = check(picky);
  ASSERT_TRUE(run.outcome);
  EXPECT_EQ(run.outcome->reason, "HELO reply 501, not 250");
}

TEST_F(SmtpProbeTest, GarbageIsAFailure) {
  TcpServer http(io_, local_, "HTTP/1.1 400 Bad Request\r\n\r\n");
  const Attempt run = check(http);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "greeting is not an SMTP reply: \"HTTP/1.1 400 Bad Request\"");
  EXPECT_FALSE(run.outcome->timed_out);
}

TEST_F(SmtpProbeTest, EndlessGarbageWithoutNewlineIsAFailure) {
  TcpServer chatter(io_, local_, std::string(5000, 'z'));
  const Attempt run = check(chatter);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "greeting is longer than 4096 bytes");
}

TEST_F(SmtpProbeTest, SilenceIsATimeoutBoundedByConnectTimeout) {
  TcpServer mute(io_, local_, "");
  Attempt run = check(mute);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_TRUE(run.outcome->timed_out);
  EXPECT_EQ(run.outcome->reason, "no greeting within 300 ms");
  EXPECT_GE(run.elapsed, std::chrono::milliseconds(290));
  EXPECT_LT(run.elapsed, std::chrono::milliseconds(1000));  // timeout + scheduling slack

  // Silent after HELO: the whole conversation, not each read, is bounded.
  TcpServer slow(io_, local_, "220 hi\r\n", [](const std::string&) { return ""; });
  run = check(slow);
  ASSERT_TRUE(run.outcome);
  EXPECT_EQ(run.outcome->reason, "no HELO reply within 300 ms");
  EXPECT_LT(run.elapsed, std::chrono::milliseconds(1000));  // timeout + scheduling slack
}

TEST_F(SmtpProbeTest, ResetAndCloseAreFailures) {
  TcpServer reset(io_, local_, "<RESET>");
  Attempt run = check(reset);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  // The RST may beat the connect's completion: then the connect reports it.
  EXPECT_EQ(run.outcome->reason.rfind("connection reset by peer", 0), 0u) << run.outcome->reason;

  TcpServer reset_after_helo(io_, local_, "220 hi\r\n",
                             [](const std::string&) { return "<RESET>"; });
  run = check(reset_after_helo);
  ASSERT_TRUE(run.outcome);
  EXPECT_EQ(run.outcome->reason, "connection reset by peer while waiting for the HELO reply");

  std::uint16_t port = 0;
  {
    tcp::acceptor a(io_, local_);
    port = a.local_endpoint().port();
  }
  auto refused = make_smtp_probe(io_, make_target("127.0.0.1", port), "x");
  run = run_probe(io_, *refused);
  ASSERT_TRUE(run.outcome);
  EXPECT_EQ(run.outcome->reason, "connection refused");
}

TEST_F(SmtpProbeTest, CloseWithoutQuitReplyIsAFailure) {
  // keepalived waits for a reply to QUIT; a server that just closes fails the check.
  TcpServer rude(io_, local_, "220 hi\r\n", [](const std::string& line) -> std::string {
    return line.rfind("HELO", 0) == 0 ? "250 ok\r\n" : "<RESET>";
  });
  const Attempt run = check(rude);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "connection reset by peer while waiting for the QUIT reply");
}

TEST_F(SmtpProbeTest, CancelStopsTheAttemptAndTheProbeStartsAgain) {
  TcpServer mute(io_, local_, "");
  TcpServer good(io_, local_, "220 hi\r\n", mail_server);
  auto probe = make_smtp_probe(
      io_, make_target("127.0.0.1", mute.port(), std::chrono::milliseconds(100)), "x");
  int calls = 0;
  probe->start([&calls](const Outcome&) { ++calls; });
  run_for(io_, std::chrono::milliseconds(30));
  probe->cancel();
  run_for(io_, std::chrono::milliseconds(200));
  EXPECT_EQ(calls, 0);
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_EQ(run.outcome->reason, "no greeting within 100 ms");

  auto ok = make_smtp_probe(io_, make_target("127.0.0.1", good.port()), "x");
  for (int i = 0; i < 3; ++i) {
    const Attempt again = run_probe(io_, *ok);
    ASSERT_TRUE(again.outcome);
    EXPECT_TRUE(again.outcome->success) << again.outcome->reason;
  }
}

}  // namespace
}  // namespace halo::check
