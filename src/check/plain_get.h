// One GET over plain TCP (url_get.h), for HTTP_GET and genhash: a raw non-blocking socket that the
// SocketWatcher (socket_watcher.h) watches as a stream, driven by a small state machine
// (connecting, sending the request, reading the response).
//
// Why not an Asio socket and a coroutine, as SSL_GET has: a check is a connection, a
// 100-byte request and a short response, thousands of times a second. On Asio it cost three
// coroutine frames, a socket and its reactor registration, an ioctl, two epoll_ctl, a poll
// and a getsockopt per check, and one loop wake-up per completion. Here it is one socket
// option, connect, one epoll_ctl, send, recv and the reset, on a socket the SocketWatcher
// keeps for reuse (socket_watcher.h); the sockets that become ready in the same loop turn come
// back in one epoll_wait.
//
// Closing: with a RST, like TCP_CHECK (tcp_probe.cc): once the response is read there is
// nothing left to say, and a reset leaves no TIME_WAIT or LAST_ACK on either side at thousands
// of checks a second. keepalived closes with a FIN; a server sees the same request and the
// same end of the exchange either way.
#pragma once

#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "check/check_socket.h"
#include "check/http_response.h"
#include "check/url_get.h"

namespace halo::check::detail {

class PlainGet final : public UrlGet, private SocketWatcher::Client {
 public:
  explicit PlainGet(boost::asio::io_context& io);
  ~PlainGet() override;

  Result<void> start(const HttpFetch& fetch, std::string_view request, Owner& owner) override;
  void stop() override;
  std::string timeout_reason(Duration limit) const override;

 private:
  enum class Stage { Idle, Connecting, Sending, Receiving };

  void on_socket_ready(std::uint32_t events) override;
  // Sends what is left of the request: true once all is sent; false to wait for the next
  // writable edge, or after a failure (already reported).
  bool send_request();
  void receive();
  void end(Result<HttpResponse> response);

  CheckSocket socket_;
  Stage stage_ = Stage::Idle;
  std::string_view unsent_;
  std::optional<ResponseReader> reader_;
  Owner* owner_ = nullptr;
};

}  // namespace halo::check::detail
