// The `show` replies as JSON, built from a Snapshot; the text forms are the JSON forms put
// through text.h, so both say the same thing.
//
// Every JSON reply is one object (never a bare array) so that a field can be added later
// without breaking a reader. Times are ISO 8601 UTC strings, null when the thing never
// happened; durations are milliseconds with an `_ms` suffix, relative to the snapshot's time.
#include "status/render.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <optional>

#include "status/event_log.h"
#include "status/text.h"

namespace halo::status {
namespace {

namespace json = boost::json;

json::value time_or_null(WallClock::time_point t) {
  if (t == WallClock::time_point{}) return nullptr;
  return json::value(iso8601(t));
}

// Milliseconds from `since` to `now` (never negative), or null when `since` is the epoch.
json::value age_ms(WallClock::time_point since, WallClock::time_point now) {
  if (since == WallClock::time_point{}) return nullptr;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - since).count();
  return json::value(static_cast<std::int64_t>(ms < 0 ? 0 : ms));
}

json::value string_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return json::value(s);
}

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object control_json(const ControlCounters& c) {
  return {
      {"connections_accepted", c.connections_accepted},
      {"connections_active", c.connections_active},
      {"maxconn", c.maxconn},
      {"commands", c.commands},
      {"command_errors", c.command_errors},
      {"evicted_idle", c.evicted_idle},
      {"refused_busy", c.refused_busy},
      {"idle_timeouts", c.idle_timeouts},
      {"command_timeouts", c.command_timeouts},
      {"overlong_lines", c.overlong_lines},
      {"followers", c.followers},
      {"followers_dropped", c.followers_dropped},
  };
}

json::object notify_json(const NotifyCounters& n) {
  return {
      {"scripts_run", n.scripts_run},
      {"scripts_failed", n.scripts_failed},
      {"scripts_timed_out", n.scripts_timed_out},
      {"scripts_refused", n.scripts_refused},
      {"fifo_lines", n.fifo_lines},
      {"fifo_lines_dropped", n.fifo_lines_dropped},
      {"mails_sent", n.mails_sent},
      {"mails_failed", n.mails_failed},
      {"mails_dropped", n.mails_dropped},
  };
}

json::object counters_json(const InstanceCounters& c) {
  json::object o{
      {"adverts_sent", c.adverts_sent},
      {"adverts_received", c.adverts_received},
      {"became_master", c.became_master},
      {"released_master", c.released_master},
      {"priority_zero_sent", c.priority_zero_sent},
      {"priority_zero_received", c.priority_zero_received},
      {"send_errors", c.send_errors},
      {"address_errors", c.address_errors},
      {"announcements_sent", c.announcements_sent},
      {"split_brain_episodes", c.split_brain_episodes},
      {"transitions", c.transitions},
      {"packet_length_errors", c.packet_length_errors},
      {"ttl_errors", c.ttl_errors},
      {"invalid_type", c.invalid_type},
      {"advert_interval_errors", c.advert_interval_errors},
      {"address_list_errors", c.address_list_errors},
      {"invalid_auth_type", c.invalid_auth_type},
      {"auth_type_mismatch", c.auth_type_mismatch},
      {"auth_failure", c.auth_failure},
  };
  json::object rejected;
  for (const auto& [reason, count] : c.rejected) rejected[reason] = count;
  o["rejected"] = std::move(rejected);
  return o;
}

json::object tracked_json(const TrackedView& t) {
  return {
      {"kind", t.kind},   {"name", t.name},     {"up", t.up},           {"pending", t.pending},
      {"value", t.value}, {"weight", t.weight}, {"reverse", t.reverse},
  };
}

// One row of `show instances`: what a table of instances shows, no more.
json::object instance_row(const InstanceView& i, WallClock::time_point now) {
  return {
      {"name", i.name},
      {"interface", i.interface},
      {"family", i.family},
      {"vrid", i.vrid},
      {"state", i.state},
      {"base_priority", i.base_priority},
      {"effective_priority", i.effective_priority},
      {"virtual_addresses", strings(i.virtual_addresses)},
      {"sync_group", string_or_null(i.sync_group)},
      {"split_brain", i.split_brain},
      {"running", i.running},
      {"not_running_reason", string_or_null(i.not_running_reason)},
      {"last_transition", time_or_null(i.last_transition)},
      {"in_state_ms", age_ms(i.last_transition, now)},
  };
}

}  // namespace

