// The Prometheus text exposition format (version 0.0.4) of a Snapshot. Pure.
//
// Names follow Prometheus conventions: prefix `halo_`, base units, `_total` for counters, one
// HELP and TYPE line per family, labels `instance_name`, `interface`, `vrid`, `family`,
// `state`, `reason`, `kind`, `name`, `backend`, `virtual_server`, `real_server`, `check`
// (never `instance` or `job`: the scraper owns those).
// Families (each is documented in its HELP text):
//   halo_build_info{version}                         gauge 1
//   halo_start_time_seconds, halo_uptime_seconds     gauge
//   halo_reloads_total{result="success|failure"}     counter
//   halo_last_reload_success                          gauge 0/1
//   halo_vrrp_state{instance_name,state}             gauge 1 for the current state, 0 others
//   halo_vrrp_priority / halo_vrrp_effective_priority{instance_name}   gauge
//   halo_vrrp_transitions_total, halo_vrrp_adverts_sent_total,
//   halo_vrrp_adverts_received_total, halo_vrrp_split_brain_episodes_total,
//   halo_vrrp_became_master_total, halo_vrrp_priority_zero_{sent,received}_total
//   halo_vrrp_packets_rejected_total{instance_name,reason}
//   halo_vrrp_split_brain{instance_name}             gauge 0/1
//   halo_tracker_up{kind,name}, halo_tracker_transitions_total{kind,name}
//   halo_lb_backend_info{backend}                    gauge 1
//   halo_virtual_server_{quorum_up,quorum,alive_weight,sorry_server_active}{virtual_server}
//   halo_real_server_{alive,in_pool,weight,effective_weight}{virtual_server,real_server}
//   halo_check_{up,enabled}, halo_check_{attempts,failures,timeouts,transitions}_total,
//   halo_check_last_exit_code (MISC_CHECK only)      {virtual_server,real_server,check,kind}
//   halo_control_* (connections, evictions, busy refusals, timeouts, dropped followers)
//   halo_events_published_total, halo_metrics_scrapes_total
#pragma once

#include <string>

#include "status/snapshot.h"

namespace halo::metrics {

std::string prometheus_text(const status::Snapshot& s);

// A label value escaped for the text format (backslash, double quote, newline).
std::string escape_label(std::string_view value);

}  // namespace halo::metrics
