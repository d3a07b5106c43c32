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
  };
}

std::string stats_text(const Snapshot& s) {
  return text::stats(stats_json(s));
}

}  // namespace halo::status
