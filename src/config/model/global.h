// global_defs and the other host-wide blocks: linkbeat_interfaces, interface_up_down_delays,
// track_group, static_ipaddress / static_routes / static_rules, garp_group, SSL.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/model/common.h"

namespace halo::config {

struct GlobalDefs {
  std::optional<std::string> router_id;
  std::optional<std::string> net_namespace;
  std::vector<std::string> notification_email;

  bool operator==(const GlobalDefs&) const = default;
};

struct GlobalConfig {
  GlobalDefs defs;

  bool operator==(const GlobalConfig&) const = default;
};

}  // namespace halo::config
