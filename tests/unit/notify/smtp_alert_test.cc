// keepalived's e-mail alerts: the texts byte for byte (as keepalived 2.2.7 was seen sending
// them), and SmtpAlerter against a fake SMTP server on the sandbox's loopback: the dialogue in
// order, one RCPT per recipient, the DATA dot-stuffed; refusals, silence, garbage and a
// refused connection fail the alert with the reason; the queue is bounded; destroying the
// alerter in the middle of a conversation is clean.
#include "notify/smtp_alert.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/host_name.h"
#include "config/model.h"
#include "notify/notifier.h"
#include "process/supervisor.h"
#include "support/netns_sandbox.h"
#include "support/run_loop.h"

namespace halo::notify {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using halo::testing::run_for;
using halo::testing::run_until;

VrrpNotice notice(VrrpNotice::Subject subject, std::string name, VrrpNotice::What what) {
  VrrpNotice n;
  n.subject = subject;
  n.name = std::move(name);
  n.what = what;
  return n;
}

// ---- The texts ------------------------------------------------------------------------------

TEST(SmtpAlertText, VrrpInstance) {
  using What = VrrpNotice::What;
  const auto instance = VrrpNotice::Subject::Instance;
  struct Case {
    What what;
    const char* subject;
    const char* body;
  };
  const Case cases[] = {
      {What::Master, "[R1] VRRP Instance VI_1 - Entering MASTER state",
       "=> VRRP Instance is now owning VRRP VIPs <="},
      {What::Backup, "[R1] VRRP Instance VI_1 - Entering BACKUP state",
       "=> VRRP Instance is no longer owning VRRP VIPs <="},
      {What::Fault, "[R1] VRRP Instance VI_1 - Entering FAULT state",
       "=> VRRP Instance is no longer owning VRRP VIPs <="},
      {What::Stop, "[R1] VRRP Instance VI_1 - Stopping", "=> VRRP Instance stopping <="},
      // keepalived 2.2.7 was seen mailing this for a MASTER instance removed by a reload.
      {What::Deleted, "[R1] VRRP Instance VI_1 - Entering FAULT state",
       "=> VRRP Instance is no longer owning VRRP VIPs <="},
  };
  for (const auto& c : cases) {
    const auto alert = vrrp_alert("R1", notice(instance, "VI_1", c.what));
    ASSERT_TRUE(alert.has_value()) << c.subject;
    EXPECT_EQ(alert->subject, c.subject);
    EXPECT_EQ(alert->body, c.body);
  }
  EXPECT_FALSE(vrrp_alert("R1", notice(instance, "VI_1", What::MasterPriority)));
  EXPECT_FALSE(vrrp_alert("R1", notice(instance, "VI_1", What::MasterRxLowerPri)));
}

TEST(SmtpAlertText, VrrpSyncGroup) {
  using What = VrrpNotice::What;
  const auto group = VrrpNotice::Subject::Group;
  const auto master = vrrp_alert("lb1", notice(group, "G1", What::Master));
  ASSERT_TRUE(master);
  EXPECT_EQ(master->subject, "[lb1] VRRP Group G1 - Entering MASTER state");
  EXPECT_EQ(master->body, "=> All VRRP group instances are now in MASTER state <=");
  EXPECT_EQ(vrrp_alert("lb1", notice(group, "G1", What::Backup))->body,
            "=> All VRRP group instances are now in BACKUP state <=");
  EXPECT_EQ(vrrp_alert("lb1", notice(group, "G1", What::Fault))->body,
            "=> All VRRP group instances are now in FAULT state <=");
  const auto stop = vrrp_alert("lb1", notice(group, "G1", What::Stop));
  EXPECT_EQ(stop->subject, "[lb1] VRRP Group G1 - Stopping");
  EXPECT_EQ(stop->body, "=> All VRRP group instances are now stopping <=");
  EXPECT_FALSE(vrrp_alert("lb1", notice(group, "G1", What::Deleted)));
}

TEST(SmtpAlertText, RealServer) {
  const auto down = real_server_alert("R1", "[192.0.2.2]:tcp:8080", "[192.0.2.1]:tcp:80", false,
                                      checker_alert_body("TCP_CHECK", false));
  EXPECT_EQ(down.subject,
            "[R1] Realserver [192.0.2.2]:tcp:8080 of virtual server [192.0.2.1]:tcp:80 - DOWN");
  EXPECT_EQ(down.body, "=> TCP CHECK failed on service <=");
  const auto up = real_server_alert("R1", "[192.0.2.2]:tcp:8080", "[192.0.2.1]:tcp:80", true,
                                    checker_alert_body("TCP_CHECK", true));
  EXPECT_EQ(up.subject,
            "[R1] Realserver [192.0.2.2]:tcp:8080 of virtual server [192.0.2.1]:tcp:80 - UP");
  EXPECT_EQ(up.body, "=> TCP CHECK succeed on service <=");
  EXPECT_EQ(real_server_alert("R1", "a", "b", false, kRealServerRemovedBody).body,
            "=> Removing <=");
}

TEST(SmtpAlertText, CheckerBodies) {
  EXPECT_EQ(checker_alert_body("UDP_CHECK", true), "=> UDP CHECK succeed on service <=");
  EXPECT_EQ(checker_alert_body("UDP_CHECK", false), "=> UDP CHECK failed on service <=");
  EXPECT_EQ(checker_alert_body("PING_CHECK", true), "=> ICMP CHECK succeed on service <=");
  EXPECT_EQ(checker_alert_body("PING_CHECK", false), "=> ICMP CHECK failed on service <=");
  EXPECT_EQ(checker_alert_body("DNS_CHECK", true), "=> DNS_CHECK: succeed on service <=");
  EXPECT_EQ(checker_alert_body("DNS_CHECK", false), "=> DNS_CHECK: failed on service <=");
  EXPECT_EQ(checker_alert_body("HTTP_GET", true), "=> CHECK succeed on service <=");
  EXPECT_EQ(checker_alert_body("SSL_GET", false),
            "=> CHECK failed on service : HTTP request failed <=");
  EXPECT_EQ(checker_alert_body("SMTP_CHECK", true), "=> CHECK succeed on service <=");
  EXPECT_EQ(checker_alert_body("SMTP_CHECK", false), "=> CHECK failed on service <=");
  EXPECT_EQ(checker_alert_body("SMTP_CHECK", false, "Bad HELO response from server [192.0.2.2]:25"),
            "=> CHECK failed on service : Bad HELO response from server [192.0.2.2]:25 <=");
  EXPECT_EQ(checker_alert_body("MISC_CHECK", true), "=> MISC CHECK succeeded on service <=");
  EXPECT_EQ(checker_alert_body("MISC_CHECK", false), "=> MISC CHECK failed on service <=");
  EXPECT_EQ(checker_alert_body("MISC_CHECK", false, "timed out"),
            "=> MISC CHECK timed out on service <=");
  EXPECT_EQ(checker_alert_body("BFD_CHECK", true, "bfd1"),
            "=> BFD CHECK bfd1 succeeded on service <=");
  EXPECT_EQ(checker_alert_body("BFD_CHECK", false, "bfd1"),
            "=> BFD CHECK bfd1 failed on service <=");
}

TEST(SmtpAlertText, Quorum) {
  const auto gained = quorum_alert("R1", "[192.0.2.1]:tcp:80", QuorumEvent::Gained, 2, 1, 3);
  EXPECT_EQ(gained.subject, "[R1] Virtualserver [192.0.2.1]:tcp:80 - UP");
  EXPECT_EQ(gained.body, "=> Gained quorum 2+1=3 <= 3 <=");
  const auto lost = quorum_alert("R1", "[192.0.2.1]:tcp:80", QuorumEvent::Lost, 2, 1, 0);
  EXPECT_EQ(lost.subject, "[R1] Virtualserver [192.0.2.1]:tcp:80 - DOWN");
  EXPECT_EQ(lost.body, "=> Lost quorum 2+1=1 <= 0 <=");
  EXPECT_EQ(quorum_alert("R1", "v", QuorumEvent::StartingUp, 1, 0, 4).body,
            "=> Starting with quorum up 1+0=1 <= 4 <=");
  const auto starting_down = quorum_alert("R1", "v", QuorumEvent::StartingDown, 3, 0, 1);
  EXPECT_EQ(starting_down.subject, "[R1] Virtualserver v - DOWN");
  EXPECT_EQ(starting_down.body, "=> Starting with quorum down 3+0=3 <= 1 <=");
  const auto shutting = quorum_alert("R1", "v", QuorumEvent::ShuttingDown, 3, 0, 1);
  EXPECT_EQ(shutting.subject, "[R1] Virtualserver v - DOWN");
  EXPECT_EQ(shutting.body, "=> Shutting down <=");
}

SmtpSettings two_recipients() {
  SmtpSettings settings;
  settings.server = "127.0.0.1";
  settings.helo_name = "helo.example";
  settings.from = "kad@example.com";
  settings.recipients = {"a@example.com", "b@example.com"};
  return settings;
}

// The bytes keepalived 2.2.7 sent after the 354 for its BACKUP alert (TZ=UTC), recorded from
// /usr/sbin/keepalived.
TEST(SmtpAlertText, MessageTextAsKeepalivedSendsIt) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  const SmtpMessage message{"[R1] VRRP Instance VI_1 - Entering BACKUP state",
                            "=> VRRP Instance is no longer owning VRRP VIPs <="};
  // 2026-11-23 03:32:45 UTC.
  EXPECT_EQ(smtp_message_text(message, two_recipients(), 1795404765),
            "Date: Mon, 23 Nov 2026 03:32:45 +0000\r\n"
            "From: kad@example.com\r\n"
            "Subject: [R1] VRRP Instance VI_1 - Entering BACKUP state\r\n"
            "X-Mailer: Keepalived\r\n"
            "To: a@example.com, b@example.com\r\n"
            "\r\n"
            "=> VRRP Instance is no longer owning VRRP VIPs <=\r\n"
            "\r\n"
            ".\r\n");
}