json::value info_json(const Snapshot& s) {
  std::uint64_t split_brain = 0;
  for (const auto& i : s.instances) split_brain += i.split_brain ? 1 : 0;
  const auto& d = s.info;
  return json::object{
      {"version", d.version},
      {"pid", d.pid},
      {"config_file", d.config_file},
      {"router_id", d.router_id},
      {"network_namespace", string_or_null(d.network_namespace)},
      {"time", time_or_null(s.taken)},
      {"started", time_or_null(d.started)},
      {"uptime_ms", age_ms(d.started, s.taken)},
      {"reloads", d.reloads},
      {"reload_failures", d.reload_failures},
      {"last_reload_ok", d.last_reload_ok},
      {"last_reload", time_or_null(d.last_reload)},
      {"lb_backend", d.lb_backend},
      {"instances", s.instances.size()},
      {"instances_split_brain", split_brain},
      {"sync_groups", s.sync_groups.size()},
      {"trackers", s.trackers.size()},
      {"events_published", s.events_published},
      {"metrics_scrapes", s.metrics_scrapes},
      {"control", control_json(s.control)},
  };
}

std::string info_text(const Snapshot& s) {
  return text::info(info_json(s));
}

json::value instances_json(const Snapshot& s) {
  json::array rows;
  rows.reserve(s.instances.size());
  for (const auto& i : s.instances) rows.emplace_back(instance_row(i, s.taken));
  json::array groups;
  groups.reserve(s.sync_groups.size());
  for (const auto& g : s.sync_groups) {
    groups.emplace_back(
        json::object{{"name", g.name}, {"state", g.state}, {"members", strings(g.members)}});
  }
  return json::object{
      {"time", time_or_null(s.taken)},
      {"instances", std::move(rows)},
      {"sync_groups", std::move(groups)},
  };
}

std::string instances_text(const Snapshot& s) {
  return text::instances(instances_json(s));
}

json::value instance_json(const InstanceView& i) {
  json::array tracked;
  tracked.reserve(i.tracked.size());
  for (const auto& t : i.tracked) tracked.emplace_back(tracked_json(t));
  return json::object{
      {"name", i.name},
      {"interface", i.interface},
      {"family", i.family},
      {"vrid", i.vrid},
      {"version", i.version},
      {"state", i.state},
      {"wanted_state", i.wanted_state},
      {"base_priority", i.base_priority},
      {"configured_priority", i.configured_priority},
      {"effective_priority", i.effective_priority},
      {"advert_interval_ms", i.advert_interval_ms},
      {"master_advert_interval_ms", i.master_advert_interval_ms},
      {"nopreempt", i.nopreempt},
      {"preempt_delay_ms", i.preempt_delay_ms},
      {"accept", i.accept},
      {"sync_group", string_or_null(i.sync_group)},
      {"virtual_addresses", strings(i.virtual_addresses)},
      {"last_transition", time_or_null(i.last_transition)},
      {"split_brain", i.split_brain},
      {"running", i.running},
      {"not_running_reason", string_or_null(i.not_running_reason)},
      {"tracked", std::move(tracked)},
      {"counters", counters_json(i.counters)},
  };
}

std::string instance_text(const InstanceView& i) {
  return text::instance(instance_json(i));
}

json::value trackers_json(const Snapshot& s) {
  json::array rows;
  rows.reserve(s.trackers.size());
  for (const auto& t : s.trackers) {
    rows.emplace_back(json::object{
        {"kind", t.kind},
        {"name", t.name},
        {"running", t.running},
        {"unavailable_reason", string_or_null(t.unavailable_reason)},
        {"enabled", t.enabled},
        {"up", t.up},
        {"pending", t.pending},
        {"value", t.value},
        {"transitions", t.transitions},
        {"last_change", time_or_null(t.last_change)},
        {"since_change_ms", age_ms(t.last_change, s.taken)},
        {"used_by", strings(t.used_by)},
    });
  }
  return json::object{{"time", time_or_null(s.taken)}, {"trackers", std::move(rows)}};
}

