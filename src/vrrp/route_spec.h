// keepalived's static_routes / virtual_routes and static_rules / virtual_rules lines turned into
// netlink requests.
//
// Pure (no I/O): the interface indexes a route needs are looked up through the function the
// caller passes in, at the moment the route is about to be added, because they can change
// while the daemon runs. Keep the request a route was added with to delete it again: the
// interface may be gone or renumbered by then.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "config/model/ip_items.h"
#include "net/netlink_route.h"

namespace halo::vrrp {

// The index of the named interface, or nullopt when there is none.
using IfindexOf = std::function<std::optional<std::uint32_t>(std::string_view name)>;

// Every typed field of the route maps to the request (type, destination, from, src, via, dev,
// table, metric, scope, protocol (default keepalived, 18), tos, onlink, mtu, nexthops with
// their dev, weight and onlink, append). Refused, with a message naming the option and the
// route: what halo does not send (the ip-route metrics other than mtu, `mtu lock`, realms,
// pref, expires, features, congctl, ttl-propagate, encap, vrf, the deprecated `or`) and an
// interface that does not exist.
[[nodiscard]] Result<net::RouteRequest> route_request(const config::IpRouteItem& item,
                                                      const IfindexOf& ifindex_of);

// Every typed field of the rule maps to the request (from, to, not, the action with its table
// or goto target, preference, fwmark/mask, tos, iif, oif, protocol (default keepalived, 18),
// ipproto, sport, dport, uidrange, l3mdev, inet6) and so do suppress_prefixlength,
// suppress_ifgroup, numeric realms and tunnel-id, which the model keeps only in its words.
// Interfaces stay names: the kernel matches rules by name. Refused: realms given by name.
[[nodiscard]] Result<net::RuleRequest> rule_request(const config::IpRuleItem& item);

}  // namespace halo::vrrp
