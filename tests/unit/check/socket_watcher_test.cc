// The SocketWatcher on real sockets in a fresh network namespace: a connect is reported once
// (EPOLLOUT, or EPOLLERR for a refusal), a callback may forget the other watches of its batch,
// io_context::run() returns once nothing is watched, a stream is reported at each change, and
// an idle socket is reset (a RST) and serves the next connect.
#include "check/socket_watcher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <functional>
#include <string_view>
#include <vector>

#include "support/netns_sandbox.h"

namespace halo::check {
namespace {

struct Recorder final : SocketWatcher::Client {
  std::function<void(std::uint32_t)> on_ready;
  void on_socket_ready(std::uint32_t events) override { on_ready(events); }
};

class SocketWatcherTest : public halo::testing::NetnsSandbox {
 protected:
  // A listener on 127.0.0.1 (its port), or a port nothing listens on (`listen` false).
  std::uint16_t port(bool listen) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t length = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &length);
    if (listen) {
      EXPECT_EQ(::listen(listener_, 128), 0);
    } else {
      ::close(listener_);
      listener_ = -1;
    }
    return ntohs(a.sin_port);
  }

  // A non-blocking socket with a connect to 127.0.0.1:port in progress.
  static int connecting(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    EXPECT_TRUE(rc == 0 || errno == EINPROGRESS);
    return fd;
  }

  void TearDown() override {
    if (listener_ >= 0) ::close(listener_);
    NetnsSandbox::TearDown();
  }

  boost::asio::io_context io_;
  int listener_ = -1;
};

TEST_F(SocketWatcherTest, AConnectIsReportedOnceAndRefusalCarriesTheError) {
  auto& watcher = boost::asio::use_service<SocketWatcher>(io_);
  const std::uint16_t open = port(true);
  const int good = connecting(open);
  const int bad = connecting(port(false));
  std::vector<std::uint32_t> good_events, bad_events;
  Recorder good_client, bad_client;
  good_client.on_ready = [&](std::uint32_t e) { good_events.push_back(e); };
  bad_client.on_ready = [&](std::uint32_t e) { bad_events.push_back(e); };
  ASSERT_TRUE(watcher.watch(good, good_client));
  ASSERT_TRUE(watcher.watch(bad, bad_client));
  EXPECT_EQ(watcher.watching(), 2u);
  io_.run_for(std::chrono::seconds(5));  // returns early: nothing left to watch
  ASSERT_EQ(good_events.size(), 1u);
  EXPECT_EQ(good_events[0] & (EPOLLOUT | EPOLLERR), static_cast<std::uint32_t>(EPOLLOUT));
  ASSERT_EQ(bad_events.size(), 1u);
  EXPECT_NE(bad_events[0] & EPOLLERR, 0u);
  EXPECT_EQ(watcher.watching(), 0u);
  ::close(good);
  ::close(bad);
}

