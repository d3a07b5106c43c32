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
  if (notifier_) {
    const auto n = notifier_->stats();
    s.notify = {.scripts_run = n.scripts_run,
                .scripts_failed = n.scripts_failed,
                .scripts_timed_out = n.scripts_timed_out,
                .scripts_refused = n.scripts_refused,
                .fifo_lines = n.fifo_lines,
                .fifo_lines_dropped = n.fifo_lines_dropped,
                .mails_sent = n.mails_sent,
                .mails_failed = n.mails_failed,
                .mails_dropped = n.mails_dropped};
  }
  s.events_published = events_.published();
  if (metrics_) s.metrics_scrapes = metrics_->scrapes();
  return s;
}

}  // namespace halo::daemon
