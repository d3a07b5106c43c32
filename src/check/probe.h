// One attempt of a health check: connect, ask, judge. Every kind of checker that talks to a
// real server (TCP, HTTP/SSL, SMTP, DNS, UDP, PING) and MISC_CHECK's script is a Probe; the
// Checker (checker.h) decides when to run it and what its verdicts mean over time.
//
// A probe is asynchronous on the daemon's one io_context: start() returns at once and `done`
// runs later, exactly once, on the io_context's thread, unless cancel() was called first (then
// never). A probe never blocks the loop, whatever the server does (accepts and never answers,
// answers garbage, resets): each is a failure with its own reason, and every attempt ends by
// `Target::connect_timeout` at the latest (MISC_CHECK: by its misc_timeout). A probe may be
// started again after its previous attempt finished or was cancelled.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "check/outcome.h"

namespace halo::check {

using Duration = std::chrono::microseconds;

// Where and how a network probe connects; the wiring resolves keepalived's inheritance
// (checker -> real server -> virtual server) before it builds one.
struct Target {
  boost::asio::ip::address address;  // connect_ip, else the real server's address
  std::uint16_t port = 0;            // connect_port, else the real server's port
  std::optional<boost::asio::ip::address> bind_address;  // bindto
  std::uint16_t bind_port = 0;                           // 0: any
  std::string bind_interface;                            // bind_if (SO_BINDTODEVICE); "": none
  std::optional<std::uint32_t> fwmark;                   // SO_MARK
  Duration connect_timeout = std::chrono::seconds(5);    // bounds the whole attempt

  // "192.0.2.10:80", "[2001:db8::10]:80": for logs, dumps and events.
  std::string text() const;
};

class Probe {
 public:
  using Done = std::function<void(Outcome)>;

  virtual ~Probe() = default;  // cancels an attempt in progress
  Probe() = default;
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  virtual void start(Done done) = 0;
  // Stops the attempt in progress, if any; its `done` never runs. Idempotent.
  virtual void cancel() = 0;
  // "TCP_CHECK", "HTTP_GET", "SSL_GET", "SMTP_CHECK", "DNS_CHECK", "UDP_CHECK",
  // "PING_CHECK", "MISC_CHECK": keepalived's names, for dumps and haloctl.
  virtual std::string_view kind() const = 0;
};

}  // namespace halo::check
