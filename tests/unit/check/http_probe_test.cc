// HTTP_GET and SSL_GET against real servers on the sandbox's loopback: the request bytes
// (keepalived's), status ranges, digest, regex, virtualhost, protocols, and every way a server
// can fail (refuse, never answer, answer garbage, reset, break the TLS handshake), each a
// failure with its reason, bounded by connect_timeout.
#include "check/http_probe.h"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <optional>

#include "check/http_test_server.h"
#include "support/netns_sandbox.h"

namespace halo::check {
namespace {

using halo::testing::behave;
using halo::testing::respond;
using halo::testing::ServerMode;
using halo::testing::ServerScript;
using halo::testing::TestHttpServer;
using namespace std::chrono_literals;

std::string ok_reply(const std::string& body, int status = 200) {
  return "HTTP/1.0 " + std::to_string(status) + " X\r\nContent-Type: text/plain\r\n\r\n" + body;
}

config::HttpUrl url(std::string path) {
  config::HttpUrl u;
  u.path = std::move(path);
  return u;
}

class HttpProbeTest : public halo::testing::NetnsSandbox {
 protected:
  Target target(std::uint16_t port, Duration timeout = 5s) {
    Target t;
    t.address = boost::asio::ip::make_address("127.0.0.1");
    t.port = port;
    t.connect_timeout = timeout;
    return t;
  }

  static HttpOptions http(std::vector<config::HttpUrl> urls) {
    HttpOptions o;
    o.check.urls = std::move(urls);
    return o;
  }

  // Runs one attempt to its end (the io_context stops when nothing is left but the servers).
  Outcome run(Probe& probe) {
    std::optional<Outcome> result;
    int calls = 0;
    const auto begin = std::chrono::steady_clock::now();
    probe.start([&](Outcome o) {
      ++calls;
      result = std::move(o);
    });
    while (!result && std::chrono::steady_clock::now() - begin < 10s) io_.run_for(20ms);
    elapsed_ = std::chrono::steady_clock::now() - begin;
    io_.run_for(50ms);  // anything late would show up as a second call
    EXPECT_EQ(calls, 1);
    if (!result) {
      result.emplace();
      result->reason = "no outcome";
    }
    return *result;
  }

  boost::asio::io_context io_;
  std::chrono::steady_clock::duration elapsed_{};
};

TEST_F(HttpProbeTest, SuccessSendsKeepalivedsRequest) {
  TestHttpServer server(io_, respond(ok_reply("hello")));
  auto u = url("/health");
  u.digest = md5_hex("hello");
  auto probe = make_http_probe(io_, target(server.port()), http({u}));
  EXPECT_EQ(probe->kind(), "HTTP_GET");
  const Outcome o = run(*probe);
  EXPECT_TRUE(o.success) << o.reason;
  EXPECT_EQ(o.reason, "HTTP status 200");
  ASSERT_EQ(server.requests.size(), 1U);
  EXPECT_EQ(server.requests[0],
            "GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: "
            "127.0.0.1:" +
                std::to_string(server.port()) + "\r\n\r\n");
}

TEST_F(HttpProbeTest, VirtualhostAndProtocols) {
  TestHttpServer server(io_, respond(ok_reply("x")));
  auto options = http({url("/a")});
  options.virtualhost = "rs.example";  // from the real server
  options.check.http_protocol = config::HttpProtocol::V1_1;
  auto probe = make_http_probe(io_, target(server.port()), options);
  EXPECT_TRUE(run(*probe).success);

  options.check.virtualhost = "checker.example";  // the checker's wins over the server's
  options.check.http_protocol = config::HttpProtocol::V1_0C;
  auto u = url("/b");
  u.virtualhost = "url.example";  // and the url's over both
  options.check.urls.push_back(u);
  probe = make_http_probe(io_, target(server.port()), options);
  EXPECT_TRUE(run(*probe).success);
  ASSERT_EQ(server.requests.size(), 3U);
  EXPECT_EQ(server.requests[0],
            "GET /a HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\n"
            "Host: rs.example\r\n\r\n");
  EXPECT_EQ(server.requests[1],
            "GET /a HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\n"
            "Host: checker.example\r\n\r\n");
  EXPECT_EQ(server.requests[2],
            "GET /b HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\n"
            "Host: url.example\r\n\r\n");
}

TEST_F(HttpProbeTest, StatusOutsideDefaultRange) {
  TestHttpServer server(io_, respond(ok_reply("oops", 500)));
  auto probe = make_http_probe(io_, target(server.port()), http({url("/")}));
  const Outcome o = run(*probe);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.reason, "GET /: HTTP status 500 not in 200-299");
  EXPECT_FALSE(o.timed_out);
}

TEST_F(HttpProbeTest, StatusRanges) {
  TestHttpServer server(io_, respond(ok_reply("", 404)));
  auto u = url("/");
  u.status_codes = {{200, 299}, {404, 404}};
  auto probe = make_http_probe(io_, target(server.port()), http({u}));
  EXPECT_TRUE(run(*probe).success);
  server.set_script(respond(ok_reply("", 302)));
  const Outcome o = run(*probe);
  EXPECT_EQ(o.reason, "GET /: HTTP status 302 not in 200-299,404");
}

TEST_F(HttpProbeTest, DigestMismatch) {
  TestHttpServer server(io_, respond(ok_reply("changed")));
  auto u = url("/");
  u.digest = md5_hex("original");
  auto probe = make_http_probe(io_, target(server.port()), http({u}));
  const Outcome o = run(*probe);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.reason,
            "GET /: digest mismatch: got " + md5_hex("changed") + " want " + md5_hex("original"));
}