TEST(SmtpAlertText, BodyLinesGetCrlfAndLeadingDotsDoubled) {
  const SmtpMessage message{"s", "first\n.second\r\n..third"};
  const std::string text = smtp_message_text(message, two_recipients(), 0);
  const std::string body = text.substr(text.find("\r\n\r\n") + 4);
  EXPECT_EQ(body, "first\r\n..second\r\n...third\r\n\r\n.\r\n");
}

TEST(SmtpAlertText, SettingsFromGlobalDefs) {
  config::GlobalDefs defs;
  EXPECT_FALSE(smtp_settings(defs)) << "no smtp_server: no mail";
  defs.smtp_server = config::SmtpServer{"mail.example", 2525};
  EXPECT_FALSE(smtp_settings(defs)) << "no notification_email: no mail";
  defs.notification_email = {"ops@example.com"};
  defs.smtp_connect_timeout = 0;
  auto settings = smtp_settings(defs);
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->server, "mail.example");
  EXPECT_EQ(settings->port, 2525);
  EXPECT_EQ(settings->helo_name, host_name());
  EXPECT_EQ(settings->from.substr(settings->from.find('@') + 1), host_name());
  EXPECT_EQ(settings->timeout, 1s) << "keepalived makes 0 one second";
  defs.smtp_helo_name = "helo.example";
  defs.notification_email_from = "kad@example.com";
  defs.smtp_connect_timeout = 7;
  settings = smtp_settings(defs);
  EXPECT_EQ(settings->helo_name, "helo.example");
  EXPECT_EQ(settings->from, "kad@example.com");
  EXPECT_EQ(settings->timeout, 7s);
}

