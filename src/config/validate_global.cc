// Whole-configuration checks of the global area (see validate.h), and the script security
// check every area runs on its scripts.
//
// What keepalived 2.2.7's `-t` does, and so what we do:
//  - an interface named by linkbeat_interfaces or interface_up_down_delays that does not
//    exist makes the configuration unusable (exit 4); one named by a static address, route,
//    rule or garp_group is an error (exit 5); dynamic_interfaces allows both.
//  - a static address without dev needs default_interface to exist (exit 4).
//  - static items name track groups that must exist; track group names are unique; a
//    garp_group needs a delay, and an interface belongs to one garp_group only.
//  - scripts that would run as root without enable_script_security make `-t` exit 6 with
//    one "SECURITY VIOLATION" line for the whole configuration.
#include <pwd.h>

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "config/lexer.h"
#include "config/validate.h"
#include "process/credentials.h"

namespace halo::config {
namespace {

class InterfaceCheck {
 public:
  InterfaceCheck(const Config& config, const ValidateOptions& options, Diagnostics& diag)
      : dynamic_(config.global.defs.dynamic_interfaces), options_(options), diag_(diag) {}

  // A missing interface: fatal for `fatal` uses, an error otherwise; with dynamic_interfaces
  // it may appear later, so only a warning.
  void require(std::string_view name, SourceLoc loc, std::string_view what, bool fatal = false) {
    if (name.empty() || !options_.interface_exists || options_.interface_exists(name)) return;
    auto message = fmt::format("interface '{}' of {} does not exist", name, what);
    if (dynamic_) {
      diag_.warning(loc, message + " (allowed by dynamic_interfaces)");
    } else if (fatal) {
      diag_.fatal(loc, std::move(message));
    } else {
      diag_.error(loc, std::move(message));
    }
  }