TEST_F(HttpProbeTest, DigestStopsAtContentLengthAndDoesNotWaitForClose) {
  // Content-Length 5 and more bytes after it; the server keeps the connection open.
  TestHttpServer server(io_,
                        respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA", true));
  auto u = url("/");
  u.digest = md5_hex("hello");
  auto probe = make_http_probe(io_, target(server.port(), 3s), http({u}));
  const Outcome o = run(*probe);
  EXPECT_TRUE(o.success) << o.reason;
  EXPECT_LT(elapsed_, 1s);
}

TEST_F(HttpProbeTest, ChunkedBodyIsHashedAsReceivedLikeKeepalived) {
  const std::string raw = "5\r\nhello\r\n0\r\n\r\n";
  TestHttpServer server(io_,
                        respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + raw));
  auto u = url("/");
  u.digest = md5_hex(raw);
  auto probe = make_http_probe(io_, target(server.port()), http({u}));
  const Outcome o = run(*probe);
  EXPECT_TRUE(o.success) << o.reason;
}

TEST_F(HttpProbeTest, BodyOver16MiBFails) {
  const std::size_t size = 16 * 1024 * 1024 + 1;
  TestHttpServer server(io_, respond("HTTP/1.0 200 OK\r\nContent-Length: " + std::to_string(size) +
                                     "\r\n\r\n" + std::string(size, 'x')));
  auto probe = make_http_probe(io_, target(server.port()), http({url("/")}));
  const Outcome o = run(*probe);
  EXPECT_EQ(o.reason, "GET /: HTTP response body larger than 16 MiB");

  // 9 MiB is fine (Beast's own default limit, 8 MiB, is not in the way).
  const std::string body(9 * 1024 * 1024, 'y');
  server.set_script(respond("HTTP/1.0 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\n\r\n" + body));
  auto u = url("/");
  u.digest = md5_hex(body);
  probe = make_http_probe(io_, target(server.port()), http({u}));
  EXPECT_TRUE(run(*probe).success);
}

TEST_F(HttpProbeTest, RegexMatchAndNoMatch) {
  TestHttpServer server(io_, respond(ok_reply("status: OK\n")));
  auto u = url("/");
  u.regex = "status: (OK|GOOD)";
  auto probe = make_http_probe(io_, target(server.port()), http({u}));
  EXPECT_TRUE(run(*probe).success);

  u.regex = "status: FAIL";
  probe = make_http_probe(io_, target(server.port()), http({u}));
  EXPECT_EQ(run(*probe).reason, "GET /: body does not match regex \"status: FAIL\"");

  u.regex_no_match = true;  // must not match: passes
  probe = make_http_probe(io_, target(server.port()), http({u}));
  EXPECT_TRUE(run(*probe).success);

  u.regex = "status";  // matches, so regex_no_match fails
  probe = make_http_probe(io_, target(server.port()), http({u}));
  EXPECT_EQ(run(*probe).reason, "GET /: body matches regex \"status\" (regex_no_match)");

  u.regex_no_match = false;
  u.regex = "ok";
  u.regex_options = {"caseless"};
  u.regex_min_offset = 2;  // "OK" starts at 8
  u.regex_max_offset = 8;
  probe = make_http_probe(io_, target(server.port()), http({u}));
  EXPECT_TRUE(run(*probe).success);
  u.regex_max_offset = 7;
  probe = make_http_probe(io_, target(server.port()), http({u}));
  EXPECT_FALSE(run(*probe).success);
}

