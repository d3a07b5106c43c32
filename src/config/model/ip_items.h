// One line of static_ipaddress / virtual_ipaddress, static_routes / virtual_routes and
// static_rules / virtual_rules: the `ip address add`, `ip route add` and `ip rule add` syntax
// keepalived accepts there.
//
// The options halo will act on are parsed into typed fields. The line's words are kept as
// written as well (`words`), because the syntax is large (route metrics, encapsulations,
// nexthops, ...) and printing the words back is the one way `--dump-conf` is sure to say
// exactly what the file said. The typed fields are always derived from the words, so two
// items with equal words are equal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ip_address.h"
#include "config/source.h"

namespace halo::config {

// `brd`: an address, or '-' / '+' to clear / set the host bits of the address.
enum class Broadcast : std::uint8_t { None, Address, ClearHostBits, SetHostBits };

// `<IPADDR>[/<MASK>] [brd <IPADDR>|-|+] [dev <STRING>] [scope <SCOPE>] [label <LABEL>]
//  [peer <IPADDR>] [home] [-nodad] [mngtmpaddr] [noprefixroute] [autojoin]
//  [track_group <GROUP>] [no_track] [use_vmac] [preferred_lft <N>|forever]`
struct IpAddressItem {
  static constexpr std::uint32_t kForever = 0xffffffff;

  IpPrefix address;
  bool has_length = false;  // a /MASK was written (otherwise the full width)
  Broadcast broadcast_kind = Broadcast::None;
  IpAddress broadcast;  // with Broadcast::Address
  std::string dev;      // empty: global_defs default_interface
  std::optional<std::uint8_t> scope;
  std::string label;
  std::optional<IpAddress> peer;
  std::optional<std::uint32_t> preferred_lft;  // kForever for "forever"
  std::string track_group;                     // static only
  bool use_vmac = false;                       // virtual only
  bool home = false;
  bool nodad = false;
  bool mngtmpaddr = false;
  bool noprefixroute = false;
  bool autojoin = false;
  bool no_track = false;
  std::vector<std::string> words;  // the line as written
  SourceLoc loc;

  bool operator==(const IpAddressItem&) const = default;
};

// One `nexthop via <IP> [dev <IF>] [weight <N>] [onlink]` of a multipath route.
struct RouteNextHop {
  std::optional<IpAddress> via;
  std::string dev;
  std::optional<std::uint16_t> weight;  // 1..256
  bool onlink = false;

  bool operator==(const RouteNextHop&) const = default;
};

enum class RouteType : std::uint8_t {
  Unicast,
  Local,
  Broadcast,
  Anycast,
  Multicast,
  Blackhole,
  Unreachable,
  Prohibit,
  Throw,
  Nat
};

// `[<TYPE>] [to] <PREFIX> [src <IP>] [from <PREFIX>] [via|gw <IP>] [or <IP>] [dev <IF>]
//  [table <T>] [metric|priority|preference <N>] [scope <S>] [protocol <P>] [tos <N>]
//  [onlink] [inet6] [append] [track_group <G>] [no_track] [nexthop ...]... + ip-route metrics`
struct IpRouteItem {
  RouteType type = RouteType::Unicast;
  IpPrefix destination;
  std::optional<IpAddress> src;  // preferred source (RTA_PREFSRC)
  std::optional<IpPrefix> from;  // source prefix (IPv6 only)
  std::optional<IpAddress> via;
  std::optional<IpAddress> or_via;  // deprecated "or"
  std::string dev;
  std::optional<std::uint32_t> table;
  std::optional<std::uint32_t> metric;
  std::optional<std::uint8_t> scope;
  std::optional<std::uint8_t> protocol;
  std::optional<std::uint8_t> tos;
  std::optional<std::uint32_t> mtu;
  std::vector<RouteNextHop> nexthops;
  std::string track_group;  // static only
  std::string vrf;
  bool onlink = false;
  bool inet6 = false;
  bool append = false;
  bool no_track = false;
  std::vector<std::string> words;  // the line as written
  SourceLoc loc;

  bool operator==(const IpRouteItem&) const = default;
};

enum class RuleAction : std::uint8_t { None, Table, Goto, Nop, Blackhole, Prohibit, Unreachable };

struct PortRange {
  std::uint16_t low = 0, high = 0;
  bool operator==(const PortRange&) const = default;
};

// `[not] [from <PREFIX>|all] [to <PREFIX>|all] [preference|priority|order <N>]
//  [table|lookup <T>] [goto <N>] [nop|blackhole|prohibit|unreachable|type <ACTION>]
//  [fwmark <N>[/<MASK>]] [tos|dsfield <N>] [iif <IF>] [oif <IF>] [realms [<N>/]<N>]
//  [suppress_prefixlength <N>] [suppress_ifgroup <N>] [tunnel-id <N>] [uidrange <A>-<B>]
//  [l3mdev] [protocol <P>] [ipproto <P>] [sport <A>[-<B>]] [dport <A>[-<B>]] [inet6]
//  [track_group <G>] [no_track]`
struct IpRuleItem {
  std::optional<IpPrefix> from;  // absent: all
  std::optional<IpPrefix> to;
  bool invert = false;  // "not"
  RuleAction action = RuleAction::None;
  std::optional<std::uint32_t> preference;
  std::optional<std::uint32_t> table;
  std::optional<std::uint32_t> goto_target;
  std::optional<std::uint32_t> fwmark;
  std::optional<std::uint32_t> fwmask;
  std::optional<std::uint8_t> tos;
  std::string iif;
  std::string oif;
  std::optional<std::uint8_t> protocol;
  std::optional<std::uint8_t> ipproto;
  std::optional<PortRange> sport;
  std::optional<PortRange> dport;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> uidrange;
  std::string track_group;  // static only
  bool l3mdev = false;
  bool inet6 = false;
  bool no_track = false;
  std::vector<std::string> words;  // the line as written
  SourceLoc loc;

  bool operator==(const IpRuleItem&) const = default;
};

}  // namespace halo::config
