// Reading and writing per-interface sysctls (/proc/sys/net/...), for the settings a VMAC
// needs. Only the running network namespace is affected: /proc/sys/net is per namespace.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace halo::net {

// /proc/sys/net/<family>/conf/<interface>/<setting>: a path, not sysctl(8)'s dotted name,
// so interface names with dots ("vrrp.51") need no escaping.
std::string sysctl_path(std::string_view family, std::string_view interface,
                        std::string_view setting);

// The value, without its trailing newline.
Result<std::string> read_sysctl(const std::string& path);
Result<void> write_sysctl(const std::string& path, std::string_view value);

}  // namespace halo::net
