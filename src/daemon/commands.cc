// The control socket's verbs (the protocol is control/command.h). Every reply is built from a
// fresh status::Snapshot or acts through the subsystem's own interface; nothing here keeps
// state of its own.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "common/log.h"
#include "daemon/daemon.h"
#include "status/render.h"

namespace halo::daemon {
namespace {

using control::Command;
using control::Reply;

struct Verb {
  const char* syntax;
  const char* description;
  bool json;  // has a JSON form
};

// One table for `help` and `show schema`.
constexpr Verb kVerbs[] = {
    {"help", "this list", false},
    {"show info", "the daemon: version, uptime, reloads, control socket and event counters", true},
    {"show instances", "every VRRP instance: state, priorities, addresses, split brain", true},
    {"show instance NAME", "one instance: every field, its tracked items and counters", true},
    {"show trackers", "vrrp_script, vrrp_track_process and track_file: status and users", true},
    {"show checks", "every health check: id, verdict, last result (reason, exit code), counters",
     true},
    {"show servers", "virtual servers (quorum, sorry server) and their real servers", true},
    {"show stats", "counters per instance, rejected packets by reason", true},
    {"show events", "the last 1000 events, one JSON object per line", false},
    {"show events follow", "the events as they happen, until the client closes", false},
    {"show schema", "these commands and the fields of every JSON reply and event", true},
    {"set instance NAME priority N",
     "a new base priority 1..254 until the instance restarts (tracking still applies)", false},
    {"enable tracker [KIND:]NAME", "honour a disabled tracker again", false},
    {"disable tracker [KIND:]NAME",
     "ignore a tracker (it keeps running; it no longer lowers a priority or faults)", false},
    {"enable check ID", "run a disabled health check again (ids: show checks)", false},
    {"disable check ID",
     "stop a health check; it counts as up, so it no longer holds its real server out", false},
    {"reload", "reload the configuration file; on errors the running configuration is kept", false},
    {"dump data|check|stats|json",
     "write keepalived.data, keepalived_check.data, keepalived.stats or keepalived.json to the "
     "dump directory",
     false},
    {"prompt", "interactive mode: the connection stays open, '> ' after each reply", false},
    {"quit", "close the connection", false},
};

std::string help_text() {
  std::string out = "Commands (a last word 'json' asks for the JSON form where there is one):\n";
  for (const auto& v : kVerbs) out += fmt::format("  {:<32} {}\n", v.syntax, v.description);
  return out;
}

boost::json::value schema_json() {
  boost::json::array commands;
  for (const auto& v : kVerbs) {
    commands.push_back({{"command", v.syntax}, {"description", v.description}, {"json", v.json}});
  }
  return {{"protocol",
           "lines of commands separated by ';'; each reply ends with an empty line; "
           "errors are one 'error: ' line"},
          {"commands", std::move(commands)},
          {"replies", status::schema_json()}};
}

// The JSON form, or the table rendered from that same JSON: each reply is built once.
Reply in_form(const Command& c, const boost::json::value& json,
              std::string (*text)(const boost::json::value&)) {
  if (c.json) return {boost::json::serialize(json) + "\n"};
  return {text(json)};
}

std::optional<int> number(const std::string& word) {
  int v = 0;
  auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
  if (ec != std::errc{} || p != word.data() + word.size()) return std::nullopt;
  return v;
}

std::string unknown(const Command& c) {
  std::string line;
  for (const auto& w : c.words) line += (line.empty() ? "" : " ") + w;
  return fmt::format("unknown command '{}'; 'help' lists the commands", line);
}

}  // namespace

Reply Daemon::execute(const Command& c) {
  const auto& w = c.words;
  const auto n = w.size();
  if (w[0] == "help" && n == 1) return {help_text()};

  if (w[0] == "show" && n >= 2) {
    const auto& what = w[1];
    if (what == "events" && n == 2) {
      std::string text;
      for (const auto& line : events_.recent()) text += *line;
      return {text};
    }
    if (what == "events" && n == 3 && w[2] == "follow") return {"", true, true};
    if (what == "schema" && n == 2) {
      return {boost::json::serialize(schema_json()) + "\n"};
    }
    if (n == 2 || (what == "instance" && n == 3)) {
      const auto s = snapshot(what == "servers" || what == "checks");
      if (what == "info") return in_form(c, status::info_json(s), status::text::info);
      if (what == "instances") {
        return in_form(c, status::instances_json(s), status::text::instances);
      }
      if (what == "trackers") {
        return in_form(c, status::trackers_json(s), status::text::trackers);
      }
      if (what == "stats") return in_form(c, status::stats_json(s), status::text::stats);
      if (what == "servers") return in_form(c, status::servers_json(s), status::text::servers);
      if (what == "checks") return in_form(c, status::checks_json(s), status::text::checks);
      if (what == "instance") {
        for (const auto& i : s.instances) {
          if (i.name == w[2]) {
            return in_form(c, status::instance_json(i), status::text::instance);
          }
        }
        return Reply::error(fmt::format("no instance '{}'", w[2]));
      }
    }
    return Reply::error(unknown(c));
  }

  if (w[0] == "set" && n == 5 && w[1] == "instance" && w[3] == "priority") {
    auto* instance = vrrp_ ? vrrp_->find(w[2]) : nullptr;
    if (instance == nullptr) return Reply::error(fmt::format("no running instance '{}'", w[2]));
    const auto priority = number(w[4]);
    if (!priority) return Reply::error(fmt::format("'{}' is not a priority (1..254)", w[4]));
    if (auto done = instance->set_base_priority(*priority); !done) {
      return Reply::error(done.error().message);
    }
    return {fmt::format("{}: base priority {}, effective priority {}\n", w[2], *priority,
                        instance->priority())};
  }

  if ((w[0] == "enable" || w[0] == "disable") && n == 3) {
    const bool enable = w[0] == "enable";
    if (w[1] == "check") {
      if (!lb_) return Reply::error("halod runs no checks (started with -P)");
      if (auto done = lb_->set_check_enabled(w[2], enable); !done) {
        return Reply::error(done.error().message);
      }
      return {fmt::format("check {} {}\n", w[2], enable ? "enabled" : "disabled")};
    }
    if (w[1] == "tracker") {
      // [KIND:]NAME; a bare name must be unambiguous among the kinds.
      std::string kind;
      std::string name = w[2];
      if (const auto colon = name.find(':'); colon != std::string::npos) {
        kind = name.substr(0, colon);
        name = name.substr(colon + 1);
      }
      std::vector<status::TrackerView> matches;
      for (auto& t : trackers_->views()) {
        if (t.name == name && (kind.empty() || t.kind == kind)) matches.push_back(std::move(t));
      }
      if (matches.empty()) return Reply::error(fmt::format("no tracker '{}'", w[2]));
      if (matches.size() > 1) {
        return Reply::error(
            fmt::format("'{}' names trackers of several kinds; say which, e.g. "
                        "{}:{}",
                        name, matches[0].kind, name));
      }
      const auto& t = matches[0];
      // The kind comes from TrackerSet::views(), which writes it with to_string().
      const auto k = track::kind_from_string(t.kind).value_or(track::TrackerKind::Script);
      if (auto done = trackers_->set_enabled(k, t.name, enable); !done) {
        return Reply::error(done.error().message);
      }
      log::get("daemon").info("{} {} {} (control socket)", t.kind, t.name,
                              enable ? "enabled" : "disabled");
      return {fmt::format("{} {} {}\n", t.kind, t.name, enable ? "enabled" : "disabled")};
    }
    return Reply::error(unknown(c));
  }

  if (w[0] == "reload" && n == 1) {
    if (auto done = reload(); !done) return Reply::error(done.error().message);
    return {fmt::format("reloaded {} (reload {})\n", config_path_, reloads_)};
  }

  if (w[0] == "dump" && n == 2) {
    Result<std::string> written = fail("");
    if (w[1] == "data") {
      written = write_data_dump();
    } else if (w[1] == "stats") {
      written = write_stats_dump();
    } else if (w[1] == "json") {
      written = write_json_dump();
    } else if (w[1] == "check") {
      written = write_check_dump();
    } else {
      return Reply::error(fmt::format("dump what? data, check, stats or json, not '{}'", w[1]));
    }
    if (!written) return Reply::error(written.error().message);
    return {fmt::format("wrote {}\n", *written)};
  }
  return Reply::error(unknown(c));
}

}  // namespace halo::daemon