TEST_F(HttpProbeTest, InvalidRegexFailsWithItsReason) {
  TestHttpServer server(io_, respond(ok_reply("x")));
  auto u = url("/");
  u.regex = "(unclosed";
  auto probe = make_http_probe(io_, target(server.port()), http({u}));
  const Outcome o = run(*probe);
  EXPECT_FALSE(o.success);
  EXPECT_NE(o.reason.find("invalid regex \"(unclosed\""), std::string::npos) << o.reason;
}

TEST_F(HttpProbeTest, EveryUrlIsCheckedAndTheFirstFailureNamed) {
  TestHttpServer server(io_, respond(ok_reply("body")));
  auto good = url("/good");
  auto bad = url("/bad");
  bad.digest = md5_hex("other");
  auto probe = make_http_probe(io_, target(server.port()), http({good, bad}));
  const Outcome o = run(*probe);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.reason.rfind("GET /bad: digest mismatch", 0), 0U) << o.reason;
  EXPECT_EQ(server.requests.size(), 2U);
  auto probe2 = make_http_probe(io_, target(server.port()), http({good, good}));
  EXPECT_EQ(run(*probe2).reason, "2 urls passed");
}

TEST_F(HttpProbeTest, DoneNeverRunsInsideStartEvenForAnImmediateFailure) {
  // bindto an address no interface has: the attempt fails before any I/O.
  auto t = target(80);
  t.bind_address = boost::asio::ip::make_address("192.0.2.99");
  auto probe = make_http_probe(io_, t, http({url("/")}));
  std::optional<Outcome> result;
  bool inside_start = false;
  boost::asio::post(io_, [&] {
    inside_start = true;
    probe->start([&](Outcome o) {
      EXPECT_FALSE(inside_start);
      result = std::move(o);
    });
    inside_start = false;
  });
  for (int i = 0; i < 250 && !result; ++i) io_.run_for(20ms);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->reason, "GET /: cannot bind to 192.0.2.99:0: Cannot assign requested address");
}

TEST_F(HttpProbeTest, ConnectionRefused) {
  auto probe = make_http_probe(io_, target(1), http({url("/")}));
  const Outcome o = run(*probe);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.reason, "GET /: connection refused");
}

TEST_F(HttpProbeTest, SilentServerTimesOutAtConnectTimeout) {
  TestHttpServer server(io_, behave(ServerMode::Silent));
  auto probe = make_http_probe(io_, target(server.port(), 500ms), http({url("/")}));
  const Outcome o = run(*probe);
  EXPECT_FALSE(o.success);
  EXPECT_TRUE(o.timed_out);
  EXPECT_EQ(o.reason, "GET /: no response within 500 ms");
  EXPECT_GE(elapsed_, 450ms);
  EXPECT_LT(elapsed_, 1500ms);
}

TEST_F(HttpProbeTest, PartialAnswerTimesOut) {
  TestHttpServer server(io_, respond("HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\nshort", true));
  auto probe = make_http_probe(io_, target(server.port(), 1s), http({url("/")}));
  const Outcome o = run(*probe);
  EXPECT_EQ(o.reason, "GET /: response not complete within 1 s");
  EXPECT_TRUE(o.timed_out);
}

TEST_F(HttpProbeTest, GarbageAndEmptyAnswers) {
  TestHttpServer server(io_, respond("garbage\x01 here\n"));
  auto probe = make_http_probe(io_, target(server.port()), http({url("/")}));
  Outcome o = run(*probe);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.reason,
            "GET /: no HTTP response: the connection closed after 14 bytes without the end of "
            "a header");

  server.set_script(respond("SMTP ready\r\nhello\r\n\r\n"));
  o = run(*probe);
  EXPECT_EQ(o.reason.rfind("GET /: malformed HTTP response: ", 0), 0U) << o.reason;

  server.set_script(behave(ServerMode::Close));
  o = run(*probe);
  EXPECT_EQ(o.reason, "GET /: connection closed without a response");
}

TEST_F(HttpProbeTest, Reset) {
  TestHttpServer server(io_, behave(ServerMode::Reset));
  auto probe = make_http_probe(io_, target(server.port()), http({url("/")}));
  const Outcome o = run(*probe);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.reason, "GET /: connection reset");
}

