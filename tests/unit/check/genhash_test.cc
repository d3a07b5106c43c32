// genhash: keepalived -T's command line and messages, its hex dump, and a real fetch printed in
// keepalived 2.2.7's layout (recorded from `keepalived -T` against the same kind of server).
#include "check/genhash.h"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "check/http_probe.h"
#include "check/http_test_server.h"
#include "support/netns_sandbox.h"

namespace halo::check {
namespace {

using halo::testing::behave;
using halo::testing::respond;
using halo::testing::ServerMode;
using halo::testing::TestHttpServer;

Result<GenhashRequest> parse(std::vector<std::string> args) {
  return parse_genhash_args(args);
}

TEST(GenhashArgs, ShortAndLongForms) {
  auto r = parse({"-s", "192.0.2.1", "-p", "8080", "-u", "/index.html"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->server, "192.0.2.1");
  EXPECT_EQ(r->port, 8080);
  EXPECT_EQ(r->url, "/index.html");
  EXPECT_FALSE(r->ssl);
  EXPECT_FALSE(r->verbose);
  EXPECT_EQ(r->http_protocol, config::HttpProtocol::V1_0);
  EXPECT_EQ(r->timeout, std::chrono::seconds(5));

  r = parse({"--genhash", "-SvI", "-s2001:db8::1", "-p443", "--url=/x", "--use-virtualhost",
             "www.example.com", "--protocol", "1.0c", "-t", "3", "--fwmark=7"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->ssl);
  EXPECT_TRUE(r->verbose);
  EXPECT_TRUE(r->sni);
  EXPECT_EQ(r->server, "2001:db8::1");
  EXPECT_EQ(r->port, 443);
  EXPECT_EQ(r->url, "/x");
  EXPECT_EQ(r->virtualhost, "www.example.com");
  EXPECT_EQ(r->http_protocol, config::HttpProtocol::V1_0C);
  EXPECT_EQ(r->timeout, std::chrono::seconds(3));
  EXPECT_EQ(r->fwmark, 7U);

  r = parse({"-T", "--serv", "192.0.2.1", "--port", "80", "-u", "/", "-P", "1.1"});  // prefix
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->http_protocol, config::HttpProtocol::V1_1);

  r = parse({"-h"});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->help);
}

TEST(GenhashArgs, KeepalivedsMessages) {
  auto message = [](std::vector<std::string> args) {
    auto r = parse(std::move(args));
    return r ? std::string("ok") : r.error().message;
  };
  EXPECT_EQ(message({"-s", "127.0.0.1", "-p", "0", "-u", "/"}), "invalid port number '0'");
  EXPECT_EQ(message({"-s", "127.0.0.1", "-p", "65536", "-u", "/"}), "invalid port number '65536'");
  EXPECT_EQ(message({"-s", "foo", "-p", "80", "-u", "/"}), "server should be an IP, not foo");
  EXPECT_EQ(message({"-s", "127.0.0.1", "-p", "80", "-u", "/", "-x"}), "Unknown option -x");
  EXPECT_EQ(message({"-s", "127.0.0.1", "-p", "80", "--nope"}), "Unknown option --nope");
  EXPECT_EQ(message({"-s", "127.0.0.1", "-p", "80", "-u"}), "Missing parameter for option -u");
  EXPECT_EQ(message({"-s", "127.0.0.1", "-p", "80", "--url"}),
            "Missing parameter for option --url");
  EXPECT_EQ(message({"-s", "127.0.0.1", "-p", "80", "-u", "/", "-P", "2.0"}),
            "invalid HTTP protocol version '2.0'");
  EXPECT_EQ(message({"-s", "127.0.0.1", "-p", "80", "-u", "/", "-t", "x"}), "invalid timeout 'x'");
  EXPECT_EQ(message({"-s", "127.0.0.1", "-p", "80", "-u", "/", "-m", "-1"}), "invalid fwmark '-1'");
  EXPECT_EQ(message({"-s", "127.0.0.1", "-p", "80", "-u", "/", "extra", "more"}),
            "Unexpected argument(s): extra more");
  EXPECT_EQ(message({"-s", "127.0.0.1", "-u", "/"}),
            "the server (-s), the port (-p) and the url (-u) are required");
  EXPECT_EQ(message({}), "the server (-s), the port (-p) and the url (-u) are required");
}

TEST(GenhashText, UsageIsKeepalivedsWithOurName) {
  const std::string usage = genhash_usage("haloctl genhash");
  EXPECT_EQ(usage.rfind("Usage: haloctl genhash COMMAND [OPTIONS]\nCommands:\n", 0), 0U);
  EXPECT_NE(usage.find("   --timeout         -t       Timeout in seconds\n"), std::string::npos);
}

TEST(GenhashText, HexDumpIsKeepalivedsDumpBuffer) {
  // Lines recorded from keepalived -T -v (lib/utils.c dump_buffer).
  EXPECT_EQ(hex_dump("hello world\n"),
            "0000  68 65 6c 6c 6f 20 77 6f - 72 6c 64 0a               hello world.    \n");
  EXPECT_EQ(hex_dump("HTTP/1.0 200 OK\r\nServer: SimpleH"),
            "0000  48 54 54 50 2f 31 2e 30 - 20 32 30 30 20 4f 4b 0d   HTTP/1.0 200 OK.\n"
            "0016  0a 53 65 72 76 65 72 3a - 20 53 69 6d 70 6c 65 48   .Server: SimpleH\n");
  EXPECT_EQ(hex_dump("abc"),
            "0000  61 62 63                -                           abc             \n");
  EXPECT_EQ(hex_dump(""), "");
}

class GenhashFetch : public halo::testing::NetnsSandbox {
 protected:
  // genhash blocks on its own io_context: the server runs on another thread.
  template <class F>
  auto with_server(halo::testing::ServerScript script, F&& f) {
    boost::asio::io_context io;
    TestHttpServer server(io, std::move(script));
    auto guard = boost::asio::make_work_guard(io);
    std::thread thread([&] { io.run(); });
    auto result = f(server.port());
    guard.reset();
    io.stop();
    thread.join();
    return result;
  }
};

constexpr const char* kReply = "HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nhello world\n";

TEST_F(GenhashFetch, PrintsTheDigestAlone) {
  const auto result = with_server(respond(kReply), [](auto port) {
    return genhash(*parse({"-s", "127.0.0.1", "-p", std::to_string(port), "-u", "/index.html"}));
  });
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->text, "6f5902ac237024bdd0c176cb93063dc4\n");  // keepalived -T, same body
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body_bytes, 12U);
}

