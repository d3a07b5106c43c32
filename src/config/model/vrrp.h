// The VRRP side of the model: vrrp_script, vrrp_track_process, track_file, vrrp_sync_group
// and vrrp_instance with all its sub-blocks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/model/common.h"

namespace halo::config {

struct VrrpInstance {
  std::string name;
  SourceLoc loc;
  std::string interface;
  std::uint8_t virtual_router_id = 0;
  std::uint8_t priority = 100;

  bool operator==(const VrrpInstance&) const = default;
};

struct VrrpConfig {
  std::vector<VrrpInstance> instances;

  bool operator==(const VrrpConfig&) const = default;
};

}  // namespace halo::config
