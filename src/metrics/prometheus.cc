// A Snapshot in the Prometheus text exposition format, version 0.0.4.
//
// Every family is written as HELP, TYPE, then its samples, families in a fixed order and
// samples in the snapshot's order, so two scrapes of the same state are the same bytes. A
// family with no samples (no instances configured, say) is left out entirely. Instance
// families carry only `instance_name` (plus `state` or `reason` where they enumerate);
// halo_vrrp_instance_info carries the rest (interface, vrid, family, version) for joins, the
// usual Prometheus "info metric" pattern, so a series keeps its identity when nothing but a
// descriptive attribute changes.
#include "metrics/prometheus.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace halo::metrics {
namespace {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

std::string escape_help(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return fmt::format("{}", static_cast<std::int64_t>(value));
  }
  return fmt::format("{:.6f}", value);
}

class Exposition {
 public:
  // Starts a family; its HELP and TYPE are written with its first sample.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    name_ = name;
    type_ = type;
    help_ = help;
    started_ = false;
  }
  void sample(const Labels& labels, double value) { sample_raw(labels, number(value)); }
  void sample(const Labels& labels, std::uint64_t value) {
    sample_raw(labels, fmt::format("{}", value));
  }
  std::string take() { return std::move(out_); }

 private:
  void sample_raw(const Labels& labels, const std::string& value) {
    if (!started_) {
      out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, escape_help(help_), name_, type_);
      started_ = true;
    }
    out_ += name_;
    if (!labels.empty()) {
      out_.push_back('{');
      bool first = true;
      for (const auto& [key, v] : labels) {
        if (!first) out_.push_back(',');
        first = false;
        out_ += fmt::format("{}=\"{}\"", key, escape_label(v));
      }
      out_.push_back('}');
    }
    out_.push_back(' ');
    out_ += value;
    out_.push_back('\n');
  }

  std::string out_;
  std::string name_, type_, help_;
  bool started_ = false;
};

