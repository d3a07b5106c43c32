// `halod --remove-vips`: remove the configuration's virtual addresses from this host.
//
// For systemd's ExecStopPost and for operators after a crash: halo's addresses expire on their
// own (vrrp_vip_lifetime), but with `vrrp_vip_lifetime forever` (keepalived's behaviour) they
// stay until someone removes them. Only addresses the configuration names are touched.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/model.h"

namespace halo::vrrp {

struct CleanupReport {
  std::vector<std::string> removed;  // "192.0.2.100/32 dev eth0"
  std::vector<std::string> errors;
};

// Removes every virtual_ipaddress and virtual_ipaddress_excluded of every instance from its
// interface (an address that is not there is skipped silently) and, when an instance uses
// no_accept, the nftables table of halo's no_accept rules.
Result<CleanupReport> remove_virtual_addresses(const config::Config& config);

}  // namespace halo::vrrp
