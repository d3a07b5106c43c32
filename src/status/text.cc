// The text forms of the `show` replies, from their JSON forms (see text.h for why).
//
// Lists are tables (table()); single things are "label: value" lines with the labels padded
// to one width. Field lookups go through field()/str()/num(), which answer "-" or 0 for what
// is missing or of another type, so a reply from a daemon of another version still renders.
#include "status/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string_view>
#include <utility>

namespace halo::status {
namespace {

namespace json = boost::json;

const json::value* field(const json::value& v, std::string_view key) {
  const auto* o = v.if_object();
  return o == nullptr ? nullptr : o->if_contains(key);
}

std::string str(const json::value* v);

std::string join(const json::array& a, std::string_view separator) {
  std::string out;
  for (const auto& item : a) {
    if (!out.empty()) out += separator;
    out += str(&item);
  }
  return out;
}

// A value as a cell: strings as they are, numbers in decimal, booleans yes/no, "-" for null
// or missing, arrays comma-joined.
std::string str(const json::value* v) {
  if (v == nullptr) return "-";
  switch (v->kind()) {
    case json::kind::null:
      return "-";
    case json::kind::bool_:
      return v->get_bool() ? "yes" : "no";
    case json::kind::int64:
      return fmt::format("{}", v->get_int64());
    case json::kind::uint64:
      return fmt::format("{}", v->get_uint64());
    case json::kind::double_:
      return fmt::format("{}", v->get_double());
    case json::kind::string:
      return std::string(v->get_string());
    case json::kind::array:
      return v->get_array().empty() ? "-" : join(v->get_array(), ",");
    case json::kind::object:
      return json::serialize(*v);
  }
  return "-";
}

std::string str(const json::value& v, std::string_view key) {
  return str(field(v, key));
}

bool flag(const json::value& v, std::string_view key) {
  const auto* f = field(v, key);
  return f != nullptr && f->is_bool() && f->get_bool();
}

bool has_number(const json::value& v, std::string_view key) {
  const auto* f = field(v, key);
  return f != nullptr && f->is_number();
}

std::int64_t num(const json::value& v, std::string_view key) {
  const auto* f = field(v, key);
  if (f == nullptr) return 0;
  if (f->is_int64()) return f->get_int64();
  if (f->is_uint64()) return static_cast<std::int64_t>(f->get_uint64());
  if (f->is_double()) return static_cast<std::int64_t>(f->get_double());
  return 0;
}

// A duration field as text, "-" when missing or null.
std::string duration_of(const json::value& v, std::string_view key) {
  return has_number(v, key) ? text::duration(num(v, key)) : "-";
}

const json::array* array(const json::value& v, std::string_view key) {
  const auto* f = field(v, key);
  return f == nullptr ? nullptr : f->if_array();
}

// "label: value" lines, the values starting in one column.
using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string pairs(const Pairs& lines) {
  std::size_t width = 0;
  for (const auto& [label, value] : lines) width = std::max(width, label.size());
  std::string out;
  for (const auto& [label, value] : lines) {
    out += fmt::format("{:<{}} {}", label + ":", width + 1, value);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  return out;
}

// A snake_case key as a label: "adverts_sent" -> "adverts sent".
std::string label(std::string_view key) {
  std::string out(key);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

// A VIP list for a table cell: the first three, then how many more.
std::string vips(const json::value& row) {
  const auto* a = array(row, "virtual_addresses");
  if (a == nullptr || a->empty()) return "-";
  constexpr std::size_t kShown = 3;
  std::string out;
  for (std::size_t n = 0; n < a->size() && n < kShown; ++n) {
    if (!out.empty()) out += ',';
    out += str(&(*a)[n]);
  }
  if (a->size() > kShown) out += fmt::format(",+{}", a->size() - kShown);
  return out;
}

std::string tracked_status(const json::value& t) {
  if (flag(t, "pending")) return "pending";
  return flag(t, "up") ? "up" : "down";
}

std::string counters_text(const json::value& counters) {
  Pairs lines;
  std::string rejected;
  if (const auto* o = counters.if_object()) {
    for (const auto& [key, value] : *o) {
      if (key == "rejected") {
        if (const auto* r = value.if_object()) {
          for (const auto& [reason, count] : *r) {
            if (str(&count) == "0") continue;
            if (!rejected.empty()) rejected += ", ";
            rejected += fmt::format("{} {}", std::string_view(reason), str(&count));
          }
        }
        continue;
      }
      lines.emplace_back(label(key), str(&value));
    }
  }
  lines.emplace_back("rejected", rejected.empty() ? "none" : rejected);
  return pairs(lines);
}

std::string control_text(const json::value& c) {
  Pairs lines;
  lines.emplace_back("connections",
                     fmt::format("{} active of {}, {} accepted", str(c, "connections_active"),
                                 str(c, "maxconn"), str(c, "connections_accepted")));
  lines.emplace_back("commands",
                     fmt::format("{} ({} errors)", str(c, "commands"), str(c, "command_errors")));
  lines.emplace_back("evicted idle", str(c, "evicted_idle"));
  lines.emplace_back("refused busy", str(c, "refused_busy"));
  lines.emplace_back("idle timeouts", str(c, "idle_timeouts"));
  lines.emplace_back("command timeouts", str(c, "command_timeouts"));
  lines.emplace_back("overlong lines", str(c, "overlong_lines"));
  lines.emplace_back("event followers", fmt::format("{} ({} dropped)", str(c, "followers"),
                                                    str(c, "followers_dropped")));
  return pairs(lines);
}

std::string notify_text(const json::value& n) {
  Pairs lines;
  lines.emplace_back(
      "scripts", fmt::format("{} run, {} failed ({} timed out), {} refused", str(n, "scripts_run"),
                             str(n, "scripts_failed"), str(n, "scripts_timed_out"),
                             str(n, "scripts_refused")));
  lines.emplace_back("fifo lines", fmt::format("{} ({} dropped)", str(n, "fifo_lines"),
                                               str(n, "fifo_lines_dropped")));
  lines.emplace_back("mails", fmt::format("{} sent, {} failed, {} dropped", str(n, "mails_sent"),
                                          str(n, "mails_failed"), str(n, "mails_dropped")));
  return pairs(lines);
}

std::string indent(const std::string& lines) {
  std::string out;
  bool start = true;
  for (const char c : lines) {
    if (start && c != '\n') out += "  ";
    out += c;
    start = c == '\n';
  }
  return out;
}

}  // namespace

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (row.size() > widths.size()) widths.resize(row.size(), 0);
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - row[c].size(), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

namespace text {

std::string duration(std::int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms < 60'000) return fmt::format("{}s", static_cast<double>(ms) / 1000.0);
  const auto s = ms / 1000;
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86'400) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{:02}h", s / 86'400, s % 86'400 / 3600);
}

std::string info(const json::value& v) {
  Pairs lines;
  lines.emplace_back("version", str(v, "version"));
  lines.emplace_back("pid", str(v, "pid"));
  lines.emplace_back("config file", str(v, "config_file"));
  lines.emplace_back("router id", str(v, "router_id"));
  const auto ns = str(v, "network_namespace");
  lines.emplace_back("network namespace", ns == "-" ? "(default)" : ns);
  lines.emplace_back("started",
                     fmt::format("{} (up {})", str(v, "started"), duration_of(v, "uptime_ms")));
  std::string reloads = str(v, "reloads");
  if (num(v, "reload_failures") > 0)
    reloads += fmt::format(", {} failed", str(v, "reload_failures"));
  if (const auto* last = field(v, "last_reload"); last != nullptr && last->is_string()) {
    reloads += fmt::format(", last {} {}", str(last), flag(v, "last_reload_ok") ? "ok" : "FAILED");
  }
  lines.emplace_back("reloads", reloads);
  lines.emplace_back("load balancer", str(v, "lb_backend"));
  std::string instances = str(v, "instances");
  if (num(v, "instances_split_brain") > 0) {
    instances += fmt::format(" ({} in split brain)", str(v, "instances_split_brain"));
  }
  lines.emplace_back("instances", instances);
  lines.emplace_back("sync groups", str(v, "sync_groups"));
  lines.emplace_back("trackers", str(v, "trackers"));
  lines.emplace_back("events published", str(v, "events_published"));
  lines.emplace_back("metrics scrapes", str(v, "metrics_scrapes"));
  std::string out = pairs(lines);
  if (const auto* c = field(v, "control"); c != nullptr && c->is_object()) {
    out += "control socket:\n" + indent(control_text(*c));
  }
  return out;
}

std::string instances(const json::value& v) {
  std::vector<std::vector<std::string>> rows{
      {"NAME", "INTERFACE", "VRID", "STATE", "PRIORITY", "EFFECTIVE", "VIPS", "SINCE", "NOTE"}};
  if (const auto* list = array(v, "instances")) {
    for (const auto& i : *list) {
      std::string note;
      if (flag(i, "split_brain")) note = "SPLIT BRAIN";
      if (const auto* running = field(i, "running");
          running != nullptr && running->is_bool() && !running->get_bool()) {
        if (!note.empty()) note += "; ";
        note += "not running: " + str(i, "not_running_reason");
      }
      rows.push_back({str(i, "name"), str(i, "interface"), str(i, "vrid"), str(i, "state"),
                      str(i, "base_priority"), str(i, "effective_priority"), vips(i),
                      duration_of(i, "in_state_ms"), note});
    }
  }
  std::string out = table(rows);
  if (const auto* groups = array(v, "sync_groups"); groups != nullptr && !groups->empty()) {
    std::vector<std::vector<std::string>> group_rows{{"SYNC GROUP", "STATE", "MEMBERS"}};
    for (const auto& g : *groups) {
      group_rows.push_back({str(g, "name"), str(g, "state"), str(g, "members")});
    }
    out += '\n' + table(group_rows);
  }
  return out;
}

std::string instance(const json::value& v) {
  Pairs lines;
  lines.emplace_back("name", str(v, "name"));
  std::string state = str(v, "state");
  if (str(v, "wanted_state") != "-") state += fmt::format(" (wanted {})", str(v, "wanted_state"));
  lines.emplace_back("state", state);
  lines.emplace_back("interface", fmt::format("{} ({}, VRID {}, VRRPv{})", str(v, "interface"),
                                              str(v, "family"), str(v, "vrid"), str(v, "version")));
  lines.emplace_back("priority",
                     fmt::format("{} (configured {}, effective {})", str(v, "base_priority"),
                                 str(v, "configured_priority"), str(v, "effective_priority")));
  lines.emplace_back("advert interval",
                     fmt::format("{} (master's {})", duration_of(v, "advert_interval_ms"),
                                 duration_of(v, "master_advert_interval_ms")));
  std::string preempt = "yes";
  if (flag(v, "nopreempt")) {
    preempt = "no (nopreempt)";
  } else if (num(v, "preempt_delay_ms") > 0) {
    preempt += ", after " + duration_of(v, "preempt_delay_ms");
  }
  lines.emplace_back("preempt", preempt);
  lines.emplace_back("accept", str(v, "accept"));
  lines.emplace_back("sync group", str(v, "sync_group"));
  const auto* addresses = array(v, "virtual_addresses");
  lines.emplace_back("virtual addresses",
                     addresses == nullptr || addresses->empty() ? "-" : join(*addresses, ", "));
  lines.emplace_back("last transition", str(v, "last_transition"));
  lines.emplace_back("split brain", flag(v, "split_brain") ? "YES" : "no");
  if (const auto* running = field(v, "running");
      running != nullptr && running->is_bool() && !running->get_bool()) {
    lines.emplace_back("running", "no: " + str(v, "not_running_reason"));
  } else {
    lines.emplace_back("running", "yes");
  }
  std::string out = pairs(lines);
  if (const auto* tracked = array(v, "tracked"); tracked != nullptr && !tracked->empty()) {
    std::vector<std::vector<std::string>> rows{{"KIND", "NAME", "STATUS", "WEIGHT", "VALUE"}};
    for (const auto& t : *tracked) {
      std::string weight = num(t, "weight") == 0 ? std::string("fault") : str(t, "weight");
      if (flag(t, "reverse")) weight += " reverse";
      rows.push_back({str(t, "kind"), str(t, "name"), tracked_status(t), weight, str(t, "value")});
    }
    out += "\ntracked:\n" + indent(table(rows));
  }
  if (const auto* counters = field(v, "counters"); counters != nullptr && counters->is_object()) {
    out += "\ncounters:\n" + indent(counters_text(*counters));
  }
  return out;
}

std::string trackers(const json::value& v) {
  std::vector<std::vector<std::string>> rows{
      {"KIND", "NAME", "STATUS", "VALUE", "CHANGES", "SINCE", "USED BY"}};
  if (const auto* list = array(v, "trackers")) {
    for (const auto& t : *list) {
      std::string status;
      if (const auto* running = field(t, "running");
          running != nullptr && running->is_bool() && !running->get_bool()) {
        status = "unavailable: " + str(t, "unavailable_reason");
      } else {
        status = tracked_status(t);
      }
      if (const auto* enabled = field(t, "enabled");
          enabled != nullptr && enabled->is_bool() && !enabled->get_bool()) {
        status += " (disabled)";
      }
      rows.push_back({str(t, "kind"), str(t, "name"), status, str(t, "value"),
                      str(t, "transitions"), duration_of(t, "since_change_ms"), str(t, "used_by")});
    }
  }
  return table(rows);
}

std::string stats(const json::value& v) {
  std::vector<std::vector<std::string>> rows{{"NAME", "STATE", "SENT", "RECEIVED", "BECAME MASTER",
                                              "RELEASED", "PRIO0 SENT", "PRIO0 RECEIVED",
                                              "REJECTED", "ERRORS", "SPLIT BRAIN"}};
  std::vector<std::vector<std::string>> rejected{{"INSTANCE", "REASON", "COUNT"}};
  if (const auto* list = array(v, "instances")) {
    for (const auto& i : *list) {
      const json::value* c = field(i, "counters");
      const json::value& counters = c == nullptr ? i : *c;
      std::uint64_t rejected_total = 0;
      if (const auto* r = field(counters, "rejected"); r != nullptr && r->is_object()) {
        for (const auto& [reason, count] : r->get_object()) {
          boost::system::error_code error;
          const auto n = count.to_number<std::uint64_t>(error);  // never throws this way
          if (error || n == 0) continue;
          rejected_total += n;
          rejected.push_back({str(i, "name"), std::string(reason), fmt::format("{}", n)});
        }
      }
      rows.push_back(
          {str(i, "name"), str(i, "state"), str(counters, "adverts_sent"),
           str(counters, "adverts_received"), str(counters, "became_master"),
           str(counters, "released_master"), str(counters, "priority_zero_sent"),
           str(counters, "priority_zero_received"), fmt::format("{}", rejected_total),
           fmt::format("{}", num(counters, "send_errors") + num(counters, "address_errors")),
           str(counters, "split_brain_episodes")});
    }
  }
  std::string out = table(rows);
  out += '\n';
  out += rejected.size() > 1 ? "rejected packets:\n" + indent(table(rejected))
                             : std::string("rejected packets: none\n");
  Pairs daemon;
  daemon.emplace_back("reloads",
                      fmt::format("{} ({} failed)", str(v, "reloads"), str(v, "reload_failures")));
  daemon.emplace_back("events published", str(v, "events_published"));
  daemon.emplace_back("metrics scrapes", str(v, "metrics_scrapes"));
  out += '\n' + pairs(daemon);
  if (const auto* c = field(v, "control"); c != nullptr && c->is_object()) {
    out += "control socket:\n" + indent(control_text(*c));
  }
  if (const auto* n = field(v, "notify"); n != nullptr && n->is_object()) {
    out += "notify:\n" + indent(notify_text(*n));
  }
  return out;
}

std::string servers(const json::value& v) {
  const auto* list = array(v, "virtual_servers");
  if (list == nullptr || list->empty()) return "no virtual servers\n";
  std::vector<std::vector<std::string>> vs_rows{{"VIRTUAL SERVER", "PROTOCOL", "SCHEDULER",
                                                 "METHOD", "QUORUM", "ALIVE WEIGHT", "STATUS",
                                                 "SORRY SERVER", "NOTE"}};
  std::vector<std::vector<std::string>> rs_rows{
      {"VIRTUAL SERVER", "REAL SERVER", "STATUS", "WEIGHT", "EFFECTIVE", "CHECKS", "NOTE"}};
  for (const auto& vs : *list) {
    std::string quorum = str(vs, "quorum");
    if (num(vs, "hysteresis") != 0) {
      quorum += fmt::format(" (hysteresis {})", str(vs, "hysteresis"));
    }
    std::string sorry = str(vs, "sorry_server");
    if (flag(vs, "sorry_server_active")) sorry += " (active)";
    std::string note;
    if (const auto* error = field(vs, "backend_error"); error != nullptr && error->is_string()) {
      note = "back end: " + str(error);
    }
    const auto* quorum_up = field(vs, "quorum_up");
    const bool down = quorum_up != nullptr && quorum_up->is_bool() && !quorum_up->get_bool();
    vs_rows.push_back({str(vs, "name"), str(vs, "protocol"), str(vs, "scheduler"),
                       str(vs, "method"), quorum, str(vs, "alive_weight_sum"),
                       down ? "DOWN (quorum lost)" : "up", sorry, note});
    const auto* real_servers = array(vs, "real_servers");
    if (real_servers == nullptr) continue;
    bool first = true;
    for (const auto& rs : *real_servers) {
      const bool alive = flag(rs, "alive");
      const bool in_pool = flag(rs, "in_pool");
      std::string rs_note;
      if (!alive && in_pool) rs_note = "inhibited: weight 0";
      if (alive && !in_pool) rs_note = "not in the pool";
      const std::string checks =
          num(rs, "checks") == 0 ? std::string("none")
                                 : fmt::format("{}/{} up", str(rs, "checks_up"), str(rs, "checks"));
      rs_rows.push_back({first ? str(vs, "name") : std::string(), str(rs, "name"),
                         alive ? "up" : "down", str(rs, "weight"), str(rs, "effective_weight"),
                         checks, rs_note});
      first = false;
    }
  }
  return table(vs_rows) + '\n' + table(rs_rows);
}

std::string checks(const json::value& v) {
  std::vector<std::vector<std::string>> rows{{"ID", "KIND", "TARGET", "STATUS", "LAST STATUS",
                                              "WEIGHT", "ATTEMPTS", "FAILURES", "TIMEOUTS",
                                              "CHANGES", "SINCE", "LAST REASON"}};
  if (const auto* list = array(v, "checks")) {
    for (const auto& c : *list) {
      std::string status;
      if (const auto* ran = field(c, "has_result");
          ran != nullptr && ran->is_bool() && !ran->get_bool()) {
        status = "pending";
      } else {
        status = flag(c, "up") ? "up" : "down";
      }
      if (const auto* enabled = field(c, "enabled");
          enabled != nullptr && enabled->is_bool() && !enabled->get_bool()) {
        status += " (disabled)";
      }
      rows.push_back({str(c, "id"), str(c, "kind"), str(c, "target"), status,
                      str(c, "last_exit_code"), str(c, "weight_contribution"), str(c, "attempts"),
                      str(c, "failures"), str(c, "timeouts"), str(c, "transitions"),
                      duration_of(c, "since_change_ms"), str(c, "last_reason")});
    }
  }
  return table(rows);
}

namespace {

// "up" / "down" from a boolean field, "-" when missing.
std::string up_down(const json::value& v, std::string_view key) {
  const auto* f = field(v, key);
  if (f == nullptr || !f->is_bool()) return "-";
  return f->get_bool() ? "up" : "down";
}

// The load-balancer events (check, real_server, quorum, sorry_server) after the time, or ""
// for another type.
std::string lb_event(const json::value& v, const std::string& type) {
  if (type == "check") {
    // "check ID MISC_CHECK up -> down: exit status 2 (exit code 2)"
    std::string subject = str(v, "id");
    if (subject == "-") subject = str(v, "virtual_server") + ' ' + str(v, "real_server");
    const auto status = up_down(v, "up");
    std::string change = status;
    if (flag(v, "changed")) {
      change = status == "up" ? "down -> up" : status == "down" ? "up -> down" : status;
    } else if (status != "-") {
      change = "still " + status;
    }
    std::string out = fmt::format("check {} {} {}", subject, str(v, "kind"), change);
    if (const auto* reason = field(v, "reason");
        reason != nullptr && reason->is_string() && !reason->get_string().empty()) {
      out += ": " + str(reason);
    }
    if (has_number(v, "exit_code")) out += fmt::format(" (exit code {})", str(v, "exit_code"));
    return out;
  }
  if (type == "real_server") {
    // "real server [..]:tcp:80 of [..]:tcp:80 down (weight 0): MISC_CHECK failed"
    std::string out = fmt::format("real server {} of {} {}", str(v, "real_server"),
                                  str(v, "virtual_server"), up_down(v, "up"));
    if (field(v, "weight") != nullptr) out += fmt::format(" (weight {})", str(v, "weight"));
    if (const auto* reason = field(v, "reason");
        reason != nullptr && reason->is_string() && !reason->get_string().empty()) {
      out += ": " + str(reason);
    }
    return out;
  }
  if (type == "quorum") {
    // "virtual server [..]:tcp:80 quorum down (alive weight 1, threshold 2)"
    return fmt::format("virtual server {} quorum {} (alive weight {}, threshold {})",
                       str(v, "virtual_server"), up_down(v, "up"), str(v, "weight_sum"),
                       str(v, "threshold"));
  }
  if (type == "sorry_server") {
    // "virtual server [..]:tcp:80 sorry server [..]:tcp:80 active"
    const auto* active = field(v, "active");
    const std::string state = active == nullptr || !active->is_bool() ? "-"
                              : active->get_bool()                    ? "active"
                                                                      : "inactive";
    return fmt::format("virtual server {} sorry server {} {}", str(v, "virtual_server"),
                       str(v, "sorry_server"), state);
  }
  return {};
}

}  // namespace

std::string event(const json::value& v) {
  // "2026-11-22T21:30:00.123456Z" -> "21:30:00.123"
  std::string time = str(v, "time");
  if (time.size() >= 23 && time[10] == 'T') time = time.substr(11, 12);
  const std::string type = str(v, "type");
  if (auto lb = lb_event(v, type); !lb.empty()) return time + ' ' + lb;
  std::string subject_key;
  for (const char* key : {"instance", "group", "sync_group", "tracker", "check", "name"}) {
    if (field(v, key) != nullptr) {
      subject_key = key;
      break;
    }
  }
  std::string out = time;
  if (!subject_key.empty()) out += ' ' + str(v, subject_key);
  if (type != "state") out += ' ' + label(type);
  const bool change = field(v, "from") != nullptr && field(v, "to") != nullptr;
  if (change) out += fmt::format(" {} -> {}", str(v, "from"), str(v, "to"));
  std::string extra;
  if (const auto* o = v.if_object()) {
    for (const auto& [key, value] : *o) {
      if (key == "seq" || key == "time" || key == "type" || key == subject_key) continue;
      if (change && (key == "from" || key == "to")) continue;
      if (!extra.empty()) extra += ", ";
      extra += fmt::format("{} {}", label(key), str(&value));
    }
  }
  if (!extra.empty()) out += " (" + extra + ")";
  return out;
}

}  // namespace text
}  // namespace halo::status