// ---- The sender -----------------------------------------------------------------------------

// A fake SMTP server: records the command lines and the message data of every connection and
// answers 250 (354 to DATA, 221 to QUIT) unless told otherwise.
class FakeSmtpServer {
 public:
  explicit FakeSmtpServer(asio::io_context& io) : io_(io), acceptor_(io) {
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    accept();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  std::string greeting = "220 fake ESMTP\r\n";
  bool silent = false;   // accepts, never says anything
  std::string stall_on;  // a command line left unanswered, with all after it on that connection
  // Replies by command line (without CRLF), instead of the default.
  std::map<std::string, std::string> replies;

  int connections = 0;
  std::vector<std::string> lines;     // every command line, in order, across connections
  std::vector<std::string> messages;  // what followed each 354, up to and with "\r\n.\r\n"

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::string buffer;
    bool in_data = false;
    bool stalled = false;
    std::array<char, 4096> chunk{};
  };

  void accept() {
    auto connection = std::make_shared<Connection>(io_);
    acceptor_.async_accept(connection->socket, [this, connection](boost::system::error_code e) {
      if (e) return;
      ++connections;
      connections_.push_back(connection);
      if (!silent) reply(*connection, greeting);
      read(connection);
      accept();
    });
  }

  void read(const std::shared_ptr<Connection>& c) {
    c->socket.async_read_some(asio::buffer(c->chunk),
                              [this, c](boost::system::error_code e, std::size_t n) {
                                if (e) return;
                                c->buffer.append(c->chunk.data(), n);
                                if (!silent && !c->stalled) process(*c);
                                read(c);
                              });
  }

