// The daemon's rtnetlink requests: addresses, links and VMAC interfaces (NETLINK_ROUTE).
//
// Requests are synchronous: the kernel handles an rtnetlink request in the sendmsg() call and
// the ack is waiting when recv() runs, so a blocking round trip costs microseconds and keeps
// "add the VIPs, then send the gratuitous ARPs" in order without callbacks. Every request asks
// for an ack and checks its sequence number; the kernel's extended ack text goes into the
// error. Messages are built and parsed by net/netlink_address (pure, unit-tested) and libmnl.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"
#include "net/arp.h"
#include "net/netlink_address.h"

namespace halo::net {

// What the daemon needs to know about a link (RTM_NEWLINK).
struct LinkInfo {
  std::uint32_t ifindex = 0;
  std::string name;
  bool admin_up = false;  // IFF_UP
  bool running = false;   // IFF_RUNNING: carrier and operationally up
  MacAddress mac;         // IFLA_ADDRESS (zero when the link has none)
  std::uint32_t mtu = 0;
  std::string kind;                // IFLA_INFO_KIND: "veth", "macvlan", "bridge", ... ("" if none)
  std::uint32_t link_ifindex = 0;  // IFLA_LINK: a macvlan's parent (0 if none)

  bool up() const { return admin_up && running; }
  friend bool operator==(const LinkInfo&, const LinkInfo&) = default;
};

// A VMAC: a macvlan interface on `parent` with the VRRP virtual MAC (keepalived `use_vmac`).
struct MacvlanRequest {
  std::string name;  // e.g. "vrrp.51"
  std::uint32_t parent_ifindex = 0;
  MacAddress mac;
  bool bridge_mode = false;  // MACVLAN_MODE_BRIDGE; default MACVLAN_MODE_PRIVATE like keepalived
};

class Rtnetlink {
 public:
  static Result<Rtnetlink> open();
  Rtnetlink(Rtnetlink&& other) noexcept;
  Rtnetlink& operator=(Rtnetlink&& other) noexcept;
  ~Rtnetlink();

  // RTM_NEWADDR (NLM_F_REPLACE when `replace`: renews the lifetime of an address that is
  // there and adds it if it is not).
  Result<void> add_address(const AddressRequest& request, bool replace);
  // RTM_DELADDR. true: removed; false: it was not there (EADDRNOTAVAIL), not an error.
  Result<bool> delete_address(const AddressRequest& request);
  // Every address of `family` on every link (RTM_GETADDR dump).
  Result<std::vector<AddressMessage>> addresses(Family family);

  Result<std::optional<LinkInfo>> link(std::string_view name);
  Result<std::optional<LinkInfo>> link(std::uint32_t ifindex);
  Result<std::vector<LinkInfo>> links();  // RTM_GETLINK dump

  // Creates the macvlan and sets it up; returns its ifindex.
  Result<std::uint32_t> add_macvlan(const MacvlanRequest& request);
  // RTM_DELLINK. true: removed; false: no such link.
  Result<bool> delete_link(std::uint32_t ifindex);

  int fd() const { return fd_; }

 private:
  explicit Rtnetlink(int fd);
  int fd_ = -1;
  std::uint32_t seq_ = 0;
  std::uint32_t port_id_ = 0;
};

}  // namespace halo::net