std::string trackers_text(const Snapshot& s) {
  return text::trackers(trackers_json(s));
}

namespace {

json::value optional_int(const std::optional<int>& v) {
  if (!v) return nullptr;
  return json::value(*v);
}

bool counts_as_up(const CheckView& c) {
  return c.up || !c.enabled;
}

json::object real_server_json(const RealServerView& r) {
  std::uint64_t up = 0;
  for (const auto& c : r.checks) up += counts_as_up(c) ? 1 : 0;
  return {
      {"name", r.name},
      {"address", r.address},
      {"port", r.port},
      {"alive", r.alive},
      {"in_pool", r.in_pool},
      {"weight", r.weight},
      {"effective_weight", r.effective_weight},
      {"inhibit_on_failure", r.inhibit_on_failure},
      {"method", r.method},
      {"notify_up", string_or_null(r.notify_up)},
      {"notify_down", string_or_null(r.notify_down)},
      {"checks", r.checks.size()},
      {"checks_up", up},
  };
}

json::object virtual_server_json(const VirtualServerView& v) {
  json::array real_servers;
  real_servers.reserve(v.real_servers.size());
  for (const auto& r : v.real_servers) real_servers.emplace_back(real_server_json(r));
  json::value persistence = nullptr;
  if (v.persistence_timeout) persistence = *v.persistence_timeout;
  return {
      {"name", v.name},
      {"protocol", v.protocol},
      {"scheduler", v.scheduler},
      {"method", v.method},
      {"delay_loop_ms", v.delay_loop_ms},
      {"quorum", v.quorum},
      {"hysteresis", v.hysteresis},
      {"quorum_up", v.quorum_up},
      {"alive_weight_sum", v.alive_weight_sum},
      {"alpha", v.alpha},
      {"omega", v.omega},
      {"inhibit_on_failure", v.inhibit_on_failure},
      {"sorry_server", string_or_null(v.sorry_server)},
      {"sorry_server_active", v.sorry_server_active},
      {"persistence_timeout", std::move(persistence)},
      {"quorum_up_script", string_or_null(v.quorum_up_script)},
      {"quorum_down_script", string_or_null(v.quorum_down_script)},
      {"backend_error", string_or_null(v.backend_error)},
      {"real_servers", std::move(real_servers)},
  };
}

json::object check_json(const CheckView& c, const VirtualServerView& v, const RealServerView& r,
                        WallClock::time_point now) {
  return {
      {"id", c.id},
      {"virtual_server", v.name},
      {"real_server", r.name},
      {"kind", c.kind},
      {"target", c.target},
      {"enabled", c.enabled},
      {"up", c.up},
      {"has_result", c.has_result},
      {"last_reason", string_or_null(c.last_reason)},
      {"last_exit_code", optional_int(c.last_exit_code)},
      {"weight_contribution", c.weight_contribution},
      {"attempts", c.attempts},
      {"failures", c.failures},
      {"timeouts", c.timeouts},
      {"transitions", c.transitions},
      {"last_change", time_or_null(c.last_change)},
      {"since_change_ms", age_ms(c.last_change, now)},
      {"last_attempt", time_or_null(c.last_attempt)},
      {"since_attempt_ms", age_ms(c.last_attempt, now)},
      {"connect_timeout_ms", c.connect_timeout_ms},
      {"delay_loop_ms", c.delay_loop_ms},
      {"delay_before_retry_ms", c.delay_before_retry_ms},
      {"warmup_ms", c.warmup_ms},
      {"retry", c.retry},
      {"alpha", c.alpha},
  };
}

}  // namespace

json::value servers_json(const Snapshot& s) {
  json::array rows;
  rows.reserve(s.virtual_servers.size());
  for (const auto& v : s.virtual_servers) rows.emplace_back(virtual_server_json(v));
  return json::object{
      {"time", time_or_null(s.taken)},
      {"lb_backend", s.info.lb_backend},
      {"virtual_servers", std::move(rows)},
  };
}

std::string servers_text(const Snapshot& s) {
  return text::servers(servers_json(s));
}