TEST_F(SocketWatcherTest, ACallbackMayForgetTheOtherWatchesOfItsBatch) {
  auto& watcher = boost::asio::use_service<SocketWatcher>(io_);
  const std::uint16_t open = port(true);
  constexpr int kCount = 20;
  std::vector<int> fds;
  std::vector<SocketWatcher::Ticket> tickets;
  std::vector<Recorder> clients(kCount);
  int calls = 0;
  for (int i = 0; i < kCount; ++i) fds.push_back(connecting(open));
  for (int i = 0; i < kCount; ++i) {
    clients[i].on_ready = [&, i](std::uint32_t) {
      ++calls;
      for (int j = 0; j < kCount; ++j) {  // the first one called closes every other
        if (j == i || fds[j] < 0) continue;
        watcher.forget(tickets[j]);
        ::close(fds[j]);
        fds[j] = -1;
      }
    };
    auto ticket = watcher.watch(fds[i], clients[i]);
    ASSERT_TRUE(ticket);
    tickets.push_back(*ticket);
  }
  io_.run_for(std::chrono::seconds(5));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(watcher.watching(), 0u);
  for (const int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
}

TEST_F(SocketWatcherTest, ForgettingTheLastWatchLetsRunReturn) {
  auto& watcher = boost::asio::use_service<SocketWatcher>(io_);
  const int fd = connecting(port(true));
  Recorder client;
  int calls = 0;
  client.on_ready = [&](std::uint32_t) { ++calls; };
  auto ticket = watcher.watch(fd, client);
  ASSERT_TRUE(ticket);
  watcher.forget(*ticket);
  watcher.forget(*ticket);  // idempotent
  watcher.forget(0);
  const auto started = std::chrono::steady_clock::now();
  io_.run();  // would never return while a wait were left in the reactor
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_EQ(calls, 0);
  ::close(fd);
}

TEST_F(SocketWatcherTest, AStreamIsReportedAtEveryChangeUntilForgotten) {
  auto& watcher = boost::asio::use_service<SocketWatcher>(io_);
  const int fd = connecting(port(true));
  Recorder client;
  std::vector<std::uint32_t> events;
  int accepted = -1;
  SocketWatcher::Ticket ticket = 0;
  client.on_ready = [&](std::uint32_t e) {
    events.push_back(e);
    if (events.size() == 1) {
      // Connected: the server answers, and the answer is a change of its own (edge-triggered).
      accepted = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      ASSERT_GE(accepted, 0);
      ASSERT_EQ(::send(accepted, "hello", 5, MSG_NOSIGNAL), 5);
      return;
    }
    std::array<char, 16> buffer{};
    EXPECT_EQ(::recv(fd, buffer.data(), buffer.size(), 0), 5);
    EXPECT_EQ(std::string_view(buffer.data(), 5), "hello");
    watcher.forget(ticket);
  };
  auto watched = watcher.watch(fd, client, SocketWatcher::Mode::Stream);
  ASSERT_TRUE(watched);
  ticket = *watched;
  io_.run_for(std::chrono::seconds(5));  // returns once forgotten
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0] & (EPOLLOUT | EPOLLIN | EPOLLERR), static_cast<std::uint32_t>(EPOLLOUT));
  EXPECT_NE(events[1] & EPOLLIN, 0u);
  EXPECT_EQ(watcher.watching(), 0u);
  ::close(accepted);
  ::close(fd);
}

TEST_F(SocketWatcherTest, AnIdleSocketIsResetAndServesTheNextConnect) {
  auto& watcher = boost::asio::use_service<SocketWatcher>(io_);
  const std::uint16_t open = port(true);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(open);
  Recorder client;
  std::vector<std::uint32_t> events;
  client.on_ready = [&](std::uint32_t e) { events.push_back(e); };

  const int fd = watcher.open_tcp(AF_INET);
  ASSERT_GE(fd, 0);
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    const int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ASSERT_TRUE(rc == 0 || errno == EINPROGRESS);
    ASSERT_TRUE(watcher.watch(fd, client));  // the second time, a re-arm of the same fd
    io_.run_for(std::chrono::seconds(5));
    io_.restart();
    ASSERT_EQ(events.size(), static_cast<std::size_t>(round + 1));
    EXPECT_EQ(events.back() & (EPOLLOUT | EPOLLERR), static_cast<std::uint32_t>(EPOLLOUT));
    const int server = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    ASSERT_GE(server, 0);

    watcher.close_tcp(fd, AF_INET, true);
    EXPECT_EQ(watcher.idle(), 1u);
    // The server's end sees a reset, not a FIN: nothing is left in TIME_WAIT.
    std::array<char, 4> buffer{};
    EXPECT_EQ(::recv(server, buffer.data(), buffer.size(), 0), -1);
    EXPECT_EQ(errno, ECONNRESET);
    ::close(server);
    EXPECT_EQ(watcher.open_tcp(AF_INET), fd);  // the same socket again
    EXPECT_EQ(watcher.idle(), 0u);
  }
  watcher.close_tcp(fd, AF_INET, false);  // not kept: closed
  EXPECT_EQ(watcher.idle(), 0u);
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
}

TEST_F(SocketWatcherTest, AtMostKMaxIdleSocketsAreKept) {
  auto& watcher = boost::asio::use_service<SocketWatcher>(io_);
  std::vector<int> fds;
  for (std::size_t i = 0; i < SocketWatcher::kMaxIdle + 3; ++i) {
    fds.push_back(watcher.open_tcp(AF_INET6));
    ASSERT_GE(fds.back(), 0);
  }
  for (const int fd : fds) watcher.close_tcp(fd, AF_INET6, true);
  EXPECT_EQ(watcher.idle(), SocketWatcher::kMaxIdle);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(::fcntl(fds[fds.size() - 1 - i], F_GETFD), -1);
  EXPECT_GE(watcher.open_tcp(AF_INET), 0);  // another family: a new socket
  EXPECT_EQ(watcher.idle(), SocketWatcher::kMaxIdle);
}

}  // namespace
}  // namespace halo::check
