// Kernel notifications about links and addresses (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
// RTNLGRP_IPV6_IFADDR) delivered on the event loop: an interface going down puts its VRRP
// instances in FAULT; an address another program removed is noticed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "common/result.h"
#include "net/netlink_address.h"
#include "net/netlink_link.h"

namespace halo::net {

class LinkMonitor {
 public:
  struct Handlers {
    // A link appeared or changed (RTM_NEWLINK), or disappeared (`removed`, RTM_DELLINK).
    std::function<void(const LinkInfo& link, bool removed)> on_link;
    // An address was added or removed (RTM_NEWADDR / RTM_DELADDR).
    std::function<void(const AddressMessage& address)> on_address;
  };

  // Opens the socket and joins the groups; nothing is read before start().
  static Result<std::unique_ptr<LinkMonitor>> open(boost::asio::io_context& io);
  ~LinkMonitor();
  LinkMonitor(const LinkMonitor&) = delete;
  LinkMonitor& operator=(const LinkMonitor&) = delete;

  // Handlers run on the io_context's thread, until the monitor is destroyed (never after; a
  // handler may destroy the monitor). Malformed messages are counted in malformed(); an
  // ENOBUFS overrun (lost notifications) is counted in overruns() and reported through
  // `on_overrun` so the owner can re-read the state with a dump. Call once.
  void start(Handlers handlers, std::function<void()> on_overrun);

  std::uint64_t malformed() const { return malformed_; }
  std::uint64_t overruns() const { return overruns_; }
  int receive_buffer() const;  // SO_RCVBUF as the kernel reports it (doubled), for tests

 private:
  struct Impl;
  explicit LinkMonitor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::uint64_t malformed_ = 0;
  std::uint64_t overruns_ = 0;
};

}  // namespace halo::net