json::value checks_json(const Snapshot& s) {
  json::array rows;
  for (const auto& v : s.virtual_servers) {
    for (const auto& r : v.real_servers) {
      for (const auto& c : r.checks) rows.emplace_back(check_json(c, v, r, s.taken));
    }
  }
  return json::object{{"time", time_or_null(s.taken)}, {"checks", std::move(rows)}};
}

std::string checks_text(const Snapshot& s) {
  return text::checks(checks_json(s));
}

json::value stats_json(const Snapshot& s) {
  json::array rows;
  rows.reserve(s.instances.size());
  for (const auto& i : s.instances) {
    rows.emplace_back(json::object{
        {"name", i.name}, {"state", i.state}, {"counters", counters_json(i.counters)}});
  }
  return json::object{
      {"time", time_or_null(s.taken)},
      {"instances", std::move(rows)},
      {"reloads", s.info.reloads},
      {"reload_failures", s.info.reload_failures},
      {"events_published", s.events_published},
      {"metrics_scrapes", s.metrics_scrapes},
      {"control", control_json(s.control)},
      {"notify", notify_json(s.notify)},
  };
}

std::string stats_text(const Snapshot& s) {
  return text::stats(stats_json(s));
}

}  // namespace halo::status

// --- show schema ---------------------------------------------------------------------------

