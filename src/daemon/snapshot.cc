// What the daemon tells about itself: one status::Snapshot, built on request (a command, a
// scrape, a dump signal) from the subsystems as they are at that moment.
#include <unistd.h>

#include <algorithm>

#include "common/host_name.h"
#include "daemon/daemon.h"

namespace halo::daemon {

status::Snapshot Daemon::snapshot(bool with_servers) const {
  status::Snapshot s;
  s.taken = status::WallClock::now();
  auto& info = s.info;
  info.version = HALO_VERSION;
  info.pid = getpid();
  info.config_file = config_path_;
  info.router_id = config_->global.defs.router_id.value_or(host_name());
  info.network_namespace = options_.network_namespace.empty()
                               ? config_->global.net_namespace.value_or("")
                               : options_.network_namespace;
  info.started = started_;
  info.reloads = reloads_;
  info.reload_failures = reload_failures_;
  info.last_reload_ok = last_reload_ok_;
  info.last_reload = last_reload_;

  if (vrrp_) vrrp_->snapshot(s);
  s.trackers = trackers_->views();
  // Who uses each tracker: the instances (a sync group's trackers are listed with each
  // member, as the engine applies them).
  for (auto& tracker : s.trackers) {
    for (const auto& instance : s.instances) {
      const bool uses = std::any_of(instance.tracked.begin(), instance.tracked.end(),
                                    [&](const status::TrackedView& t) {
                                      return t.kind == tracker.kind && t.name == tracker.name;
                                    });
      if (uses) tracker.used_by.push_back(instance.name);
    }
  }
  if (lb_) {
    if (with_servers) s.virtual_servers = lb_->views();
    info.lb_backend = lb_->backend_name();
  }
  if (control_) s.control = control_->counters();
  if (notifier_) s.notify = notifier_->stats();
  s.events_published = events_.published();
  if (metrics_) s.metrics_scrapes = metrics_->scrapes();
  return s;
}

}  // namespace halo::daemon
