// The routes and rules halo installed (virtual_routes / virtual_rules of a master,
// static_routes / static_rules of the host), kept as the exact requests that added them, so
// that removal takes away what halo added and nothing else, even if an interface was renamed
// or renumbered in between.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "config/model/ip_items.h"
#include "net/netlink_route.h"
#include "net/rtnetlink.h"
#include "vrrp/route_spec.h"

namespace halo::vrrp {

class InstalledRoutes {
 public:
  // Adds every route, then every rule; each failure is logged with `who` ("[VI_1/v4]",
  // "static") and counted in the result. Items already added stay added.
  std::size_t add(net::Rtnetlink& rtnl, const std::vector<config::IpRouteItem>& routes,
                  const std::vector<config::IpRuleItem>& rules, const IfindexOf& ifindex_of,
                  std::string_view who);
  // Removes the rules, then the routes, in reverse order; returns the failures.
  std::size_t remove(net::Rtnetlink& rtnl, std::string_view who);

  bool empty() const { return routes_.empty() && rules_.empty(); }

 private:
  std::vector<net::RouteRequest> routes_;
  std::vector<net::RuleRequest> rules_;
};

}  // namespace halo::vrrp