  void process(Connection& c) {
    for (;;) {
      if (c.in_data) {
        const std::size_t end = c.buffer.find("\r\n.\r\n");
        if (end == std::string::npos) return;
        messages.push_back(c.buffer.substr(0, end + 5));
        c.buffer.erase(0, end + 5);
        c.in_data = false;
        reply(c, "250 queued\r\n");
        continue;
      }
      const std::size_t end = c.buffer.find("\r\n");
      if (end == std::string::npos) return;
      const std::string line = c.buffer.substr(0, end);
      c.buffer.erase(0, end + 2);
      lines.push_back(line);
      if (line == stall_on) {
        c.stalled = true;
        return;
      }
      if (const auto it = replies.find(line); it != replies.end()) {
        reply(c, it->second);
      } else if (line == "DATA") {
        c.in_data = true;
        reply(c, "354 go ahead\r\n");
      } else if (line == "QUIT") {
        reply(c, "221 bye\r\n");
      } else {
        reply(c, "250 ok\r\n");
      }
    }
  }

  static void reply(Connection& c, const std::string& text) {
    boost::system::error_code ignored;
    asio::write(c.socket, asio::buffer(text), ignored);  // small: the socket buffer takes it
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Connection>> connections_;
};

class SmtpAlerterTest : public halo::testing::NetnsSandbox {
 protected:
  SmtpSettings settings_for(const FakeSmtpServer& server) {
    SmtpSettings settings = two_recipients();
    settings.port = server.port();
    return settings;
  }

  std::unique_ptr<SmtpAlerter> alerter_for(const SmtpSettings& settings) {
    auto made = SmtpAlerter::make(io_, settings);
    EXPECT_TRUE(made) << (made ? "" : made.error().message);
    return made ? std::move(*made) : nullptr;
  }

  bool settled(const SmtpAlerter& alerter) { return !alerter.busy() && alerter.pending() == 0; }

