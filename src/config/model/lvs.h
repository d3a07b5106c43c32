// The load-balancer side of the model: virtual_server_group, virtual_server, real_server and
// the health checkers, plus bfd_instance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/model/common.h"

namespace halo::config {

struct VirtualServer {
  SourceLoc loc;

  bool operator==(const VirtualServer&) const = default;
};

struct LvsConfig {
  std::vector<VirtualServer> virtual_servers;

  bool operator==(const LvsConfig&) const = default;
};

}  // namespace halo::config
