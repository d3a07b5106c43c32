// The daemon's rtnetlink requests: addresses, links and VMAC interfaces (NETLINK_ROUTE).
//
// Requests are synchronous: the kernel handles an rtnetlink request in the sendmsg() call and
// the ack is waiting when recv() runs, so a blocking round trip costs microseconds and keeps
// "add the VIPs, then send the gratuitous ARPs" in order without callbacks. Every request asks
// for an ack and checks its sequence number; the kernel's extended ack text goes into the
// error. Messages are built and parsed by net/netlink_address, net/netlink_link and
// net/netlink_route (pure, unit-tested) and libmnl. A receive timeout (1 s) bounds every round
// trip, so a reply that never comes is an error and not a daemon hung in recv().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"
#include "net/arp.h"
#include "net/netlink_address.h"
#include "net/netlink_link.h"
#include "net/netlink_route.h"

namespace halo::net {

class Rtnetlink {
 public:
  static Result<Rtnetlink> open();
  Rtnetlink(Rtnetlink&& other) noexcept;
  Rtnetlink& operator=(Rtnetlink&& other) noexcept;
  ~Rtnetlink();

  // RTM_NEWADDR (NLM_F_REPLACE when `replace`: renews the lifetime of an address that is
  // there and adds it if it is not; without it an address that is there is an error, EEXIST).
  Result<void> add_address(const AddressRequest& request, bool replace);
  // RTM_DELADDR. true: removed; false: it was not there, not an error. "Not there" is
  // EADDRNOTAVAIL, and also ENODEV: the interface is gone and its addresses went with it
  // (a VIP on a VMAC that someone deleted), which is what releasing a VIP wanted.
  Result<bool> delete_address(const AddressRequest& request);
  // Every address of `family` on every link (RTM_GETADDR dump).
  Result<std::vector<AddressMessage>> addresses(Family family);

  // One link (RTM_GETLINK); nullopt when there is no such link (ENODEV), or when the name
  // cannot be an interface name at all.
  Result<std::optional<LinkInfo>> link(std::string_view name);
  Result<std::optional<LinkInfo>> link(std::uint32_t ifindex);
  Result<std::vector<LinkInfo>> links();  // RTM_GETLINK dump

  // Creates the macvlan, looks its ifindex up by name and sets it up; returns the ifindex.
  // If it cannot be set up it is deleted again, so a failure leaves no half-made VMAC.
  Result<std::uint32_t> add_macvlan(const MacvlanRequest& request);
  // RTM_NEWLINK changing IFF_UP only (`ip link set X up/down`).
  Result<void> set_link_up(std::uint32_t ifindex, bool up);
  // RTM_DELLINK. true: removed; false: no such link.
  Result<bool> delete_link(std::uint32_t ifindex);

  // Routes and rules (keepalived's static_routes / virtual_routes, static_rules /
  // virtual_rules). Adding is idempotent, because a daemon restarted after a crash finds its
  // routes and rules still there and must simply own them again:
  // - add_route sends NLM_F_CREATE (keepalived's `ip route prepend`), or NLM_F_CREATE|
  //   NLM_F_APPEND with request.append. The kernel's EEXIST means that very route (same key,
  //   gateway, protocol, metrics, ...) is already there and counts as success. A different
  //   route with the same key (someone else's) is left alone: ours goes before (or after) it.
  // - add_rule sends NLM_F_CREATE|NLM_F_EXCL (the kernel has no replace for rules, and without
  //   EXCL it would add a second copy) and counts EEXIST (an equal rule is there) as success.
  Result<void> add_route(const RouteRequest& request);
  // RTM_DELROUTE. true: removed; false: no such route (ESRCH), or its interface is gone
  // (ENODEV) and the route with it.
  Result<bool> delete_route(const RouteRequest& request);
  Result<void> add_rule(const RuleRequest& request);
  // RTM_DELRULE. true: removed; false: no such rule (ENOENT).
  Result<bool> delete_rule(const RuleRequest& request);

  int fd() const { return fd_; }

 private:
  // Builds a request with the given sequence number into the buffer (a netlink_* builder).
  using Build = std::function<Result<std::size_t>(std::uint32_t seq, std::span<std::uint8_t>)>;
  // Receives each reply message of the request other than the ack / NLMSG_DONE.
  using OnMessage = std::function<Result<void>(std::span<const std::uint8_t> message)>;
  // The kernel's verdict: 0 or a positive errno, with the extended ack text.
  struct Outcome {
    int error = 0;
    std::string ext_ack;
    bool interrupted = false;  // a dump message had NLM_F_DUMP_INTR
  };

  Rtnetlink(int fd, std::uint32_t port_id);
  // Builds the request with a fresh sequence number, sends it and reads until its ack (for a
  // dump: its NLMSG_DONE), skipping messages of other sequence numbers and of other senders
  // than the kernel. The kernel's errno comes back in Outcome for the caller to word (or
  // accept); failures to build, send, receive or handle a reply are errors, worded with `what`.
  Result<Outcome> round_trip(const Build& build, bool dump, const OnMessage& on_message,
                             const std::string& what);
  // A dump, restarted (up to 3 times) when the kernel marks it inconsistent (NLM_F_DUMP_INTR:
  // the table changed under it); `restart` clears what the previous attempt collected.
  Result<void> dump(const Build& build, const OnMessage& on_message,
                    const std::function<void()>& restart, const std::string& what);
  Result<std::optional<LinkInfo>> get_link(const Build& build, const std::string& what);
  // A request answered by an ack only; the kernel's errno (0 on success) or an error worded
  // with `what` when the request could not be built, sent or answered.
  Result<Outcome> acked(const Build& build, const std::string& what);

  int fd_ = -1;
  std::uint32_t seq_ = 0;
  std::uint32_t port_id_ = 0;
  std::vector<std::uint8_t> buffer_;  // receive buffer
};

}  // namespace halo::net
