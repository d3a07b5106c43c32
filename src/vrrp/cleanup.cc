// `halod --remove-vips` (see cleanup.h). Synchronous and standalone: it runs instead of the
// daemon, in the namespace the daemon would use.
#include "vrrp/cleanup.h"

#include <fmt/format.h>

#include <algorithm>

#include "net/nft_no_accept.h"
#include "net/rtnetlink.h"
#include "vrrp/instance_spec.h"

namespace halo::vrrp {

Result<CleanupReport> remove_virtual_addresses(const config::Config& config) {
  auto rtnl = net::Rtnetlink::open();
  if (!rtnl) return fail(rtnl.error().message);
  CleanupReport report;
  const auto specs = instance_specs(config);
  for (const auto& spec : specs) {
    for (const auto& a : spec.addresses) {
      const auto what = fmt::format("{} dev {}", a.prefix.to_string(), a.interface);
      auto link = rtnl->link(a.interface);
      if (!link) {
        report.errors.push_back(what + ": " + link.error().message);
        continue;
      }
      if (!*link) continue;  // no such interface: nothing of ours can be on it
      auto removed = rtnl->delete_address(address_request(a, **link, spec.vip_lifetime));
      if (!removed) {
        report.errors.push_back(what + ": " + removed.error().message);
      } else if (*removed) {
        report.removed.push_back(what);
      }
    }
  }
  // The no_accept table a killed halod left (the VIPs it was guarding are gone now).
  const bool no_accept =
      std::any_of(specs.begin(), specs.end(), [](const InstanceSpec& s) { return !s.accept; });
  if (no_accept) {
    auto firewall = net::NoAcceptFirewall::open(
        config.global.defs.nftables.value_or(std::string(net::NoAcceptFirewall::kDefaultTable)),
        config.global.defs.nftables_priority);
    if (!firewall) {
      report.errors.push_back(firewall.error().message);
    } else if (auto removed = (*firewall)->remove_leftover(); !removed) {
      report.errors.push_back(removed.error().message);
    } else if (*removed) {
      report.removed.push_back("nftables table inet " + (*firewall)->table());
    }
  }
  return report;
}

}  // namespace halo::vrrp