  asio::io_context io_;
};

TEST_F(SmtpAlerterTest, SendsTheDialogueInOrder) {
  FakeSmtpServer server(io_);
  const SmtpSettings settings = settings_for(server);
  auto alerter = alerter_for(settings);
  ASSERT_TRUE(alerter);
  EXPECT_EQ(alerter->server_name(), "[127.0.0.1]:" + std::to_string(server.port()));

  const SmtpMessage message{"[R1] VRRP Instance VI_1 - Entering MASTER state",
                            "=> VRRP Instance is now owning VRRP VIPs <=\n.a dot line"};
  alerter->send(message);
  ASSERT_TRUE(run_until(io_, [&] { return settled(*alerter) && server.lines.size() == 6; }));

  EXPECT_EQ(alerter->stats().sent, 1u);
  EXPECT_EQ(alerter->stats().failed, 0u);
  EXPECT_EQ(server.connections, 1);
  const std::vector<std::string> expected = {"HELO helo.example",
                                             "MAIL FROM:<kad@example.com>",
                                             "RCPT TO:<a@example.com>",
                                             "RCPT TO:<b@example.com>",
                                             "DATA",
                                             "QUIT"};
  EXPECT_EQ(server.lines, expected);
  ASSERT_EQ(server.messages.size(), 1u);
  // The Date line is the moment of send(); the rest is exact.
  const std::string& got = server.messages[0];
  const std::string want = smtp_message_text(message, settings, 0);
  ASSERT_EQ(got.rfind("Date: ", 0), 0u);
  EXPECT_EQ(got.substr(got.find("\r\n")), want.substr(want.find("\r\n")));
  EXPECT_NE(got.find("\r\n..a dot line\r\n"), std::string::npos) << "dot-stuffed";
}

TEST_F(SmtpAlerterTest, OneConnectionPerAlertInOrder) {
  FakeSmtpServer server(io_);
  auto alerter = alerter_for(settings_for(server));
  ASSERT_TRUE(alerter);
  alerter->send({"first", "1"});
  alerter->send({"second", "2"});
  alerter->send({"third", "3"});
  ASSERT_TRUE(run_until(io_, [&] { return settled(*alerter) && server.messages.size() == 3; }));
  EXPECT_EQ(alerter->stats().sent, 3u);
  EXPECT_EQ(server.connections, 3);
  EXPECT_NE(server.messages[0].find("Subject: first\r\n"), std::string::npos);
  EXPECT_NE(server.messages[1].find("Subject: second\r\n"), std::string::npos);
  EXPECT_NE(server.messages[2].find("Subject: third\r\n"), std::string::npos);
}

TEST_F(SmtpAlerterTest, MultiLineRepliesAreReadToTheirLastLine) {
  FakeSmtpServer server(io_);
  server.greeting = "220-fake.example ESMTP\r\n220-more\r\n220 ready\r\n";
  server.replies["HELO helo.example"] = "250-fake.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
  auto alerter = alerter_for(settings_for(server));
  ASSERT_TRUE(alerter);
  alerter->send({"s", "b"});
  ASSERT_TRUE(run_until(io_, [&] { return settled(*alerter); }));
  EXPECT_EQ(alerter->stats().sent, 1u) << alerter->stats().last_error;
}

TEST_F(SmtpAlerterTest, RefusedRecipientFailsTheAlertWithTheReply) {
  FakeSmtpServer server(io_);
  server.replies["RCPT TO:<b@example.com>"] = "550 5.1.1 no such user\r\n";
  auto alerter = alerter_for(settings_for(server));
  ASSERT_TRUE(alerter);
  alerter->send({"s", "b"});
  ASSERT_TRUE(run_until(io_, [&] { return settled(*alerter) && server.lines.size() == 5; }));
  EXPECT_EQ(alerter->stats().sent, 0u);
  EXPECT_EQ(alerter->stats().failed, 1u);
  EXPECT_EQ(alerter->stats().last_error, "RCPT TO:<b@example.com> refused: 550 5.1.1 no such user");
  // Like keepalived: QUIT after the refusal, no DATA.
  const std::vector<std::string> expected = {"HELO helo.example", "MAIL FROM:<kad@example.com>",
                                             "RCPT TO:<a@example.com>", "RCPT TO:<b@example.com>",
                                             "QUIT"};
  EXPECT_EQ(server.lines, expected);
  EXPECT_TRUE(server.messages.empty());
}

TEST_F(SmtpAlerterTest, RefusedGreetingAndData) {
  FakeSmtpServer server(io_);
  server.greeting = "554 go away\r\n";
  auto alerter = alerter_for(settings_for(server));
  ASSERT_TRUE(alerter);
  alerter->send({"s", "b"});
  ASSERT_TRUE(run_until(io_, [&] { return settled(*alerter); }));
  EXPECT_EQ(alerter->stats().failed, 1u);
  EXPECT_EQ(alerter->stats().last_error, "session refused: 554 go away");
  EXPECT_EQ(server.lines, std::vector<std::string>{"QUIT"});

  FakeSmtpServer no_data(io_);
  no_data.replies["DATA"] = "554 5.5.1 no valid recipients\r\n";
  auto second = alerter_for(settings_for(no_data));
  ASSERT_TRUE(second);
  second->send({"s", "b"});
  ASSERT_TRUE(run_until(io_, [&] { return settled(*second); }));
  EXPECT_EQ(second->stats().failed, 1u);
  EXPECT_EQ(second->stats().last_error, "DATA refused: 554 5.5.1 no valid recipients");
  EXPECT_TRUE(no_data.messages.empty());
}

TEST_F(SmtpAlerterTest, SilentServerFailsAtTheTimeout) {
  FakeSmtpServer server(io_);
  server.silent = true;
  SmtpSettings settings = settings_for(server);
  settings.timeout = 200ms;
  auto alerter = alerter_for(settings);
  ASSERT_TRUE(alerter);
  const auto start = std::chrono::steady_clock::now();
  alerter->send({"s", "b"});
  ASSERT_TRUE(run_until(io_, [&] { return alerter->stats().failed == 1; }));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 2s);
  EXPECT_EQ(alerter->stats().last_error, "no greeting within 200 ms");
  EXPECT_TRUE(settled(*alerter));
}

