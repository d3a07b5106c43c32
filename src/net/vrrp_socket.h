// Raw VRRP sockets (IP protocol 112): the daemon's packet I/O for adverts.
//
// One socket per (interface, address family), shared by every VRRP instance on that
// interface: the kernel copies each received datagram to every raw socket that matches, so
// one socket per instance would multiply the work by the number of instances. The VRRP router
// above demultiplexes by VRID. The socket is bound to its interface (SO_BINDTODEVICE), joins
// the multicast groups it is given, never loops its own multicast back, and sets the source
// address and TTL / hop limit per send (IP_PKTINFO / IPV6_PKTINFO), so instances with
// different unicast_src_ip share it too. Checksums are the codec's job on both families
// (no IPV6_CHECKSUM), so a packet with a bad checksum reaches the parser and is counted.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"

namespace halo::net {

struct VrrpSocketOptions {
  Family family = Family::V4;
  // The interface: the socket is bound to it and multicast leaves through it. 0 = not bound
  // (an instance with unicast peers and no interface).
  std::uint32_t ifindex = 0;
  std::string interface_name;
  // Groups to join on the interface (224.0.0.18 / ff02::12, or vrrp_mcast_group4/6).
  std::vector<IpAddress> groups;
  int receive_buffer = 0;  // SO_RCVBUF in bytes; 0 = the kernel's default
};

// One received datagram, valid only during the handler call. IPv4: `bytes` is the whole
// datagram with its IP header (vrrp::parse_ipv4's input). IPv6: the VRRP message, with the
// addresses and hop limit recvmsg reported (vrrp::parse_ipv6's input).
struct VrrpDatagram {
  std::span<const std::uint8_t> bytes;
  IpAddress source;
  IpAddress destination;
  int hop_limit = -1;         // IPv6 (IPV6_HOPLIMIT); -1 for IPv4 (the TTL is in the header)
  std::uint32_t ifindex = 0;  // arrival interface (IP_PKTINFO / IPV6_PKTINFO)
};

class VrrpSocket {
 public:
  using Handler = std::function<void(const VrrpDatagram&)>;

  // Opens, binds and joins; a clear error (with the interface name and errno text) otherwise.
  static Result<std::unique_ptr<VrrpSocket>> open(boost::asio::io_context& io,
                                                  VrrpSocketOptions options);
  ~VrrpSocket();
  VrrpSocket(const VrrpSocket&) = delete;
  VrrpSocket& operator=(const VrrpSocket&) = delete;

  // Starts receiving: `handler` runs on the io_context's thread for every datagram, until the
  // socket is destroyed (never after). Receive errors other than EINTR/EAGAIN are counted in
  // receive_errors() and the loop goes on. Call once.
  void start(Handler handler);

  // Sends one VRRP message (vrrp::build's output) from `source` (an address of this host) to
  // `destination` (a group or a unicast peer) with TTL / hop limit `ttl`. Non-blocking; a
  // full socket buffer or an unreachable peer is an error for the caller to count.
  Result<void> send(std::span<const std::uint8_t> message, const IpAddress& source,
                    const IpAddress& destination, std::uint8_t ttl = 255);

  std::uint32_t ifindex() const { return options_.ifindex; }
  Family family() const { return options_.family; }
  std::uint64_t receive_errors() const { return receive_errors_; }

 private:
  struct Impl;
  VrrpSocket(std::unique_ptr<Impl> impl, VrrpSocketOptions options);

  std::unique_ptr<Impl> impl_;
  VrrpSocketOptions options_;
  std::uint64_t receive_errors_ = 0;
};

}  // namespace halo::net
