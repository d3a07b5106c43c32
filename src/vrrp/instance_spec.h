// What one running VRRP instance needs to know, resolved from the configuration: the global
// defaults applied, the keepalived rules for family, version and strict mode decided, and the
// values converted to the types of the FSM, the GARP schedule and the netlink requests.
//
// Pure (no I/O): the host's facts (interface indexes, the primary address) are looked up by
// the shell when the instance starts, because they can change while the daemon runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/model.h"
#include "net/arp.h"
#include "net/netlink_address.h"
#include "net/netlink_link.h"
#include "track/status.h"
#include "vrrp/fsm.h"
#include "vrrp/garp_schedule.h"
#include "vrrp/packet.h"

namespace halo::vrrp {

// One virtual_ipaddress / virtual_ipaddress_excluded line.
struct VirtualAddress {
  std::string interface;  // `dev`, else the instance's interface
  IpPrefix prefix;
  std::optional<IpAddress> peer;
  std::optional<IpAddress> broadcast;  // resolved `brd` (IPv4)
  std::optional<std::string> label;
  net::AddressScope scope = net::AddressScope::Universe;
  net::AddressFlags flags;
  bool excluded = false;  // not listed in adverts

  friend bool operator==(const VirtualAddress&, const VirtualAddress&) = default;
};

struct UnicastPeer {
  IpAddress address;
  std::optional<std::uint8_t> min_ttl;  // accepted TTL range (keepalived's per-peer check)
  std::optional<std::uint8_t> max_ttl;
  friend bool operator==(const UnicastPeer&, const UnicastPeer&) = default;
};

struct TrackedInterface {
  std::string name;
  int weight = 0;  // 0: down means FAULT
  bool reverse = false;
  friend bool operator==(const TrackedInterface&, const TrackedInterface&) = default;
};

// A track_script / track_process / track_file item of the instance or of its sync group, with
// the weight that applies (the item's own, else the tracker's; 0 in a sync group without
// sync_group_tracking_weight).
struct TrackedItem {
  track::TrackerKind kind = track::TrackerKind::Script;
  std::string name;
  int weight = 0;
  bool reverse = false;
  friend bool operator==(const TrackedItem&, const TrackedItem&) = default;
};

// keepalived `use_vmac`: a macvlan with the VRRP virtual MAC on the instance's interface.
struct VmacSpec {
  std::string name;        // `use_vmac NAME`, else <vmac_prefix>.<VRID>
  net::MacAddress mac;     // 00:00:5e:00:01:VRID (IPv4) / 00:00:5e:00:02:VRID (IPv6) by default
  bool xmit_base = false;  // vmac_xmit_base: adverts on the base interface, not the VMAC
  friend bool operator==(const VmacSpec&, const VmacSpec&) = default;
};

struct InstanceSpec {
  std::string name;
  Family family = Family::V4;
  std::string interface;  // the configured interface ("" with unicast peers only)
  std::optional<VmacSpec> vmac;
  // Where adverts leave and arrive: the VMAC unless vmac_xmit_base, else `interface`.
  std::string advert_interface;

  FsmConfig fsm;  // primary_address is filled in by the shell at start
  GarpConfig garp;
  std::vector<VirtualAddress> addresses;
  std::vector<config::IpRouteItem> routes;  // virtual_routes: added while MASTER
  std::vector<config::IpRuleItem> rules;    // virtual_rules: added while MASTER

  std::optional<IpAddress> source;  // unicast_src_ip / mcast_src_ip; else the interface's
  IpAddress multicast_group;        // with no unicast peers
  std::vector<UnicastPeer> peers;   // unicast when not empty
  std::uint8_t ttl = 255;           // unicast_ttl (multicast is always 255)

  std::string password;  // v2 `auth_type PASS`; empty: none
  bool auth_ah = false;
  // accept / no_accept (RFC 5798 Accept_Mode): without it a non-owner MASTER drops packets to
  // its VIPs (the engine's nftables table); default: accept unless strict mode.
  bool accept = true;  // `auth_type AH`: refused (the engine does not run the instance)
  BuildOptions build;
  ParseOptions parse;
  bool check_advert_addresses = true;  // !skip_check_adv_addr: log a VIP list mismatch

  bool track_own_interface = true;  // !dont_track_primary
  std::vector<TrackedInterface> tracked_interfaces;
  std::vector<TrackedItem> tracked;
  bool notify_priority_changes = false;  // FIFO lines for priority changes
  bool notify_deleted = false;           // DELETED rather than FAULT when a reload removes it
  std::uint32_t vip_lifetime = 0;        // seconds; 0 = forever

  bool unicast() const { return !peers.empty(); }
  friend bool operator==(const InstanceSpec&, const InstanceSpec&) = default;
};

// One address line (virtual_ipaddress, static_ipaddress, ...) resolved: `dev`, else
// `default_interface`.
VirtualAddress virtual_address(const config::IpAddressItem& item,
                               const std::string& default_interface, bool excluded);
// The rtnetlink request that adds `address` on `link`, with a valid and preferred lifetime of
// `lifetime` seconds (0: forever).
net::AddressRequest address_request(const VirtualAddress& address, const net::LinkInfo& link,
                                    std::uint32_t lifetime);

// The instances of `config`, in configuration order. The configuration has been validated
// (config::load), so nothing here can fail.
std::vector<InstanceSpec> instance_specs(const config::Config& config);

// An instance's identity across reloads (design §3): an instance whose identity is unchanged
// keeps its state.
struct InstanceKey {
  std::string interface;
  std::uint8_t vrid = 0;
  Family family = Family::V4;
  friend auto operator<=>(const InstanceKey&, const InstanceKey&) = default;
};
InstanceKey key_of(const InstanceSpec& spec);

}  // namespace halo::vrrp
