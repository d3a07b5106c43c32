// Checks that need the whole configuration: references between blocks (a track_script naming
// a vrrp_script), uniqueness (one VRID per interface and family), and the host (interfaces
// that must exist, scripts run as root). Each area validates its own blocks.
#pragma once

#include <functional>
#include <string_view>

#include "config/diagnostics.h"
#include "config/model.h"

namespace halo::config {

struct ValidateOptions {
  // Whether a network interface exists (in the namespace halo will run in). Injected so unit
  // tests do not depend on the machine.
  std::function<bool(std::string_view)> interface_exists;
};

void validate(const Config& config, const ValidateOptions& options, Diagnostics& diag);

// One per area, called by validate().
void validate_global(const Config& config, const ValidateOptions& options, Diagnostics& diag);
void validate_vrrp(const Config& config, const ValidateOptions& options, Diagnostics& diag);
void validate_lvs(const Config& config, const ValidateOptions& options, Diagnostics& diag);

}  // namespace halo::config

namespace halo::config {

// Checks one configured script against the host and global_defs, as keepalived does at start
// and under -t: a script that would run as root while enable_script_security is off is a
// security violation (keepalived -t exits 6); with enable_script_security on, a root script
// whose path is writable by a non-root user is refused. Every area calls it for each script.
void check_script(const Script& script, const Config& config, Diagnostics& diag);

// An instance's address family, as keepalived decides it: the first VIP's, else the source
// address', else the first unicast peer's, else IPv6 with native_ipv6, else IPv4.
Family instance_family(const VrrpInstance& instance);
// Its VRRP version: 3 for IPv6, else `version`, else global_defs vrrp_version.
std::uint8_t instance_version(const VrrpInstance& instance, const GlobalDefs& defs);

}  // namespace halo::config