TEST_F(HttpProbeTest, CancelledAttemptNeverReportsAndTheProbeRestarts) {
  TestHttpServer server(io_, behave(ServerMode::Silent));
  auto probe = make_http_probe(io_, target(server.port(), 300ms), http({url("/")}));
  int calls = 0;
  probe->start([&](const Outcome&) { ++calls; });
  io_.run_for(100ms);
  probe->cancel();
  probe->cancel();  // idempotent
  io_.run_for(500ms);
  EXPECT_EQ(calls, 0);

  server.set_script(respond(ok_reply("x")));
  EXPECT_TRUE(run(*probe).success);

  // Destroying the probe mid-attempt is a cancel too.
  server.set_script(behave(ServerMode::Silent));
  probe->start([&](const Outcome&) { ++calls; });
  io_.run_for(50ms);
  probe.reset();
  io_.run_for(500ms);
  EXPECT_EQ(calls, 0);
}

class SslProbeTest : public HttpProbeTest {
 protected:
  void SetUp() override {
    HttpProbeTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(cert_.ok()) << "openssl req failed";
    server_tls_ = cert_.server_context();
  }
  halo::testing::TestCertificate cert_;
  std::unique_ptr<boost::asio::ssl::context> server_tls_;
};

TEST_F(SslProbeTest, SslGetWithSni) {
  TestHttpServer server(io_, respond(ok_reply("secret")), server_tls_.get());
  auto u = url("/tls");
  u.digest = md5_hex("secret");
  auto options = http({u});
  options.check.ssl = true;
  options.check.virtualhost = "www.example.com";
  options.check.enable_sni = true;
  auto probe = make_http_probe(io_, target(server.port()), options);
  EXPECT_EQ(probe->kind(), "SSL_GET");
  const Outcome o = run(*probe);
  EXPECT_TRUE(o.success) << o.reason;
  EXPECT_EQ(server.sni, "www.example.com");
  ASSERT_EQ(server.requests.size(), 1U);
  EXPECT_NE(server.requests[0].find("Host: www.example.com\r\n"), std::string::npos);

  options.check.enable_sni = false;  // no SNI unless asked
  probe = make_http_probe(io_, target(server.port()), options);
  EXPECT_TRUE(run(*probe).success);
  EXPECT_EQ(server.sni, "");
}

TEST_F(SslProbeTest, HandshakeWithAPlainServerFails) {
  TestHttpServer server(io_, respond(ok_reply("plain")));
  auto options = http({url("/")});
  options.check.ssl = true;
  // The plain server waits for "\r\n\r\n", which a ClientHello never has: no handshake.
  auto probe = make_http_probe(io_, target(server.port(), 500ms), options);
  Outcome o = run(*probe);
  EXPECT_EQ(o.reason, "GET /: no TLS handshake within 500 ms");
  EXPECT_TRUE(o.timed_out);

  // A server that answers the ClientHello with plain text.
  auto unasked = respond("HTTP/1.0 400 Bad Request\r\n\r\n");
  unasked.unasked = true;
  TestHttpServer text(io_, unasked);
  probe = make_http_probe(io_, target(text.port(), 2s), options);
  o = run(*probe);
  EXPECT_EQ(o.reason.rfind("GET /: TLS handshake failed: ", 0), 0U) << o.reason;
}

TEST_F(SslProbeTest, CaFromTheSslBlockVerifiesTheServer) {
  TestHttpServer server(io_, respond(ok_reply("x")), server_tls_.get());
  auto options = http({url("/")});
  options.check.ssl = true;
  config::SslConfig ssl;
  ssl.ca = cert_.cert();  // the self-signed certificate is its own CA
  options.ssl = &ssl;
  auto probe = make_http_probe(io_, target(server.port()), options);
  EXPECT_TRUE(run(*probe).success);

  config::SslConfig missing;
  missing.ca = "/nonexistent/ca.pem";
  options.ssl = &missing;
  probe = make_http_probe(io_, target(server.port()), options);
  const Outcome o = run(*probe);
  EXPECT_EQ(o.reason.rfind("cannot load the CA file /nonexistent/ca.pem", 0), 0U) << o.reason;
}

TEST(HttpText, Md5AndRanges) {
  EXPECT_EQ(md5_hex("hello world\n"), "6f5902ac237024bdd0c176cb93063dc4");  // keepalived -T
  EXPECT_EQ(status_ranges_text({{200, 299}, {404, 404}}), "200-299,404");
  HttpFetch f;
  f.target.address = boost::asio::ip::make_address("2001:db8::10");
  f.target.port = 8080;
  f.path = "/x";
  EXPECT_EQ(http_request_text(f),
            "GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: [2001:db8::10]:8080\r\n\r\n");
}

}  // namespace
}  // namespace halo::check