TEST_F(SmtpAlerterTest, EachWaitIsBoundedNotOnlyTheGreeting) {
  FakeSmtpServer server(io_);
  server.stall_on = "DATA";
  SmtpSettings settings = settings_for(server);
  settings.timeout = 200ms;
  auto alerter = alerter_for(settings);
  ASSERT_TRUE(alerter);
  alerter->send({"s", "b"});
  alerter->send({"t", "c"});  // starts once the first has failed
  ASSERT_TRUE(run_until(io_, [&] { return alerter->stats().failed == 2; }));
  EXPECT_EQ(alerter->stats().last_error, "no reply to DATA within 200 ms");
  EXPECT_EQ(server.connections, 2);
  EXPECT_TRUE(settled(*alerter));
}

TEST_F(SmtpAlerterTest, GarbageFailsTheAlert) {
  FakeSmtpServer server(io_);
  server.greeting = "hello there\r\n";
  auto alerter = alerter_for(settings_for(server));
  ASSERT_TRUE(alerter);
  alerter->send({"s", "b"});
  ASSERT_TRUE(run_until(io_, [&] { return settled(*alerter); }));
  EXPECT_EQ(alerter->stats().failed, 1u);
  EXPECT_EQ(alerter->stats().last_error, "the greeting is not an SMTP reply: \"hello there\"");
}

TEST_F(SmtpAlerterTest, RefusedConnection) {
  std::uint16_t port = 0;
  {
    FakeSmtpServer closed(io_);  // a port nobody listens on any more
    port = closed.port();
  }
  SmtpSettings settings = two_recipients();
  settings.port = port;
  auto alerter = alerter_for(settings);
  ASSERT_TRUE(alerter);
  alerter->send({"s", "b"});
  alerter->send({"t", "c"});
  ASSERT_TRUE(run_until(io_, [&] { return alerter->stats().failed == 2; }));
  EXPECT_EQ(alerter->stats().last_error, "cannot connect: connection refused");
}

TEST_F(SmtpAlerterTest, QueueIsBounded) {
  FakeSmtpServer server(io_);
  server.silent = true;
  SmtpSettings settings = settings_for(server);
  settings.timeout = 10s;
  auto alerter = alerter_for(settings);
  ASSERT_TRUE(alerter);
  for (std::size_t i = 0; i < 1 + SmtpAlerter::kMaxPending + 3; ++i)
    alerter->send({"alert " + std::to_string(i), "b"});
  run_for(io_, 50ms);
  EXPECT_TRUE(alerter->busy());
  EXPECT_EQ(alerter->pending(), SmtpAlerter::kMaxPending);
  EXPECT_EQ(alerter->stats().dropped, 3u);
  EXPECT_EQ(server.connections, 1);
}

TEST_F(SmtpAlerterTest, DestroyWhileSending) {
  FakeSmtpServer server(io_);
  server.silent = true;
  auto alerter = alerter_for(settings_for(server));
  ASSERT_TRUE(alerter);
  alerter->send({"s", "b"});
  alerter->send({"t", "c"});
  ASSERT_TRUE(run_until(io_, [&] { return server.connections == 1; }));
  alerter.reset();  // the connect completed, a read and the deadline are pending
  run_for(io_, 50ms);
  EXPECT_EQ(server.connections, 1) << "nothing more after the alerter is gone";

  // And in the middle of the dialogue: the server never answers DATA.
  FakeSmtpServer talking(io_);
  talking.stall_on = "DATA";
  auto second = alerter_for(settings_for(talking));
  ASSERT_TRUE(second);
  second->send({"s", "b"});
  ASSERT_TRUE(run_until(io_, [&] { return talking.lines.size() == 5; }));
  EXPECT_TRUE(second->busy());
  second.reset();
  run_for(io_, 50ms);
  EXPECT_EQ(talking.lines.back(), "DATA");
  EXPECT_TRUE(talking.messages.empty());
}

