// What the network probe tests share: running one attempt to its verdict on the test's
// io_context, and small servers that live on the same io_context (a TCP server that
// converses line by line, stays silent, answers garbage or resets; a UDP answerer), so a
// test is one thread and deterministic. Used inside a NetnsSandbox only.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check/probe.h"

namespace halo::check::probe_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

inline Target make_target(const std::string& address, std::uint16_t port,
                          Duration timeout = std::chrono::milliseconds(500)) {
  Target t;
  t.address = asio::ip::make_address(address);
  t.port = port;
  t.connect_timeout = timeout;
  return t;
}

struct Attempt {
  std::optional<Outcome> outcome;
  int calls = 0;
  std::chrono::milliseconds elapsed{0};
  bool called_inside_start = false;
};

// Starts `probe` and runs the loop until its verdict (or `limit`). Counts the calls of
// `done`, and notes one that came from inside start() (the contract forbids it).
inline Attempt run_probe(asio::io_context& io, Probe& probe,
                         std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto run = std::make_shared<Attempt>();
  auto in_start = std::make_shared<bool>(true);
  const auto begin = std::chrono::steady_clock::now();
  probe.start([run, in_start, begin](Outcome o) {
    ++run->calls;
    if (*in_start) run->called_inside_start = true;
    run->elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - begin);
    run->outcome = std::move(o);
  });
  *in_start = false;
  io.restart();
  const auto end = begin + limit;
  while (!run->outcome && std::chrono::steady_clock::now() < end) io.run_one_until(end);
  // Let stale completions run: a second call of `done` would show here.
  io.restart();
  io.poll();
  return *run;
}

// Two test networks in the sandbox: 198.51.100.0/25 through a veth link whose neighbour is a
// MAC nobody has, so packets leave and nothing answers (a timeout; this kernel has no dummy
// links), and 198.51.100.128/25, an unreachable route (the kernel refuses at once).
inline bool add_silent_and_unreachable_nets() {
  return std::system(  // NOLINT(cert-env33-c): test set-up only
             "ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up && "
             "ip addr add 198.51.100.1/25 dev v0 && "
             "ip neigh add 198.51.100.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent && "
             "ip route add unreachable 198.51.100.128/25") == 0;
}

// Runs the loop for `d` (nothing is expected to finish).
inline void run_for(asio::io_context& io, std::chrono::milliseconds d) {
  io.restart();
  io.run_for(d);
}

// A TCP server on the test's io_context. On each connection: writes `greeting` (if any),
// then for each line received writes respond(line); a reply "<RESET>" aborts the connection
// with a RST, "" writes nothing. Connections are kept open until the server dies.
class TcpServer {
 public:
  using Respond = std::function<std::string(const std::string&)>;

  TcpServer(asio::io_context& io, const asio::ip::tcp::endpoint& at, std::string greeting,
            Respond respond = nullptr)
      : acceptor_(io, at), greeting_(std::move(greeting)), respond_(std::move(respond)) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  const std::vector<asio::ip::tcp::endpoint>& peers() const { return peers_; }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  struct Conn {
    explicit Conn(asio::io_context& io) : socket(io) {}
    asio::ip::tcp::socket socket;
    asio::streambuf in;
  };

  void accept() {
    auto conn =
        std::make_shared<Conn>(static_cast<asio::io_context&>(acceptor_.get_executor().context()));
    acceptor_.async_accept(conn->socket, [this, conn](boost::system::error_code ec) {
      if (ec) return;
      boost::system::error_code ignored;
      peers_.push_back(conn->socket.remote_endpoint(ignored));
      conns_.push_back(conn);
      write(conn, greeting_);
      accept();
    });
  }

  void write(const std::shared_ptr<Conn>& conn, const std::string& text) {
    if (text == "<RESET>") {
      const linger reset{1, 0};
      setsockopt(conn->socket.native_handle(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      boost::system::error_code ignored;
      conn->socket.close(ignored);
      return;
    }
    auto data = std::make_shared<std::string>(text);
    asio::async_write(conn->socket, asio::buffer(*data),
                      [this, conn, data](boost::system::error_code ec, std::size_t) {
                        if (!ec) read(conn);
                      });
  }

  void read(const std::shared_ptr<Conn>& conn) {
    asio::async_read_until(
        conn->socket, conn->in, '\n', [this, conn](boost::system::error_code ec, std::size_t n) {
          if (ec) return;
          std::string line(asio::buffers_begin(conn->in.data()),
                           asio::buffers_begin(conn->in.data()) + static_cast<std::ptrdiff_t>(n));
          conn->in.consume(n);
          lines_.push_back(line);
          const std::string reply = respond_ ? respond_(line) : "";
          if (reply.empty()) return read(conn);
          write(conn, reply);
        });
  }

  asio::ip::tcp::acceptor acceptor_;
  std::string greeting_;
  Respond respond_;
  std::vector<std::shared_ptr<Conn>> conns_;
  std::vector<asio::ip::tcp::endpoint> peers_;
  std::vector<std::string> lines_;
};

// A UDP server on the test's io_context: answers each datagram with respond(datagram), or
// not at all when that is nullopt.
class UdpServer {
 public:
  using Bytes = std::vector<std::uint8_t>;
  using Respond = std::function<std::optional<Bytes>(const Bytes&)>;

  UdpServer(asio::io_context& io, const asio::ip::udp::endpoint& at, Respond respond)
      : socket_(io, at), respond_(std::move(respond)), buffer_(65536) {
    receive();
  }
  std::uint16_t port() const { return socket_.local_endpoint().port(); }
  const std::vector<Bytes>& received() const { return received_; }

 private:
  void receive() {
    socket_.async_receive_from(
        asio::buffer(buffer_), from_, [this](boost::system::error_code ec, std::size_t n) {
          if (ec) return;
          Bytes datagram(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
          received_.push_back(datagram);
          if (auto reply = respond_(datagram)) {
            boost::system::error_code ignored;
            socket_.send_to(asio::buffer(*reply), from_, 0, ignored);
          }
          receive();
        });
  }

  asio::ip::udp::socket socket_;
  Respond respond_;
  Bytes buffer_;
  asio::ip::udp::endpoint from_;
  std::vector<Bytes> received_;
};

}  // namespace halo::check::probe_test
