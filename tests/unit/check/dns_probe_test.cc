// DNS_CHECK: the query's exact bytes and keepalived's rule for the answer (pure), then a tiny
// answerer on a real socket in a fresh network namespace.
#include "check/dns_probe.h"

#include <gtest/gtest.h>

#include "check/probe_test_support.h"
#include "support/netns_sandbox.h"

namespace halo::check {
namespace {

using namespace probe_test;  // NOLINT(google-build-using-namespace): the probe test helpers
namespace asio = boost::asio;
using asio::ip::udp;
using Bytes = std::vector<std::uint8_t>;

config::DnsCheck dns(config::DnsType type, std::string name) {
  config::DnsCheck c;
  c.type = type;
  c.name = std::move(name);
  return c;
}

TEST(DnsQuery, RootSoaIsTheDefault) {
  // id 0x1234, RD, QDCOUNT 1; QNAME root; QTYPE SOA (6); QCLASS IN.
  const Bytes want{0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                   0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x01};
  EXPECT_EQ(encode_dns_query(0x1234, config::DnsCheck{}), want);
}

TEST(DnsQuery, NameLabelsAndType) {
  const Bytes want{0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                   0x00, 0x00, 7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',
                   3,    'c',  'o',  'm',  0,    0x00, 0x1c, 0x00, 0x01};
  EXPECT_EQ(encode_dns_query(0xbeef, dns(config::DnsType::Aaaa, "example.com")), want);
  // A trailing dot changes nothing.
  EXPECT_EQ(encode_dns_query(0xbeef, dns(config::DnsType::Aaaa, "example.com.")), want);
}

TEST(DnsQuery, TypeCodes) {
  const std::pair<config::DnsType, std::uint8_t> types[] = {
      {config::DnsType::A, 1},     {config::DnsType::Ns, 2},     {config::DnsType::Cname, 5},
      {config::DnsType::Soa, 6},   {config::DnsType::Mx, 15},    {config::DnsType::Txt, 16},
      {config::DnsType::Aaaa, 28}, {config::DnsType::Rrsig, 46}, {config::DnsType::Dnskey, 48}};
  for (auto [type, code] : types) {
    const Bytes q = encode_dns_query(1, dns(type, "."));
    ASSERT_EQ(q.size(), 17u);
    EXPECT_EQ(q[14], code);
  }
}

// A response header for `id` with flags `flags` and no sections.
Bytes response(std::uint16_t id, std::uint16_t flags) {
  return {static_cast<std::uint8_t>(id >> 8),
          static_cast<std::uint8_t>(id),
          static_cast<std::uint8_t>(flags >> 8),
          static_cast<std::uint8_t>(flags),
          0,
          1,
          0,
          0,
          0,
          0,
          0,
          0};
}

TEST(DnsReply, KeepalivedsRule) {
  const config::DnsCheck check;
  // NOERROR with no answer at all is success: keepalived looks at id, QR and RCODE only.
  auto o = judge_dns_reply(response(7, 0x8180), 7, check);
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->success);
  EXPECT_EQ(o->reason, "answer NOERROR");

  o = judge_dns_reply(response(7, 0x8183), 7, check);
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->success);
  EXPECT_EQ(o->reason, "answer RCODE 3 (NXDOMAIN)");

  o = judge_dns_reply(response(7, 0x8185), 7, check);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->reason, "answer RCODE 5 (REFUSED)");
  o = judge_dns_reply(response(7, 0x818b), 7, check);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->reason, "answer RCODE 11");

  // Not the answer: keep waiting.
  EXPECT_FALSE(judge_dns_reply(response(8, 0x8180), 7, check));         // another id
  EXPECT_FALSE(judge_dns_reply(response(7, 0x0100), 7, check));         // a query
  EXPECT_FALSE(judge_dns_reply(Bytes{0, 7, 0x81, 0x80, 0}, 7, check));  // too short
}

class DnsProbeTest : public halo::testing::NetnsSandbox {
 protected:
  asio::io_context io_;
  const udp::endpoint local_{asio::ip::make_address("127.0.0.1"), 0};
};

// Answers a query with the given RCODE, echoing the question.
UdpServer::Respond answerer(int rcode) {
  return [rcode](const Bytes& q) -> std::optional<Bytes> {
    if (q.size() < 12) return std::nullopt;
    Bytes r = q;
    r[2] = 0x81;
    r[3] = static_cast<std::uint8_t>(0x80 | rcode);
    return r;
  };
}

TEST_F(DnsProbeTest, NoerrorIsSuccess) {
  UdpServer server(io_, local_, answerer(0));
  auto probe = make_dns_probe(io_, make_target("127.0.0.1", server.port()),
                              dns(config::DnsType::A, "www.example.com"));
  EXPECT_EQ(probe->kind(), "DNS_CHECK");
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_TRUE(run.outcome->success) << run.outcome->reason;
  ASSERT_EQ(server.received().size(), 1u);
  const Bytes& q = server.received()[0];
  EXPECT_EQ(q, encode_dns_query(static_cast<std::uint16_t>(q[0] << 8 | q[1]),
                                dns(config::DnsType::A, "www.example.com")));
}

TEST_F(DnsProbeTest, ServfailIsFailure) {
  UdpServer server(io_, local_, answerer(2));
  auto probe = make_dns_probe(io_, make_target("127.0.0.1", server.port()), {});
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "answer RCODE 2 (SERVFAIL)");
}

TEST_F(DnsProbeTest, GarbageIsIgnoredUntilTheTimeout) {
  UdpServer server(io_, local_, [](const Bytes&) { return Bytes{'n', 'o', 'p', 'e'}; });
  auto probe = make_dns_probe(
      io_, make_target("127.0.0.1", server.port(), std::chrono::milliseconds(200)), {});
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_TRUE(run.outcome->timed_out);
  EXPECT_EQ(run.outcome->reason, "no answer within 200 ms");
  EXPECT_LT(run.elapsed, std::chrono::milliseconds(900));  // timeout + scheduling slack
}

TEST_F(DnsProbeTest, NoServerIsFailure) {
  std::uint16_t port = 0;
  {
    udp::socket s(io_, local_);
    port = s.local_endpoint().port();
  }
  auto probe = make_dns_probe(io_, make_target("127.0.0.1", port), {});
  const Attempt run = run_probe(io_, *probe);
  ASSERT_TRUE(run.outcome);
  EXPECT_FALSE(run.outcome->success);
  EXPECT_EQ(run.outcome->reason, "ICMP port unreachable");
}

TEST_F(DnsProbeTest, Ipv6AndCancelAndRestart) {
  UdpServer server(io_, {asio::ip::make_address("::1"), 0}, answerer(0));
  UdpServer silent(io_, {asio::ip::make_address("::1"), 0},
                   [](const Bytes&) { return std::nullopt; });
  auto mute =
      make_dns_probe(io_, make_target("::1", silent.port(), std::chrono::milliseconds(100)), {});
  int calls = 0;
  mute->start([&calls](const Outcome&) { ++calls; });
  run_for(io_, std::chrono::milliseconds(20));
  mute->cancel();
  run_for(io_, std::chrono::milliseconds(200));
  EXPECT_EQ(calls, 0);

  auto probe = make_dns_probe(io_, make_target("::1", server.port()), {});
  for (int i = 0; i < 3; ++i) {
    const Attempt run = run_probe(io_, *probe);
    ASSERT_TRUE(run.outcome);
    EXPECT_TRUE(run.outcome->success) << run.outcome->reason;
  }
}

}  // namespace
}  // namespace halo::check
