// The metrics listener against real sockets on 127.0.0.1, inside a network namespace of the
// test's own (NetnsSandbox): the server runs its io_context on a thread, the test is a plain
// blocking client.
#include "metrics/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <filesystem>
#include <future>
#include <thread>

#include "support/netns_sandbox.h"

namespace halo::metrics {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0) << errno;
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Everything the server sends until it closes, or until `limit` has passed.
std::string read_until_closed(int fd, std::chrono::milliseconds limit = 3000ms) {
  std::string out;
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(1, left.count()))) <= 0) continue;
    char buf[4096];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// True once the server has closed `fd`'s connection (EOF or reset), false at `limit`.
bool closed_within(int fd, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10) <= 0) continue;
    char buf[4096];
    const auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return true;
  }
  return false;
}

class HttpServerTest : public halo::testing::NetnsSandbox {
 protected:
  void start(HttpLimits limits = {}) {
    auto server = HttpServer::start(
        io_, *IpAddress::parse("127.0.0.1"), 0, [this] { return body_; }, limits);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    port_ = server_->port();
    ASSERT_NE(port_, 0);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }
  std::string request(std::string_view text) {
    const int fd = connect_to(port_);
    EXPECT_TRUE(send_all(fd, text));
    auto reply = read_until_closed(fd);
    ::close(fd);
    return reply;
  }
  // Runs f on the io thread and waits for its result.
  template <typename F>
  auto on_io_thread(F f) {
    std::promise<decltype(f())> p;
    boost::asio::post(io_, [&] { p.set_value(f()); });
    return p.get_future().get();
  }
  std::uint64_t scrapes() {
    // The counter belongs to the io thread: read it there.
    return on_io_thread([this] { return server_->scrapes(); });
  }
  // Open descriptors, counted on the io thread while the test thread waits: nothing else runs
  // then. Counted from the test thread, the count can catch a pipe the sanitizers' runtime
  // opens and closes for a moment in the io thread (UBSan's vptr check probes memory that way
  // the first time it meets a type).
  std::size_t quiet_open_fds() {
    return on_io_thread([] { return open_fds(); });
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::string body_ = "# HELP halo_x X.\n# TYPE halo_x gauge\nhalo_x 1\n";
};

TEST_F(HttpServerTest, ScrapeGetsTheBodyWithPrometheusHeaders) {
  start();
  const auto reply = request("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(reply,
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            "Content-Length: " +
                std::to_string(body_.size()) +
                "\r\n"
                "Connection: close\r\n\r\n" +
                body_);
  EXPECT_TRUE(request("GET /metrics?x=1 HTTP/1.0\r\n\r\n").starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(scrapes(), 2u);
}

TEST_F(HttpServerTest, OtherPathsMethodsAndGarbage) {
  start();
  EXPECT_TRUE(request("GET / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_TRUE(request("GET /metricsx HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 "));
  const auto post = request("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(post.starts_with("HTTP/1.1 405 Method Not Allowed\r\n")) << post;
  EXPECT_NE(post.find("Allow: GET, HEAD\r\n"), std::string::npos);
  EXPECT_TRUE(request("hello\r\n\r\n").starts_with("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_TRUE(request("GET /metrics\r\n\r\n").starts_with("HTTP/1.1 400 "));
  EXPECT_TRUE(request("GET /metrics SPDY/3\r\n\r\n").starts_with("HTTP/1.1 400 "));
  EXPECT_TRUE(request(std::string("\x16\x03\x01\x02\x00\x01\n\n", 8)).starts_with("HTTP/1.1 400 "));
  const auto head = request("HEAD /metrics HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;  // the headers only
  EXPECT_EQ(scrapes(), 1u);
}

TEST_F(HttpServerTest, SilentClientIsClosedAtTheTimeout) {
  start({.max_connections = 4, .timeout = 300ms});
  const int fd = connect_to(port_);
  const auto t0 = Clock::now();
  EXPECT_TRUE(closed_within(fd, 3000ms));
  const auto took = Clock::now() - t0;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 1500ms);
  ::close(fd);
}

TEST_F(HttpServerTest, TricklingClientIsCutAtTheTimeoutNotKeptAliveByItsBytes) {
  start({.max_connections = 4, .timeout = 400ms});
  const int fd = connect_to(port_);
  const auto t0 = Clock::now();
  bool closed = false;
  const std::string_view head = "GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  for (std::size_t i = 0; !closed && Clock::now() - t0 < 3s; ++i) {
    if (!send_all(fd, head.substr(i % head.size(), 1))) break;
    closed = closed_within(fd, 40ms);
  }
  const auto took = Clock::now() - t0;
  EXPECT_TRUE(closed || closed_within(fd, 100ms));
  EXPECT_LT(took, 1500ms);
  ::close(fd);
}

TEST_F(HttpServerTest, SlowlorisBeyondTheHeadLimitIsCut) {
  start({.max_connections = 4, .timeout = 5000ms});
  const int fd = connect_to(port_);
  const auto t0 = Clock::now();
  ASSERT_TRUE(send_all(fd, "GET /metrics HTTP/1.1\r\nX-Long: "));
  std::size_t sent = 0;
  bool closed = false;
  while (!closed && sent < 64 * 1024) {  // one byte per send(2), never an empty line
    if (!send_all(fd, "a")) break;
    ++sent;
    if (sent % 256 == 0) closed = closed_within(fd, 1ms);
  }
  const auto reply = read_until_closed(fd, 2000ms);
  EXPECT_LT(Clock::now() - t0, 4000ms) << "cut by the size limit, not the timeout";
  EXPECT_LT(sent, 64u * 1024u) << "the server kept reading";
  // The answer, when the reset does not overtake it: 431.
  if (!reply.empty()) {
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 431 ")) << reply;
  }
  ::close(fd);
}

TEST_F(HttpServerTest, MaxConnectionsEvictsTheOldestAndAScrapeStillWorks) {
  start({.max_connections = 4, .timeout = 5000ms});
  std::vector<int> idle;
  for (int i = 0; i < 10; ++i) idle.push_back(connect_to(port_));
  // Accepted in order; the scrape is accepted after all of them.
  const auto reply = request("GET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 OK\r\n")) << reply;
  // 10 idle + the scrape against 4 slots: the 7 oldest made room.
  for (int i = 0; i < 7; ++i) EXPECT_TRUE(closed_within(idle[i], 1000ms)) << i;
  for (int i = 7; i < 10; ++i) EXPECT_FALSE(closed_within(idle[i], 100ms)) << i;
  for (const int fd : idle) ::close(fd);
}

TEST_F(HttpServerTest, NoFdLeaks) {
  start({.max_connections = 3, .timeout = 200ms});
  const auto after_start = quiet_open_fds();
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(request("GET /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200 "));
    EXPECT_TRUE(request("GET /nope HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 "));
    std::vector<int> idle;
    for (int i = 0; i < 6; ++i) idle.push_back(connect_to(port_));  // 3 evicted, 3 time out
    const int half = connect_to(port_);
    send_all(half, "GET /met");
    ::close(half);  // gone mid-request
    for (const int fd : idle) {
      EXPECT_TRUE(closed_within(fd, 2000ms));
      ::close(fd);
    }
  }
  // The server's side of every connection is closed once its handlers have run.
  const auto deadline = Clock::now() + 2s;
  while (quiet_open_fds() != after_start && Clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(quiet_open_fds(), after_start);
  // And stop() closes the listener: nothing of the server is left.
  std::promise<void> stopped;
  boost::asio::post(io_, [&] {
    server_->stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  EXPECT_LT(quiet_open_fds(), after_start);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port_);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_NE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ::close(fd);
}

TEST_F(HttpServerTest, BusyPortIsAClearError) {
  start();
  boost::asio::io_context other;
  const auto second =
      HttpServer::start(other, *IpAddress::parse("127.0.0.1"), port_, [] { return ""; });
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message, "cannot listen on 127.0.0.1:" + std::to_string(port_) +
                                        " for metrics: Address already in use");
  const auto v6 = HttpServer::start(other, *IpAddress::parse("2001:db8::1"), 0, [] { return ""; });
  ASSERT_FALSE(v6);
  EXPECT_EQ(v6.error().message,
            "cannot listen on [2001:db8::1]:0 for metrics: Cannot assign requested address");
}

}  // namespace
}  // namespace halo::metrics