namespace halo::status {
namespace {

// A field: `type` is a JSON Schema type, "T|null" for a nullable one, or "array<T>".
json::object field(std::string_view type, std::string_view description) {
  json::object o;
  if (type.starts_with("array<")) {
    o["type"] = "array";
    o["items"] = json::object{{"type", type.substr(6, type.size() - 7)}};
  } else if (const auto bar = type.find('|'); bar != std::string_view::npos) {
    o["type"] = json::array{type.substr(0, bar), type.substr(bar + 1)};
  } else {
    o["type"] = type;
  }
  o["description"] = description;
  return o;
}

json::object object_of(json::object properties, std::string_view description = {}) {
  json::object o{{"type", "object"}};
  if (!description.empty()) o["description"] = description;
  o["properties"] = std::move(properties);
  return o;
}

json::object array_of(json::object item, std::string_view description) {
  return {{"type", "array"}, {"description", description}, {"items", std::move(item)}};
}

json::object control_schema() {
  return object_of(
      {
          {"connections_accepted", field("integer", "connections accepted since start")},
          {"connections_active", field("integer", "connections open now")},
          {"maxconn", field("integer", "the connection limit")},
          {"commands", field("integer", "commands answered")},
          {"command_errors", field("integer", "commands answered with an error line")},
          {"evicted_idle", field("integer", "idle connections closed to admit a newcomer")},
          {"refused_busy", field("integer", "newcomers told busy: no connection was idle")},
          {"idle_timeouts", field("integer", "connections closed after the idle timeout")},
          {"command_timeouts",
           field("integer", "connections closed: a reply not taken within the command deadline")},
          {"overlong_lines", field("integer", "connections closed for a line over the limit")},
          {"followers", field("integer", "event streams open now")},
          {"followers_dropped", field("integer", "event streams dropped for reading too slowly")},
      },
      "the control socket's counters");
}

json::object notify_schema() {
  return object_of(
      {
          {"scripts_run", field("integer", "notify scripts started")},
          {"scripts_failed",
           field("integer", "notify scripts that failed: exit code, signal, timeout or spawn")},
          {"scripts_timed_out", field("integer", "notify scripts killed at their timeout")},
          {"scripts_refused",
           field("integer", "notify scripts not run (enable_script_security, unknown user)")},
          {"fifo_lines", field("integer", "lines written to notify FIFOs (per FIFO)")},
          {"fifo_lines_dropped",
           field("integer", "FIFO lines dropped (a reader too slow, or gone)")},
          {"mails_sent", field("integer", "smtp_alert mails the mail server took")},
          {"mails_failed", field("integer", "smtp_alert mails that failed")},
          {"mails_dropped", field("integer", "smtp_alert mails dropped: too many waiting")},
      },
      "the notifier's counters");
}

json::object counters_schema() {
  const auto counter = [](std::string_view d) { return field("integer", d); };
  json::object rejected{{"type", "object"},
                        {"description", "packets rejected, by halo's reason name (zeros included)"},
                        {"additionalProperties", json::object{{"type", "integer"}}}};
  return object_of(
      {
          {"adverts_sent", counter("adverts sent")},
          {"adverts_received", counter("adverts received and accepted")},
          {"became_master", counter("times it became MASTER")},
          {"released_master", counter("times it left MASTER")},
          {"priority_zero_sent", counter("priority 0 adverts sent (resigning)")},
          {"priority_zero_received", counter("priority 0 adverts received")},
          {"send_errors", counter("adverts that could not be sent")},
          {"address_errors", counter("VIP additions or removals that failed")},
          {"announcements_sent", counter("gratuitous ARPs and unsolicited NAs sent")},
          {"split_brain_episodes", counter("times another master was seen while MASTER")},
          {"transitions", counter("state changes since start")},
          {"packet_length_errors", counter("keepalived's name: too short, bad IP header")},
          {"ttl_errors", counter("keepalived's name: bad TTL / hop limit")},
          {"invalid_type", counter("keepalived's name: not an advert")},
          {"advert_interval_errors", counter("keepalived's name: advert interval mismatch")},
          {"address_list_errors", counter("keepalived's name: VIP count or list mismatch")},
          {"invalid_auth_type", counter("keepalived's name: unknown authentication type")},
          {"auth_type_mismatch", counter("keepalived's name: other authentication type")},
          {"auth_failure", counter("keepalived's name: authentication failed")},
          {"rejected", std::move(rejected)},
      },
      "the instance's counters");
}

// Fields an instances row and the full instance share.
json::object instance_common() {
  return {
      {"name", field("string", "the vrrp_instance's name")},
      {"interface", field("string", "its interface")},
      {"family", field("string", "inet or inet6")},
      {"vrid", field("integer", "virtual router id")},
      {"state", field("string", "INIT, BACKUP, MASTER, FAULT or STOP")},
      {"base_priority",
       field("integer", "priority before tracking: as configured or as set at run time")},
      {"effective_priority", field("integer", "priority with tracking, as advertised")},
      {"virtual_addresses", field("array<string>", "VIPs, address/prefix")},
      {"sync_group", field("string|null", "its vrrp_sync_group")},
      {"split_brain", field("boolean", "another master is seen right now")},
      {"running", field("boolean", "false: not started (see not_running_reason)")},
      {"not_running_reason", field("string|null", "why it is not running")},
      {"last_transition", field("string|null", "time of the last state change")},
  };
}

json::object real_server_schema() {
  return {
      {"name", field("string", "keepalived's form: [198.51.100.11]:tcp:80")},
      {"address", field("string", "its address")},
      {"port", field("integer", "its port")},
      {"alive", field("boolean", "its checks pass (alpha/omega, retries applied)")},
      {"in_pool", field("boolean",
                        "held by the load balancer (alive, or kept with weight 0 when "
                        "inhibit_on_failure)")},
      {"weight", field("integer", "configured weight")},
      {"effective_weight", field("integer", "weight with misc_dynamic / FILE_CHECK shares")},
      {"inhibit_on_failure", field("boolean", "a failure sets weight 0 instead of removing it")},
      {"method", field("string", "forwarding method: NAT, DR or TUN")},
      {"notify_up", field("string|null", "notify_up command")},
      {"notify_down", field("string|null", "notify_down command")},
      {"checks", field("integer", "its health checks")},
      {"checks_up", field("integer", "of which up (a disabled check counts as up)")},
  };
}

json::object virtual_server_schema() {
  return {
      {"name", field("string", "keepalived's form: [192.0.2.10]:tcp:80, FWM 5 or group NAME")},
      {"protocol", field("string", "TCP, UDP or SCTP")},
      {"scheduler", field("string", "lb_algo: rr, wrr, sh, ...")},
      {"method", field("string", "default forwarding method: NAT, DR or TUN")},
      {"delay_loop_ms", field("integer", "delay_loop")},
      {"quorum", field("integer", "alive weight needed for the service to be up")},
      {"hysteresis", field("integer", "quorum hysteresis")},
      {"quorum_up", field("boolean", "the quorum is met")},
      {"alive_weight_sum", field("integer", "sum of the alive real servers' weights")},
      {"alpha", field("boolean", "alpha: real servers start down")},
      {"omega", field("boolean", "omega: notify_down scripts run at shutdown")},
      {"inhibit_on_failure", field("boolean", "inhibit_on_failure for its real servers")},
      {"sorry_server", field("string|null", "sorry_server, keepalived's form")},
      {"sorry_server_active", field("boolean", "the sorry server is in the pool (quorum lost)")},
      {"persistence_timeout", field("integer|null", "persistence_timeout in seconds")},
      {"quorum_up_script", field("string|null", "quorum_up command")},
      {"quorum_down_script", field("string|null", "quorum_down command")},
      {"backend_error", field("string|null", "why the back end refused the last change")},
      {"real_servers", array_of(object_of(real_server_schema()), "its real servers")},
  };
}

json::object check_schema() {
  return {
      {"id", field("string", "the check's id, for enable|disable check ID")},
      {"virtual_server", field("string", "its virtual server")},
      {"real_server", field("string", "its real server")},
      {"kind", field("string", "TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, ... (keepalived's)")},
      {"target", field("string", "address:port; MISC_CHECK: the script; FILE_CHECK: the file")},
      {"enabled", field("boolean", "false: disabled at run time, counts as up")},
      {"up", field("boolean", "its status")},
      {"has_result", field("boolean", "an attempt has finished")},
      {"last_reason", field("string|null", "why the last attempt succeeded or failed")},
      {"last_exit_code",
       field("integer|null", "MISC_CHECK: the script's last exit code (keepalived's Last status)")},
      {"weight_contribution", field("integer", "its share of the real server's weight")},
      {"attempts", field("integer", "attempts finished")},
      {"failures", field("integer", "attempts that failed")},
      {"timeouts", field("integer", "attempts that timed out")},
      {"transitions", field("integer", "up/down changes")},
      {"last_change", field("string|null", "time of the last up/down change")},
      {"since_change_ms", field("integer|null", "time since then")},
      {"last_attempt", field("string|null", "when the last attempt finished")},
      {"since_attempt_ms", field("integer|null", "time since then")},
      {"connect_timeout_ms", field("integer", "connect_timeout: an attempt's time limit")},
      {"delay_loop_ms", field("integer", "delay_loop")},
      {"delay_before_retry_ms", field("integer", "delay_before_retry")},
      {"warmup_ms", field("integer", "warmup")},
      {"retry", field("integer", "retry")},
      {"alpha", field("boolean", "alpha: starts down")},
  };
}

}  // namespace

json::value schema_json() {
  const auto time = field("string|null", "when the snapshot was taken (ISO 8601 UTC)");

  json::object row = instance_common();
  row["in_state_ms"] = field("integer|null", "time in the current state");
  json::object instance = instance_common();
  instance["version"] = field("integer", "VRRP version, 2 or 3");
  instance["wanted_state"] = field("string", "the configured state (keepalived's wantstate)");
  instance["configured_priority"] = field("integer", "priority as configured");
  instance["advert_interval_ms"] = field("integer", "our advert interval");
  instance["master_advert_interval_ms"] =
      field("integer", "the master's advert interval as last heard (v3), else ours");
  instance["nopreempt"] = field("boolean", "nopreempt is set");
  instance["preempt_delay_ms"] = field("integer", "preempt_delay");
  instance["accept"] = field("boolean", "accept mode");
  instance["tracked"] =
      array_of(object_of({
                   {"kind", field("string", "interface, script, process, file or bfd")},
                   {"name", field("string", "its name")},
                   {"up", field("boolean", "its status")},
                   {"pending", field("boolean", "a vrrp_script before its first result")},
                   {"value", field("integer", "track_file's number")},
                   {"weight", field("integer", "0: a failure means FAULT")},
                   {"reverse", field("boolean", "the weight applies reversed")},
               }),
               "what the instance tracks");
  instance["counters"] = counters_schema();

  return json::object{
      {"info",
       object_of(
           {
               {"version", field("string", "halo's version")},
               {"pid", field("integer", "halod's process id")},
               {"config_file", field("string", "the configuration file")},
               {"router_id", field("string", "global_defs router_id")},
               {"network_namespace", field("string|null", "the namespace halod runs in")},
               {"time", time},
               {"started", field("string|null", "when halod started")},
               {"uptime_ms", field("integer|null", "time since start")},
               {"reloads", field("integer", "successful reloads")},
               {"reload_failures", field("integer", "reloads refused for config errors")},
               {"last_reload_ok", field("boolean", "the last reload succeeded (true before any)")},
               {"last_reload", field("string|null", "time of the last reload")},
               {"lb_backend", field("string", "ipvs, nftables or none")},
               {"instances", field("integer", "VRRP instances")},
               {"instances_split_brain", field("integer", "instances seeing another master now")},
               {"sync_groups", field("integer", "sync groups")},
               {"trackers", field("integer", "trackers in use")},
               {"events_published", field("integer", "events published since start")},
               {"metrics_scrapes", field("integer", "Prometheus scrapes served")},
               {"control", control_schema()},
           },
           "show info")},
      {"instances",
       object_of(
           {
               {"time", time},
               {"instances", array_of(object_of(std::move(row)), "one row per instance")},
               {"sync_groups", array_of(object_of({
                                            {"name", field("string", "the vrrp_sync_group's name")},
                                            {"state", field("string", "its members' common state")},
                                            {"members", field("array<string>", "its instances")},
                                        }),
                                        "sync groups")},
           },
           "show instances")},
      {"instance", object_of(std::move(instance), "show instance NAME")},
      {"trackers",
       object_of(
           {
               {"time", time},
               {"trackers",
                array_of(
                    object_of({
                        {"kind", field("string", "script, process or file")},
                        {"name", field("string", "its name")},
                        {"running", field("boolean", "false: unavailable")},
                        {"unavailable_reason", field("string|null", "why it is unavailable")},
                        {"enabled", field("boolean",
                                          "false: disabled at run time, failures "
                                          "ignored")},
                        {"up", field("boolean", "its status")},
                        {"pending", field("boolean", "no result yet")},
                        {"value", field("integer", "track_file's number")},
                        {"transitions", field("integer", "status changes since it started")},
                        {"last_change", field("string|null", "time of the last status change")},
                        {"since_change_ms", field("integer|null", "time since then")},
                        {"used_by", field("array<string>", "instances and sync groups")},
                    }),
                    "one row per tracker")},
           },
           "show trackers")},
      {"servers", object_of(
                      {
                          {"time", time},
                          {"lb_backend", field("string", "ipvs, nftables or none")},
                          {"virtual_servers", array_of(object_of(virtual_server_schema()),
                                                       "one entry per virtual server")},
                      },
                      "show servers")},
      {"checks",
       object_of({{"time", time}, {"checks", array_of(object_of(check_schema()), "one per check")}},
                 "show checks")},
      {"stats", object_of(
                    {
                        {"time", time},
                        {"instances", array_of(object_of({
                                                   {"name", field("string", "the instance")},
                                                   {"state", field("string", "its state")},
                                                   {"counters", counters_schema()},
                                               }),
                                               "counters per instance")},
                        {"reloads", field("integer", "successful reloads")},
                        {"reload_failures", field("integer", "reloads refused for config errors")},
                        {"events_published", field("integer", "events published since start")},
                        {"metrics_scrapes", field("integer", "Prometheus scrapes served")},
                        {"control", control_schema()},
                        {"notify", notify_schema()},
                    },
                    "show stats")},
      {"event",
       json::object{
           {"type", "object"},
           {"description",
            "one line of show events; fields beyond these depend on the event's type"},
           {"properties",
            {
                {"seq", field("integer", "sequence number, from 1 at start")},
                {"time", field("string", "when it happened (ISO 8601 UTC, microseconds)")},
                {"type",
                 field("string",
                       "state, priority, tracker, check, real_server, quorum, sorry_server, "
                       "split_brain, reload or daemon")},
            }},
           {"additionalProperties", true},
       }},
  };
}

}  // namespace halo::status