TEST_F(GenhashFetch, VerboseLayoutIsKeepaliveds) {
  const auto result = with_server(respond(kReply), [](auto port) {
    return genhash(
        *parse({"-s", "127.0.0.1", "-p", std::to_string(port), "-u", "/index.html", "-v"}));
  });
  ASSERT_TRUE(result) << result.error().message;
  const std::string expected_prefix =
      "-----------------------[    HTTP Header Buffer    ]-----------------------\n"
      "0000  48 54 54 50 2f 31 2e 30 - 20 32 30 30 20 4f 4b 0d   HTTP/1.0 200 OK.\n"
      "0016  0a 43 6f 6e 74 65 6e 74 - 2d 4c 65 6e 67 74 68 3a   .Content-Length:\n"
      "0032  20 31 32 0d 0a 0d 0a    -                            12....         \n"
      "-----------------------[ HTTP Header Ascii Buffer ]-----------------------\n"
      "HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\n\n"
      "-----------------------[        HTML Buffer        ]-----------------------\n"
      "0000  68 65 6c 6c 6f 20 77 6f - 72 6c 64 0a               hello world.    \n"
      "\n"
      "-----------------------[    HTML hash resulting    ]-----------------------\n"
      "0000  6f 59 02 ac 23 70 24 bd - d0 c1 76 cb 93 06 3d c4   oY..#p$...v...=.\n"
      "-----------------------[ HTML hash final resulting ]-----------------------\n"
      "6f5902ac237024bdd0c176cb93063dc4\n"
      "\n";
  ASSERT_EQ(result->text.substr(0, expected_prefix.size()), expected_prefix);
  const std::string tail = result->text.substr(expected_prefix.size());
  EXPECT_TRUE(std::regex_match(tail, std::regex("Global response time for \\[/index\\.html\\] = "
                                                "[0-9]+ usecs\n")))
      << tail;
}

TEST_F(GenhashFetch, FailuresSayWhyAndExitOne) {
  const auto result = with_server(behave(ServerMode::Close), [](auto port) {
    return genhash(*parse({"-s", "127.0.0.1", "-p", std::to_string(port), "-u", "/"}));
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "connection closed without a response");

  const int code = with_server(behave(ServerMode::Silent), [](auto port) {
    return genhash_main({"-s", "127.0.0.1", "-p", std::to_string(port), "-u", "/", "-t", "1"});
  });
  EXPECT_EQ(code, 1);
  EXPECT_EQ(genhash_main({"-s", "127.0.0.1"}), 1);
  EXPECT_EQ(genhash_main({"-h"}), 1);  // as keepalived
}

}  // namespace
}  // namespace halo::check