double seconds_since_epoch(status::WallClock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

constexpr std::array kStates = {"INIT", "BACKUP", "MASTER", "FAULT", "STOP"};

// One counter family per instance counter: name, help, member.
struct InstanceCounter {
  const char* name;
  const char* help;
  std::uint64_t status::InstanceCounters::*member;
};
constexpr std::array kInstanceCounters = {
    InstanceCounter{"halo_vrrp_transitions_total", "State changes of the instance since start.",
                    &status::InstanceCounters::transitions},
    InstanceCounter{"halo_vrrp_adverts_sent_total", "VRRP advertisements sent.",
                    &status::InstanceCounters::adverts_sent},
    InstanceCounter{"halo_vrrp_adverts_received_total",
                    "VRRP advertisements received and accepted for the instance.",
                    &status::InstanceCounters::adverts_received},
    InstanceCounter{"halo_vrrp_became_master_total", "Times the instance became MASTER.",
                    &status::InstanceCounters::became_master},
    InstanceCounter{"halo_vrrp_released_master_total", "Times the instance left MASTER.",
                    &status::InstanceCounters::released_master},
    InstanceCounter{"halo_vrrp_priority_zero_sent_total",
                    "Priority 0 advertisements sent (master resigning).",
                    &status::InstanceCounters::priority_zero_sent},
    InstanceCounter{"halo_vrrp_priority_zero_received_total",
                    "Priority 0 advertisements received (the master resigned).",
                    &status::InstanceCounters::priority_zero_received},
    InstanceCounter{"halo_vrrp_send_errors_total", "Advertisements that could not be sent.",
                    &status::InstanceCounters::send_errors},
    InstanceCounter{"halo_vrrp_address_errors_total",
                    "Virtual addresses that could not be added or removed.",
                    &status::InstanceCounters::address_errors},
    InstanceCounter{"halo_vrrp_announcements_sent_total",
                    "Gratuitous ARPs and unsolicited neighbour advertisements sent.",
                    &status::InstanceCounters::announcements_sent},
    InstanceCounter{"halo_vrrp_split_brain_episodes_total",
                    "Episodes of another master seen for the same virtual router.",
                    &status::InstanceCounters::split_brain_episodes},
};

void daemon_families(Exposition& e, const status::Snapshot& s) {
  const auto& info = s.info;
  e.family("halo_build_info", "gauge", "The running halod's version; always 1.");
  e.sample({{"version", info.version}}, 1.0);
  e.family("halo_start_time_seconds", "gauge", "When halod started, in seconds since the epoch.");
  e.sample({}, seconds_since_epoch(info.started));
  e.family("halo_uptime_seconds", "gauge", "Seconds since halod started.");
  e.sample({}, std::max(0.0, std::chrono::duration<double>(s.taken - info.started).count()));
  e.family("halo_reloads_total", "counter",
           "Configuration reloads by result (failure: refused for config errors, the running "
           "configuration kept).");
  e.sample({{"result", "success"}}, info.reloads);
  e.sample({{"result", "failure"}}, info.reload_failures);
  e.family("halo_last_reload_success", "gauge",
           "1 if the last reload succeeded (or none was asked), 0 if it was refused.");
  e.sample({}, info.last_reload_ok ? 1.0 : 0.0);
}

void instance_families(Exposition& e, const status::Snapshot& s) {
  const auto by_name = [](const status::InstanceView& in) -> Labels {
    return {{"instance_name", in.name}};
  };
  e.family("halo_vrrp_instance_info", "gauge",
           "A VRRP instance's interface, virtual router id, address family and protocol "
           "version; always 1.");
  for (const auto& in : s.instances) {
    e.sample({{"instance_name", in.name},
              {"interface", in.interface},
              {"vrid", std::to_string(in.vrid)},
              {"family", in.family},
              {"version", std::to_string(in.version)}},
             1.0);
  }
  e.family("halo_vrrp_state", "gauge",
           "The instance's VRRP state: 1 for the current state, 0 for the others.");
  for (const auto& in : s.instances) {
    for (const auto* state : kStates) {
      e.sample({{"instance_name", in.name}, {"state", state}}, in.state == state ? 1.0 : 0.0);
    }
  }
  e.family("halo_vrrp_running", "gauge",
           "1 if the instance runs, 0 if it could not start (an unavailable tracker, no "
           "interface).");
  for (const auto& in : s.instances) e.sample(by_name(in), in.running ? 1.0 : 0.0);
  e.family("halo_vrrp_priority", "gauge", "The instance's base priority (as configured or set).");
  for (const auto& in : s.instances) e.sample(by_name(in), static_cast<double>(in.base_priority));
  e.family("halo_vrrp_effective_priority", "gauge",
           "The priority the instance advertises, with tracking weights applied.");
  for (const auto& in : s.instances) {
    e.sample(by_name(in), static_cast<double>(in.effective_priority));
  }
  e.family("halo_vrrp_advert_interval_seconds", "gauge",
           "The advertisement interval the instance uses.");
  for (const auto& in : s.instances) e.sample(by_name(in), in.advert_interval_ms / 1000.0);
  e.family("halo_vrrp_last_transition_timestamp_seconds", "gauge",
           "When the instance last changed state, in seconds since the epoch (0: never).");
  for (const auto& in : s.instances) e.sample(by_name(in), seconds_since_epoch(in.last_transition));
  e.family("halo_vrrp_split_brain", "gauge",
           "1 while another master is seen for the instance's virtual router.");
  for (const auto& in : s.instances) e.sample(by_name(in), in.split_brain ? 1.0 : 0.0);
  for (const auto& counter : kInstanceCounters) {
    e.family(counter.name, "counter", counter.help);
    for (const auto& in : s.instances) e.sample(by_name(in), in.counters.*counter.member);
  }
  e.family("halo_vrrp_packets_rejected_total", "counter",
           "VRRP packets for the instance dropped as invalid, by reason.");
  for (const auto& in : s.instances) {
    for (const auto& [reason, count] : in.counters.rejected) {
      e.sample({{"instance_name", in.name}, {"reason", reason}}, count);
    }
  }
}

void sync_group_families(Exposition& e, const status::Snapshot& s) {
  e.family("halo_vrrp_sync_group_state", "gauge",
           "A sync group's state: 1 for the current state, 0 for the others.");
  for (const auto& g : s.sync_groups) {
    for (const auto* state : kStates) {
      e.sample({{"name", g.name}, {"state", state}}, g.state == state ? 1.0 : 0.0);
    }
  }
}

void tracker_families(Exposition& e, const status::Snapshot& s) {
  const auto labels = [](const status::TrackerView& t) -> Labels {
    return {{"kind", t.kind}, {"name", t.name}};
  };
  e.family("halo_tracker_up", "gauge",
           "1 if the tracker reports success, 0 if failure or no result yet.");
  for (const auto& t : s.trackers) e.sample(labels(t), t.up && !t.pending ? 1.0 : 0.0);
  e.family("halo_tracker_pending", "gauge", "1 while the tracker has no first result.");
  for (const auto& t : s.trackers) e.sample(labels(t), t.pending ? 1.0 : 0.0);
  e.family("halo_tracker_enabled", "gauge",
           "0 while the tracker is disabled by an operator (its failures are ignored).");
  for (const auto& t : s.trackers) e.sample(labels(t), t.enabled ? 1.0 : 0.0);
  e.family("halo_tracker_running", "gauge",
           "1 if the tracker runs, 0 if it is unavailable (see the control socket for why).");
  for (const auto& t : s.trackers) e.sample(labels(t), t.running ? 1.0 : 0.0);
  e.family("halo_tracker_value", "gauge", "A track_file's current number (0 for the others).");
  for (const auto& t : s.trackers) e.sample(labels(t), static_cast<double>(t.value));
  e.family("halo_tracker_transitions_total", "counter",
           "Status changes of the tracker since it started.");
  for (const auto& t : s.trackers) e.sample(labels(t), t.transitions);
}

// The load balancer: per virtual server, per real server, per check. Labels `virtual_server`
// and `real_server` in keepalived's forms ("[192.0.2.10]:tcp:80"), `check` the check's id and
// `kind` keepalived's checker name ("MISC_CHECK").
void lb_families(Exposition& e, const status::Snapshot& s) {
  e.family("halo_lb_backend_info", "gauge",
           "The load-balancer back end in use (ipvs, nftables, or none); always 1.");
  e.sample({{"backend", s.info.lb_backend}}, 1.0);

  const auto vs_labels = [](const status::VirtualServerView& v) -> Labels {
    return {{"virtual_server", v.name}};
  };
  e.family("halo_virtual_server_quorum_up", "gauge",
           "1 while the virtual server's alive weight meets its quorum, 0 when lost.");
  for (const auto& v : s.virtual_servers) e.sample(vs_labels(v), v.quorum_up ? 1.0 : 0.0);
  e.family("halo_virtual_server_quorum", "gauge",
           "The alive weight the virtual server needs (its quorum).");
  for (const auto& v : s.virtual_servers) e.sample(vs_labels(v), static_cast<double>(v.quorum));
  e.family("halo_virtual_server_alive_weight", "gauge",
           "Sum of the weights of the virtual server's alive real servers.");
  for (const auto& v : s.virtual_servers) {
    e.sample(vs_labels(v), static_cast<double>(v.alive_weight_sum));
  }
  e.family("halo_virtual_server_sorry_server_active", "gauge",
           "1 while the virtual server's sorry server is in the pool (quorum lost).");
  for (const auto& v : s.virtual_servers) {
    e.sample(vs_labels(v), v.sorry_server_active ? 1.0 : 0.0);
  }

  const auto rs_labels = [](const status::VirtualServerView& v,
                            const status::RealServerView& r) -> Labels {
    return {{"virtual_server", v.name}, {"real_server", r.name}};
  };
  const auto each_rs = [&](auto&& f) {
    for (const auto& v : s.virtual_servers) {
      for (const auto& r : v.real_servers) f(v, r);
    }
  };
  e.family("halo_real_server_alive", "gauge",
           "1 if the real server's checks pass, 0 if it is down.");
  each_rs([&](const auto& v, const auto& r) { e.sample(rs_labels(v, r), r.alive ? 1.0 : 0.0); });
  e.family("halo_real_server_in_pool", "gauge",
           "1 if the load balancer holds the real server (alive, or inhibited with weight 0).");
  each_rs([&](const auto& v, const auto& r) { e.sample(rs_labels(v, r), r.in_pool ? 1.0 : 0.0); });
  e.family("halo_real_server_weight", "gauge", "The real server's configured weight.");
  each_rs([&](const auto& v, const auto& r) {
    e.sample(rs_labels(v, r), static_cast<double>(r.weight));
  });
  e.family("halo_real_server_effective_weight", "gauge",
           "The real server's weight with misc_dynamic and FILE_CHECK shares applied.");
  each_rs([&](const auto& v, const auto& r) {
    e.sample(rs_labels(v, r), static_cast<double>(r.effective_weight));
  });

  const auto check_labels = [](const status::VirtualServerView& v, const status::RealServerView& r,
                               const status::CheckView& c) -> Labels {
    return {{"virtual_server", v.name}, {"real_server", r.name}, {"check", c.id}, {"kind", c.kind}};
  };
  const auto each_check = [&](auto&& f) {
    for (const auto& v : s.virtual_servers) {
      for (const auto& r : v.real_servers) {
        for (const auto& c : r.checks) f(check_labels(v, r, c), c);
      }
    }
  };
  e.family("halo_check_up", "gauge", "1 if the health check passes, 0 if it fails.");
  each_check([&](const Labels& l, const status::CheckView& c) { e.sample(l, c.up ? 1.0 : 0.0); });
  e.family("halo_check_enabled", "gauge",
           "0 while the check is disabled by an operator (it counts as up).");
  each_check(
      [&](const Labels& l, const status::CheckView& c) { e.sample(l, c.enabled ? 1.0 : 0.0); });
  e.family("halo_check_attempts_total", "counter", "Health check attempts finished.");
  each_check([&](const Labels& l, const status::CheckView& c) { e.sample(l, c.attempts); });
  e.family("halo_check_failures_total", "counter", "Health check attempts that failed.");
  each_check([&](const Labels& l, const status::CheckView& c) { e.sample(l, c.failures); });
  e.family("halo_check_timeouts_total", "counter", "Health check attempts that timed out.");
  each_check([&](const Labels& l, const status::CheckView& c) { e.sample(l, c.timeouts); });
  e.family("halo_check_transitions_total", "counter", "Up/down changes of the health check.");
  each_check([&](const Labels& l, const status::CheckView& c) { e.sample(l, c.transitions); });
  e.family("halo_check_last_exit_code", "gauge",
           "A MISC_CHECK script's last exit code (keepalived's Last status); only checks that "
           "have one.");
  each_check([&](const Labels& l, const status::CheckView& c) {
    if (c.last_exit_code) e.sample(l, static_cast<double>(*c.last_exit_code));
  });
}

void control_families(Exposition& e, const status::Snapshot& s) {
  const auto& c = s.control;
  const auto one = [&](std::string_view name, std::string_view type, std::string_view help,
                       std::uint64_t value) {
    e.family(name, type, help);
    e.sample({}, value);
  };
  one("halo_control_connections_accepted_total", "counter",
      "Connections accepted on the control socket.", c.connections_accepted);
  one("halo_control_connections", "gauge", "Control socket connections open now.",
      c.connections_active);
  one("halo_control_max_connections", "gauge", "The control socket's connection limit.", c.maxconn);
  one("halo_control_commands_total", "counter", "Commands run on the control socket.", c.commands);
  one("halo_control_command_errors_total", "counter", "Commands that failed.", c.command_errors);
  one("halo_control_evictions_total", "counter",
      "Idle connections closed to admit a newcomer when every slot was taken.", c.evicted_idle);
  one("halo_control_busy_refusals_total", "counter",
      "Newcomers refused with `busy` (every slot taken, none idle).", c.refused_busy);
  e.family("halo_control_timeouts_total", "counter",
           "Connections closed by a timeout: idle (no command) or command (reply not taken in "
           "time).");
  e.sample({{"kind", "idle"}}, c.idle_timeouts);
  e.sample({{"kind", "command"}}, c.command_timeouts);
  one("halo_control_overlong_lines_total", "counter",
      "Connections closed for a command line over the limit.", c.overlong_lines);
  one("halo_control_followers", "gauge", "Event streams (`show events follow`) open now.",
      c.followers);
  one("halo_control_followers_dropped_total", "counter",
      "Event streams dropped because their reader fell behind.", c.followers_dropped);
  const auto& n = s.notify;
  e.family("halo_notify_scripts_total", "counter",
           "Notify scripts by result: started, failed (exit code, signal, timeout or spawn), "
           "timed_out (also counted as failed), refused (not run: enable_script_security or an "
           "unknown user).");
  e.sample({{"result", "started"}}, n.scripts_run);
  e.sample({{"result", "failed"}}, n.scripts_failed);
  e.sample({{"result", "timed_out"}}, n.scripts_timed_out);
  e.sample({{"result", "refused"}}, n.scripts_refused);
  e.family("halo_notify_fifo_lines_total", "counter",
           "Lines for notify FIFOs, per FIFO: written, or dropped (a reader too slow, or gone).");
  e.sample({{"result", "written"}}, n.fifo_lines);
  e.sample({{"result", "dropped"}}, n.fifo_lines_dropped);
  e.family("halo_smtp_alerts_total", "counter",
           "smtp_alert mails: sent (the mail server took it), failed, dropped (too many waiting).");
  e.sample({{"result", "sent"}}, n.mails_sent);
  e.sample({{"result", "failed"}}, n.mails_failed);
  e.sample({{"result", "dropped"}}, n.mails_dropped);
  one("halo_events_published_total", "counter", "Events published to the event stream.",
      s.events_published);
  one("halo_metrics_scrapes_total", "counter", "Scrapes of this endpoint served.",
      s.metrics_scrapes);
}

}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string prometheus_text(const status::Snapshot& s) {
  Exposition e;
  daemon_families(e, s);
  instance_families(e, s);
  sync_group_families(e, s);
  tracker_families(e, s);
  lb_families(e, s);
  control_families(e, s);
  return e.take();
}

}  // namespace halo::metrics