 private:
  bool dynamic_;
  const ValidateOptions& options_;
  Diagnostics& diag_;
};

void check_track_groups(const GlobalConfig& g, const Config& config, Diagnostics& diag) {
  std::unordered_set<std::string_view> names;
  for (const auto& tg : g.track_groups) {
    if (!names.insert(tg.name).second) {
      diag.error(tg.loc, fmt::format("track_group '{}' is already defined", tg.name));
    }
    for (const auto& vi : tg.group) {
      const bool found = std::any_of(config.vrrp.instances.begin(), config.vrrp.instances.end(),
                                     [&](const VrrpInstance& i) { return i.name == vi; });
      if (!found && !config.vrrp.instances.empty()) {
        // keepalived logs this and goes on.
        diag.warning(tg.loc, fmt::format("vrrp_instance '{}' of track_group '{}' does not exist",
                                         vi, tg.name));
      }
    }
  }
  auto known = [&](const std::string& name) { return names.contains(name); };
  for (const auto& a : g.static_ipaddress) {
    if (!a.track_group.empty() && !known(a.track_group)) {
      diag.error(a.loc, fmt::format("track_group '{}' is not defined", a.track_group));
    }
  }
  for (const auto& r : g.static_routes) {
    if (!r.track_group.empty() && !known(r.track_group)) {
      diag.error(r.loc, fmt::format("track_group '{}' is not defined", r.track_group));
    }
  }
  for (const auto& r : g.static_rules) {
    if (!r.track_group.empty() && !known(r.track_group)) {
      diag.error(r.loc, fmt::format("track_group '{}' is not defined", r.track_group));
    }
  }
}

void check_interfaces(const GlobalConfig& g, InterfaceCheck& ifs, const ValidateOptions& options,
                      bool dynamic, Diagnostics& diag) {
  for (const auto& l : g.linkbeat_interfaces) {
    ifs.require(l.name, l.loc, "linkbeat_interfaces", /*fatal=*/true);
  }
  for (const auto& d : g.interface_up_down_delays) {
    ifs.require(d.name, d.loc, "interface_up_down_delays", /*fatal=*/true);
  }
  for (const auto& a : g.static_ipaddress) {
    if (!a.dev.empty()) {
      ifs.require(a.dev, a.loc, "static address " + a.words.front());
    } else if (!dynamic && options.interface_exists &&
               !options.interface_exists(g.defs.default_interface)) {
      diag.fatal(a.loc, fmt::format("static address {} has no dev and default_interface '{}' "
                                    "does not exist",
                                    a.words.front(), g.defs.default_interface));
    }
  }
  for (const auto& r : g.static_routes) {
    ifs.require(r.dev, r.loc, "static route " + r.destination.to_string());
    for (const auto& nh : r.nexthops) {
      ifs.require(nh.dev, r.loc, "nexthop of static route " + r.destination.to_string());
    }
  }
  for (const auto& r : g.static_rules) {
    ifs.require(r.iif, r.loc, "static rule");
    ifs.require(r.oif, r.loc, "static rule");
  }
  for (const auto& gg : g.garp_groups) {
    if (gg.interface) ifs.require(*gg.interface, gg.loc, "garp_group");
    for (const auto& i : gg.interfaces) ifs.require(i, gg.loc, "garp_group");
  }
}

void check_garp_groups(const GlobalConfig& g, Diagnostics& diag) {
  std::unordered_set<std::string_view> seen;
  for (const auto& gg : g.garp_groups) {
    if (!gg.garp_interval && !gg.gna_interval) {
      diag.error(gg.loc, "garp_group needs garp_interval or gna_interval");
    }
    auto claim = [&](const std::string& name) {
      if (!seen.insert(name).second) {
        diag.error(gg.loc, fmt::format("interface '{}' is already in another garp_group", name));
      }
    };
    if (gg.interface) claim(*gg.interface);
    for (const auto& i : gg.interfaces) claim(i);
  }
}

// ---- scripts --------------------------------------------------------------------------------

bool already_reported_security(const Diagnostics& diag) {
  const auto& all = diag.all();
  return std::any_of(all.begin(), all.end(),
                     [](const Diagnostic& d) { return d.impact == Impact::ScriptSecurity; });
}

// The uid a script runs as: its own user, else script_user, else keepalived_script if that
// user exists, else root. Null when no such user can be determined.
struct RunAs {
  bool known = true;  // false: enable_script_security with no user to run as
  bool root = true;
};

RunAs run_as(const Script& script, const GlobalDefs& defs) {
  auto uid_of = [](const std::string& name) -> std::optional<uid_t> {
    const passwd* pw = getpwnam(name.c_str());
    if (pw == nullptr) return std::nullopt;
    return pw->pw_uid;
  };
  std::optional<std::string> user = script.user ? script.user : defs.script_user;
  if (!user) {
    if (uid_of("keepalived_script")) {
      user = "keepalived_script";
    } else if (defs.enable_script_security) {
      return {false, true};
    }
  }
  if (!user) return {true, true};
  auto uid = uid_of(*user);
  return {true, !uid || *uid == 0};
}

}  // namespace

void validate_global(const Config& config, const ValidateOptions& options, Diagnostics& diag) {
  const auto& g = config.global;
  InterfaceCheck ifs(config, options, diag);
  check_interfaces(g, ifs, options, g.defs.dynamic_interfaces, diag);
  check_track_groups(g, config, diag);
  check_garp_groups(g, diag);

  if (g.defs.lvs_sync_daemon && !g.defs.lvs_sync_daemon->instance.empty() &&
      !config.vrrp.instances.empty()) {
    const auto& name = g.defs.lvs_sync_daemon->instance;
    const bool found = std::any_of(config.vrrp.instances.begin(), config.vrrp.instances.end(),
                                   [&](const VrrpInstance& i) { return i.name == name; });
    if (!found) {
      diag.warning({}, fmt::format("lvs_sync_daemon names vrrp_instance '{}', which does not "
                                   "exist",
                                   name));
    }
  }

  // Scripts of global_defs, checked when the process that runs them would run, as keepalived.
  const auto& d = g.defs;
  const bool vrrp = !config.vrrp.instances.empty();
  const bool lvs = !config.lvs.virtual_servers.empty();
  for (const auto* s : {&d.startup_script, &d.shutdown_script}) {
    if (*s) check_script(**s, config, diag);
  }
  if (d.notify_fifo_script && (vrrp || lvs)) check_script(*d.notify_fifo_script, config, diag);
  if (d.vrrp_notify_fifo_script && vrrp) check_script(*d.vrrp_notify_fifo_script, config, diag);
  if (d.lvs_notify_fifo_script && lvs) check_script(*d.lvs_notify_fifo_script, config, diag);
}

void check_script(const Script& script, const Config& config, Diagnostics& diag) {
  const auto& defs = config.global.defs;
  const RunAs as = run_as(script, defs);
  if (!as.known) {
    diag.error(script.loc, fmt::format("script '{}' has no user to run as: enable_script_security "
                                       "is set, script_user is not, and user keepalived_script "
                                       "does not exist",
                                       script.command));
    return;
  }
  // The daemon's rules (src/process/credentials.h), so -t and a running halod agree.
  const auto words = split_command(script.command);
  const auto path = process::find_program(words.empty() ? std::string() : words.front());
  if (path.empty()) {
    // keepalived accepts it and the script fails when it is run.
    diag.warning(script.loc, fmt::format("script '{}' not found or not executable",
                                         words.empty() ? script.command : words.front()));
    return;
  }
  if (!as.root) return;
  const auto insecure = process::insecure_path(path);
  if (!defs.enable_script_security) {
    if (insecure) {
      diag.warning(script.loc,
                   fmt::format("script '{}' would run as root and {}", script.command, *insecure));
    }
    if (!already_reported_security(diag)) {
      diag.script_security(script.loc,
                           fmt::format("security violation: script '{}' would run as root but "
                                       "enable_script_security is not set",
                                       script.command));
    }
    return;
  }
  if (insecure) {
    diag.error(script.loc, fmt::format("script '{}' runs as root but {}; halo will not run it",
                                       script.command, *insecure));
  }
}

}  // namespace halo::config
