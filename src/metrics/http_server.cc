// The metrics listener: just enough HTTP/1.1 for a Prometheus scraper, and bounded.
//
// One request per connection. A connection lives in the server's list from accept to close;
// each has one deadline timer, armed at accept for reading the request head and re-armed for
// writing the reply, whose expiry closes the socket (which fails the pending read or write,
// whose handler then finds the connection closed). When the list is full the oldest
// connection is closed to admit a newcomer: a scraper that stalls holds its own slot until
// its timeout and never locks out the next scrape.
//
// Handlers may still be queued after stop() or after the server object is gone, so the
// state they touch is shared (std::shared_ptr, the one reason here): each handler holds the
// server state and its connection alive until it has run with operation_aborted.
#include "metrics/http_server.h"

#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <list>

namespace halo::metrics {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

asio::ip::address to_asio(const IpAddress& a) {
  if (a.is_v4()) {
    asio::ip::address_v4::bytes_type b{};
    std::copy_n(a.bytes().begin(), 4, b.begin());
    return asio::ip::address_v4(b);
  }
  asio::ip::address_v6::bytes_type b{};
  std::copy_n(a.bytes().begin(), 16, b.begin());
  return asio::ip::address_v6(b);
}

std::string response(std::string_view status, std::string_view content_type, std::string_view body,
                     bool head_only = false, std::string_view extra_headers = {}) {
  return fmt::format(
      "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n{}",
      status, content_type, body.size(), extra_headers, head_only ? std::string_view{} : body);
}

std::string plain(std::string_view status, std::string_view text,
                  std::string_view extra_headers = {}) {
  return response(status, "text/plain; charset=utf-8", fmt::format("{}\n", text), false,
                  extra_headers);
}

struct State;

struct Connection {
  Connection(tcp::socket s, asio::io_context& io) : socket(std::move(s)), deadline(io) {}
  tcp::socket socket;
  asio::steady_timer deadline;
  std::string head;
  std::array<char, 1024> chunk{};
  std::string reply;
  bool closed = false;
  std::list<std::shared_ptr<Connection>>::iterator self;  // in State::connections
};

struct State {
  State(asio::io_context& context, HttpServer::Body b, HttpLimits l)
      : io(context), acceptor(context), retry(context), body(std::move(b)), limits(l) {}
  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::steady_timer retry;  // after an accept error (EMFILE): breathe before trying again
  HttpServer::Body body;
  HttpLimits limits;
  std::list<std::shared_ptr<Connection>> connections;  // oldest first
  std::uint64_t scrapes = 0;
  bool stopped = false;
};

// `c` by value: the list's own reference dies in erase().
void close(State& state,
           std::shared_ptr<Connection> c) {  // NOLINT(performance-unnecessary-value-param)
  if (c->closed) return;
  c->closed = true;
  error_code ignored;
  c->deadline.cancel();
  c->socket.shutdown(tcp::socket::shutdown_both, ignored);
  c->socket.close(ignored);
  state.connections.erase(c->self);
}

void arm(const std::shared_ptr<State>& state, const std::shared_ptr<Connection>& c) {
  c->deadline.expires_after(state->limits.timeout);
  c->deadline.async_wait([state, c](const error_code& ec) {
    if (ec == asio::error::operation_aborted) return;  // re-armed or closed
    close(*state, c);
  });
}

// The reply to a complete request head (the request line is its first line).
std::string answer(State& state, std::string_view head) {
  const auto eol = head.find_first_of("\r\n");
  const std::string_view line = head.substr(0, eol);
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || sp1 == 0 ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return plain("400 Bad Request", "bad request");
  }
  const auto method = line.substr(0, sp1);
  auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto version = line.substr(sp2 + 1);
  if (target.empty() || !version.starts_with("HTTP/1.")) {
    return plain("400 Bad Request", "bad request");
  }
  for (const char ch : method) {
    if (ch < 'A' || ch > 'Z') return plain("400 Bad Request", "bad request");
  }
  if (const auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  if (method != "GET" && method != "HEAD") {
    return plain("405 Method Not Allowed", "method not allowed", "Allow: GET, HEAD\r\n");
  }
  if (target != "/metrics") return plain("404 Not Found", "not found");
  ++state.scrapes;
  return response("200 OK", kMetricsContentType, state.body(), method == "HEAD");
}

void respond(const std::shared_ptr<State>& state, const std::shared_ptr<Connection>& c,
             std::string reply) {
  c->reply = std::move(reply);
  arm(state, c);  // the reply gets its own `timeout` to be written
  asio::async_write(c->socket, asio::buffer(c->reply),
                    [state, c](const error_code&, std::size_t) { close(*state, c); });
}

void read(const std::shared_ptr<State>& state, const std::shared_ptr<Connection>& c) {
  c->socket.async_read_some(
      asio::buffer(c->chunk), [state, c](const error_code& ec, std::size_t n) {
        if (c->closed) return;
        if (ec) {
          close(*state, c);  // the peer went away (or the deadline closed the socket)
          return;
        }
        const auto old_size = c->head.size();
        c->head.append(c->chunk.data(), n);
        // The head ends at an empty line (a bare \n is tolerated, RFC 9112 §2.2).
        auto end = c->head.find("\r\n\r\n", old_size > 3 ? old_size - 3 : 0);
        if (end == std::string::npos) end = c->head.find("\n\n", old_size > 1 ? old_size - 1 : 0);
        if (end == std::string::npos) {
          if (c->head.size() >= state->limits.max_request_bytes) {
            respond(state, c, plain("431 Request Header Fields Too Large", "request too large"));
            return;
          }
          read(state, c);
          return;
        }
        if (end >= state->limits.max_request_bytes) {
          respond(state, c, plain("431 Request Header Fields Too Large", "request too large"));
          return;
        }
        respond(state, c, answer(*state, std::string_view(c->head).substr(0, end)));
      });
}

void accept(const std::shared_ptr<State>& state) {
  state->acceptor.async_accept([state](const error_code& ec, tcp::socket socket) {
    if (state->stopped || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of fds or memory: try again shortly rather than spinning on the error.
      state->retry.expires_after(std::chrono::milliseconds(100));
      state->retry.async_wait([state](const error_code& e) {
        if (!e && !state->stopped) accept(state);
      });
      return;
    }
    const auto limit = std::max<std::size_t>(1, state->limits.max_connections);
    while (state->connections.size() >= limit) {
      close(*state, state->connections.front());  // the oldest makes room
    }
    auto c = std::make_shared<Connection>(std::move(socket), state->io);
    state->connections.push_back(c);
    c->self = std::prev(state->connections.end());
    arm(state, c);
    read(state, c);
    accept(state);
  });
}

class Server final : public HttpServer {
 public:
  explicit Server(std::shared_ptr<State> state) : state_(std::move(state)) {}
  ~Server() override { stop(); }
  std::uint16_t port() const override { return port_; }
  std::uint64_t scrapes() const override { return state_->scrapes; }
  void stop() override {
    if (state_->stopped) return;
    state_->stopped = true;
    error_code ignored;
    state_->acceptor.close(ignored);
    state_->retry.cancel();
    while (!state_->connections.empty()) close(*state_, state_->connections.front());
  }
  void set_port(std::uint16_t port) { port_ = port; }

 private:
  std::shared_ptr<State> state_;
  std::uint16_t port_ = 0;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(asio::io_context& io,
                                                      const IpAddress& address, std::uint16_t port,
                                                      Body body, HttpLimits limits) {
  auto state = std::make_shared<State>(io, std::move(body), limits);
  const tcp::endpoint endpoint(to_asio(address), port);
  const auto where = address.is_v4() ? fmt::format("{}:{}", address.to_string(), port)
                                     : fmt::format("[{}]:{}", address.to_string(), port);
  error_code ec;
  auto& acceptor = state->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && address.is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(fmt::format("cannot listen on {} for metrics: {}", where, ec.message()));
  const auto bound = acceptor.local_endpoint(ec);
  if (ec) return fail(fmt::format("cannot listen on {} for metrics: {}", where, ec.message()));
  auto server = std::make_unique<Server>(state);
  server->set_port(bound.port());
  accept(state);
  return server;
}

}  // namespace halo::metrics
