// What UDP_CHECK and DNS_CHECK share: one datagram to the target over a connected UDP socket
// (the target's options applied), then the datagrams that come back until the derived session
// gives its verdict. An ICMP port unreachable fails the receive, so it fails the attempt.
#pragma once

#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "check/socket_setup.h"

namespace halo::check::detail {

class DatagramSession : public ProbeSession {
 protected:
  // `reply_capacity`: the longest datagram the session reads whole; a longer one is cut there.
  DatagramSession(boost::asio::io_context& io, Target target, std::size_t reply_capacity);

  struct Send {
    std::vector<std::uint8_t> datagram;
    // "the query" makes a failed send "cannot send the query: ...".
    std::string what;
    // IP_RECVERR / IPV6_RECVERR: ICMP host and network unreachable fail the receive too,
    // not only port unreachable.
    bool all_icmp_errors = false;
  };
  // Opens and connects the socket, sends, then waits for a reply. Called from start(), after
  // begin(); a failure before the send is delivered through fail_soon().
  void exchange(std::uint64_t generation, Send send);
  // A datagram arrived in the current attempt: finish(), or wait_for_reply() to read the next.
  virtual void on_reply(std::uint64_t generation, std::span<const std::uint8_t> reply) = 0;
  void wait_for_reply(std::uint64_t generation);

 private:
  void close_socket() final;

  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::udp::endpoint endpoint_;
  std::vector<std::uint8_t> sent_;  // lives until the send completes
  std::vector<std::uint8_t> reply_;
};

}  // namespace halo::check::detail
