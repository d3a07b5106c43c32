// rtnetlink route and rule messages (RTM_NEWROUTE / RTM_DELROUTE, RTM_NEWRULE / RTM_DELRULE)
// as plain values and bytes.
//
// Building only: no sockets, no I/O. net/rtnetlink sends what the builders produce. The
// requests are keepalived's static_routes / virtual_routes and static_rules / virtual_rules,
// already resolved to numbers (interface indexes, table ids, protocols) by vrrp/route_spec.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"

namespace halo::net {

// RTPROT_KEEPALIVED from <linux/rtnetlink.h>: the protocol keepalived stamps on its routes and
// rules unless the configuration names another, and the one it watches them by.
inline constexpr std::uint8_t kProtocolKeepalived = 18;
inline constexpr std::uint32_t kTableMain = 254;  // RT_TABLE_MAIN

// Room enough for any request this file builds: 32 IPv6 nexthops with RTA_VIA fit.
inline constexpr std::size_t kMaxRouteMessageSize = 1024;

// RTN_* from <linux/rtnetlink.h>.
enum class RouteType : std::uint8_t {
  Unicast = 1,
  Local = 2,
  Broadcast = 3,
  Anycast = 4,
  Multicast = 5,
  Blackhole = 6,
  Unreachable = 7,
  Prohibit = 8,
  Throw = 9,
  Nat = 10,
};

// One `nexthop via <IP> [dev <IF>] [weight <N>] [onlink]` of a multipath route.
struct RouteNextHop {
  std::optional<IpAddress> gateway;  // RTA_GATEWAY, or RTA_VIA when of the other family
  std::uint32_t ifindex = 0;         // 0: none given (the kernel finds it from the gateway)
  std::uint16_t weight = 1;          // 1..256, sent as rtnh_hops = weight - 1
  bool onlink = false;               // RTNH_F_ONLINK

  friend bool operator==(const RouteNextHop&, const RouteNextHop&) = default;
};

// One route, as halo asks for it (`ip route add` with numbers for names).
struct RouteRequest {
  RouteType type = RouteType::Unicast;
  IpPrefix destination;                 // its family is the route's family
  std::optional<IpPrefix> source;       // RTA_SRC: `from`, IPv6 only (source-specific routing)
  std::optional<IpAddress> prefsrc;     // RTA_PREFSRC: `src`
  std::optional<IpAddress> gateway;     // `via`: RTA_GATEWAY, or RTA_VIA for the other family
  std::uint32_t ifindex = 0;            // RTA_OIF: `dev`; 0 for none
  std::uint32_t table = kTableMain;     // rtm_table; RTA_TABLE as well above 255
  std::optional<std::uint32_t> metric;  // RTA_PRIORITY
  // rtm_scope; without one, iproute2's default (what `ip route add` with the same words
  // makes): host for local and nat routes, link for broadcast, anycast and multicast ones and
  // for unicast routes with no gateway, universe otherwise. (keepalived 2.2 sends universe
  // unless told otherwise: its direct routes show without "scope link".)
  std::optional<std::uint8_t> scope;
  std::uint8_t protocol = kProtocolKeepalived;  // rtm_protocol
  std::uint8_t tos = 0;                         // rtm_tos
  bool onlink = false;                          // RTNH_F_ONLINK in rtm_flags
  std::optional<std::uint32_t> mtu;             // RTA_METRICS { RTAX_MTU }
  std::vector<RouteNextHop> nexthops;           // RTA_MULTIPATH when not empty
  // `append` (NLM_F_APPEND: after the routes with the same key) rather than keepalived's
  // default, prepend (before them); see Rtnetlink::add_route.
  bool append = false;

