// The metrics listener: a minimal HTTP/1.1 server on the daemon's event loop that answers
// `GET /metrics` (and HEAD) with the Prometheus text and anything else with 404 (405 for other
// methods, 400 for a malformed request line, 431 for a head over the limit).
// Off unless `metrics_listen` is configured.
//
// Bounded like the control socket (L5): at most `max_connections` at once (the oldest is
// closed to admit a new one), a request head of at most 8 KiB read within `timeout`, the reply
// written within `timeout`, one request per connection (Connection: close). A scraper that
// stalls holds its own slot until its timeout and nothing else.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/ip_address.h"
#include "common/result.h"

namespace halo::metrics {

struct HttpLimits {
  std::size_t max_connections = 16;
  std::chrono::milliseconds timeout{5000};
  std::size_t max_request_bytes = 8192;
};

class HttpServer {
 public:
  using Body = std::function<std::string()>;  // the /metrics body, built per scrape

  // Binds and listens on address:port (port 0: any, see port()).
  static Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io,
                                                   const IpAddress& address, std::uint16_t port,
                                                   Body body, HttpLimits limits = {});
  virtual ~HttpServer() = default;
  virtual std::uint16_t port() const = 0;
  virtual std::uint64_t scrapes() const = 0;
  // Closes the listener and every connection. The destructor stops too; destroy the server
  // before its io_context.
  virtual void stop() = 0;
};

}  // namespace halo::metrics
