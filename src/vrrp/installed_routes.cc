// See installed_routes.h.
#include "vrrp/installed_routes.h"

#include "common/log.h"

namespace halo::vrrp {
namespace {

spdlog::logger& logger() {
  return log::get("vrrp");
}

}  // namespace

std::size_t InstalledRoutes::add(net::Rtnetlink& rtnl,
                                 const std::vector<config::IpRouteItem>& routes,
                                 const std::vector<config::IpRuleItem>& rules,
                                 const IfindexOf& ifindex_of, std::string_view who) {
  std::size_t failures = 0;
  for (const auto& item : routes) {
    auto request = route_request(item, ifindex_of);
    if (!request) {
      ++failures;
      logger().error("{} route {}: {}", who, item.destination.to_string(), request.error().message);
      continue;
    }
    if (auto added = rtnl.add_route(*request); !added) {
      ++failures;
      logger().error("{} {}", who, added.error().message);
      continue;
    }
    routes_.push_back(std::move(*request));
  }
  for (const auto& item : rules) {
    auto request = rule_request(item);
    if (!request) {
      ++failures;
      logger().error("{} rule: {}", who, request.error().message);
      continue;
    }
    if (auto added = rtnl.add_rule(*request); !added) {
      ++failures;
      logger().error("{} {}", who, added.error().message);
      continue;
    }
    rules_.push_back(std::move(*request));
  }
  return failures;
}

std::size_t InstalledRoutes::remove(net::Rtnetlink& rtnl, std::string_view who) {
  std::size_t failures = 0;
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (auto removed = rtnl.delete_rule(*it); !removed) {
      ++failures;
      logger().error("{} {}", who, removed.error().message);
    }
  }
  for (auto it = routes_.rbegin(); it != routes_.rend(); ++it) {
    if (auto removed = rtnl.delete_route(*it); !removed) {
      ++failures;
      logger().error("{} {}", who, removed.error().message);
    }
  }
  rules_.clear();
  routes_.clear();
  return failures;
}

}  // namespace halo::vrrp