  friend bool operator==(const RouteRequest&, const RouteRequest&) = default;
};

// The scope the route is added with: request.scope, or iproute2's default.
[[nodiscard]] std::uint8_t route_scope(const RouteRequest& request);

// "192.0.2.0/24 via 198.51.100.1 table 100", "blackhole 2001:db8::/64": for messages.
[[nodiscard]] std::string route_text(const RouteRequest& request);

// RTM_NEWROUTE with NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE, and NLM_F_APPEND when
// request.append (keepalived's flags: `ip route prepend` / `ip route append`).
// Writes into `buf` and returns the message's length, or an error for an invalid request
// (mixed families, a prefix longer than the family allows, `from` on IPv4, a weight out of
// range, ...) or a buffer that is too small.
[[nodiscard]] Result<std::size_t> build_new_route(const RouteRequest& request, std::uint32_t seq,
                                                  std::span<std::uint8_t> buf);

// RTM_DELROUTE with NLM_F_REQUEST|NLM_F_ACK for the same route: the same attributes, so that
// only the route halo added matches (its type, protocol, gateway, metric, table); the scope is
// RT_SCOPE_NOWHERE ("any") unless the request names one, as `ip route del` sends it.
[[nodiscard]] Result<std::size_t> build_del_route(const RouteRequest& request, std::uint32_t seq,
                                                  std::span<std::uint8_t> buf);

// FR_ACT_* from <linux/fib_rules.h>.
enum class RuleAction : std::uint8_t {
  Table = 1,  // FR_ACT_TO_TBL (also the action of an l3mdev rule)
  Goto = 2,   // FR_ACT_GOTO
  Nop = 3,    // FR_ACT_NOP
  Blackhole = 6,
  Unreachable = 7,
  Prohibit = 8,
};

struct PortRange {  // struct fib_rule_port_range
  std::uint16_t low = 0;
  std::uint16_t high = 0;
  friend bool operator==(const PortRange&, const PortRange&) = default;
};

struct UidRange {  // struct fib_rule_uid_range
  std::uint32_t low = 0;
  std::uint32_t high = 0;
  friend bool operator==(const UidRange&, const UidRange&) = default;
};

// One policy-routing rule (`ip rule add`). Interfaces are names here: the kernel matches
// FRA_IIFNAME / FRA_OIFNAME by name, so a rule may name an interface that does not exist yet.
struct RuleRequest {
  Family family = Family::V4;
  std::optional<IpPrefix> source;       // FRA_SRC and src_len; none: all
  std::optional<IpPrefix> destination;  // FRA_DST and dst_len
  bool invert = false;                  // FIB_RULE_INVERT: `not`
  RuleAction action = RuleAction::Table;
  std::optional<std::uint32_t> priority;            // FRA_PRIORITY
  std::uint32_t table = 0;                          // Table: frh.table, FRA_TABLE as well above 255
  std::uint32_t goto_target = 0;                    // Goto: FRA_GOTO
  std::optional<std::uint32_t> fwmark;              // FRA_FWMARK
  std::optional<std::uint32_t> fwmask;              // FRA_FWMASK (only with fwmark)
  std::uint8_t tos = 0;                             // frh.tos
  std::string iif;                                  // FRA_IIFNAME
  std::string oif;                                  // FRA_OIFNAME
  std::uint8_t protocol = kProtocolKeepalived;      // FRA_PROTOCOL
  std::optional<std::uint8_t> ip_proto;             // FRA_IP_PROTO
  std::optional<PortRange> sport;                   // FRA_SPORT_RANGE
  std::optional<PortRange> dport;                   // FRA_DPORT_RANGE
  std::optional<UidRange> uid_range;                // FRA_UID_RANGE
  bool l3mdev = false;                              // FRA_L3MDEV (action Table, table 0)
  std::optional<std::uint32_t> suppress_prefixlen;  // FRA_SUPPRESS_PREFIXLEN
  std::optional<std::uint32_t> suppress_ifgroup;    // FRA_SUPPRESS_IFGROUP
  std::optional<std::uint32_t> realms;              // FRA_FLOW: (from << 16) | to
  std::optional<std::uint64_t> tunnel_id;           // FRA_TUN_ID (big-endian on the wire)

  friend bool operator==(const RuleRequest&, const RuleRequest&) = default;
};

// "from 192.0.2.0/24 table 100 priority 100": for messages.
[[nodiscard]] std::string rule_text(const RuleRequest& request);

// RTM_NEWRULE with NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL (the kernel has no replace
// for rules, and without EXCL it adds a second copy of a rule that is there).
[[nodiscard]] Result<std::size_t> build_new_rule(const RuleRequest& request, std::uint32_t seq,
                                                 std::span<std::uint8_t> buf);

// RTM_DELRULE with NLM_F_REQUEST|NLM_F_ACK and the same attributes: the kernel deletes the
// first rule that matches every one of them.
[[nodiscard]] Result<std::size_t> build_del_rule(const RuleRequest& request, std::uint32_t seq,
                                                 std::span<std::uint8_t> buf);

}  // namespace halo::net