TEST_F(SmtpAlerterTest, MakeResolvesAHostName) {
  FakeSmtpServer server(io_);
  SmtpSettings settings = settings_for(server);
  settings.server = "localhost";
  auto made = SmtpAlerter::make(io_, settings);
  ASSERT_TRUE(made) << made.error().message;
  const std::string& name = (*made)->server_name();
  EXPECT_TRUE(name == "[127.0.0.1]:" + std::to_string(server.port()) ||
              name == "[::1]:" + std::to_string(server.port()))
      << name;

  settings.recipients.clear();
  EXPECT_FALSE(SmtpAlerter::make(io_, settings));
}

TEST_F(SmtpAlerterTest, NoRecipientsFailsWithoutConnecting) {
  FakeSmtpServer server(io_);
  SmtpSettings settings = settings_for(server);
  settings.recipients.clear();
  SmtpAlerter alerter(io_, settings,
                      tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  alerter.send({"s", "b"});
  EXPECT_EQ(alerter.stats().failed, 0u) << "reported from the io_context, not from send()";
  ASSERT_TRUE(run_until(io_, [&] { return alerter.stats().failed == 1; }));
  EXPECT_EQ(alerter.stats().last_error, "no notification_email to send to");
  EXPECT_EQ(server.connections, 0);
}

// The Notifier mails what keepalived mails (vrrp_notify.c): states of subjects whose
// smtp_alert is on, never the state last mailed again, no FAULT with no_email_faults.
TEST_F(SmtpAlerterTest, NotifierMailsEachNewStateOfASubjectWithSmtpAlert) {
  FakeSmtpServer server(io_);
  config::Config config;
  auto& defs = config.global.defs;
  defs.router_id = "R1";
  defs.smtp_server = config::SmtpServer{.host = "127.0.0.1", .port = server.port()};
  defs.smtp_connect_timeout = 2;
  defs.notification_email = {"a@example.com"};
  defs.no_email_faults = true;
  config.vrrp.instances.emplace_back().name = "VI_1";
  config.vrrp.instances.back().smtp_alert = true;
  config.vrrp.instances.emplace_back().name = "VI_2";  // smtp_alert: global default, off
  process::Supervisor supervisor(io_);
  Notifier notifier(io_, supervisor);
  notifier.configure(config);
  ASSERT_TRUE(notifier.can_mail());
  EXPECT_EQ(notifier.router_id(), "R1");

  using What = VrrpNotice::What;
  const auto instance = VrrpNotice::Subject::Instance;
  notifier.notify(notice(instance, "VI_1", What::Backup));
  notifier.notify(notice(instance, "VI_1", What::Backup));  // the state last mailed: no mail
  notifier.notify(notice(instance, "VI_1", What::Fault));   // no_email_faults
  notifier.notify(notice(instance, "VI_2", What::Master));  // smtp_alert off
  notifier.notify(notice(instance, "VI_1", What::Master));
  notifier.notify(notice(instance, "VI_1", What::Stop));  // halod stopping: no mail
  ASSERT_TRUE(run_until(
      io_, [&] { return notifier.stats().mails_sent == 2; }, 5s));
  run_for(io_, 200ms);  // nothing else arrives
  ASSERT_EQ(server.messages.size(), 2u);
  EXPECT_NE(server.messages[0].find("Subject: [R1] VRRP Instance VI_1 - Entering BACKUP state"),
            std::string::npos)
      << server.messages[0];
  EXPECT_NE(server.messages[1].find("Subject: [R1] VRRP Instance VI_1 - Entering MASTER state"),
            std::string::npos)
      << server.messages[1];
  EXPECT_EQ(notifier.stats().mails_failed, 0u);
}

}  // namespace
}  // namespace halo::notify
