// Sending gratuitous ARPs and unsolicited neighbour advertisements for virtual addresses, and
// listening to ARP for another host answering for one of them (split brain, design §2 L6).
//
// The frames and messages are built by net/arp and net/ndisc; this file only moves bytes:
// ARP on an AF_PACKET socket (the frame is complete, Ethernet header included), NAs on a raw
// ICMPv6 socket (the kernel fills in the checksum; hop limit 255, link-local source).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "common/ip_address.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "net/arp.h"
#include "net/ndisc.h"

namespace halo::net {

// One per daemon: sends on any interface by index.
class AnnounceSocket {
 public:
  static Result<std::unique_ptr<AnnounceSocket>> open();
  ~AnnounceSocket();
  AnnounceSocket(const AnnounceSocket&) = delete;
  AnnounceSocket& operator=(const AnnounceSocket&) = delete;

  // A gratuitous ARP for `vip` at `mac` out of `ifindex`.
  Result<void> send_garp(std::uint32_t ifindex, const IpAddress& vip, const MacAddress& mac);
  // An unsolicited NA for `vip` at `mac` to ff02::1 out of `ifindex`, from `source` (a
  // link-local address of that interface), with the Router flag as given.
  Result<void> send_unsolicited_na(std::uint32_t ifindex, const IpAddress& vip,
                                   const MacAddress& mac, const IpAddress& source, bool router);

 private:
  AnnounceSocket(UniqueFd arp_fd, UniqueFd icmpv6_fd);
  UniqueFd arp_fd_;
  UniqueFd icmpv6_fd_;  // invalid when the host has IPv6 off
};

// Receives the ARP frames seen on one interface (requests and replies, from other hosts).
class ArpListener {
 public:
  using Handler = std::function<void(const ArpPacket&)>;

  static Result<std::unique_ptr<ArpListener>> open(boost::asio::io_context& io,
                                                   std::uint32_t ifindex);
  ~ArpListener();
  ArpListener(const ArpListener&) = delete;
  ArpListener& operator=(const ArpListener&) = delete;

  // `handler` runs on the io_context's thread for every valid ARP frame (malformed ones are
  // counted in rejected()), until the listener is destroyed (never after). Call once.
  void start(Handler handler);
  const ArpRejectCounters& rejected() const { return rejected_; }
  // recvfrom failures other than EINTR/EAGAIN (the loop goes on).
  std::uint64_t receive_errors() const { return receive_errors_; }

 private:
  struct Impl;
  explicit ArpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  ArpRejectCounters rejected_;
  std::uint64_t receive_errors_ = 0;
};

// Receives the Neighbor Advertisements arriving on one interface: the IPv6 counterpart of the
// ArpListener, for another host claiming one of our IPv6 addresses.
class NaListener {
 public:
  using Handler = std::function<void(const NeighborAdvert&)>;

  static Result<std::unique_ptr<NaListener>> open(boost::asio::io_context& io,
                                                  std::uint32_t ifindex);
  ~NaListener();
  NaListener(const NaListener&) = delete;
  NaListener& operator=(const NaListener&) = delete;

  // `handler` runs on the io_context's thread for every well-formed advertisement (others are
  // counted in malformed()), until the listener is destroyed (never after). Call once.
  void start(Handler handler);
  std::uint64_t malformed() const { return malformed_; }
  std::uint64_t receive_errors() const { return receive_errors_; }

 private:
  struct Impl;
  explicit NaListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::uint64_t malformed_ = 0;
  std::uint64_t receive_errors_ = 0;
};

}  // namespace halo::net
