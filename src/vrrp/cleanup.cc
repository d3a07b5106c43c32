// `halod --remove-vips` (see cleanup.h). Synchronous and standalone: it runs instead of the
// daemon, in the namespace the daemon would use.
#include "vrrp/cleanup.h"

#include <fmt/format.h>

#include "net/rtnetlink.h"
#include "vrrp/instance_spec.h"

namespace halo::vrrp {

Result<CleanupReport> remove_virtual_addresses(const config::Config& config) {
  auto rtnl = net::Rtnetlink::open();
  if (!rtnl) return fail(rtnl.error().message);
  CleanupReport report;
  for (const auto& spec : instance_specs(config)) {
    for (const auto& a : spec.addresses) {
      const auto what = fmt::format("{} dev {}", a.prefix.to_string(), a.interface);
      auto link = rtnl->link(a.interface);
      if (!link) {
        report.errors.push_back(what + ": " + link.error().message);
        continue;
      }
      if (!*link) continue;  // no such interface: nothing of ours can be on it
      net::AddressRequest request;
      request.ifindex = (*link)->ifindex;
      request.interface_name = (*link)->name;
      request.prefix = a.prefix;
      request.peer = a.peer;
      request.label = a.label;
      auto removed = rtnl->delete_address(request);
      if (!removed) {
        report.errors.push_back(what + ": " + removed.error().message);
      } else if (*removed) {
        report.removed.push_back(what);
      }
    }
  }
  return report;
}

}  // namespace halo::vrrp
