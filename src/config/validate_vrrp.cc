// Whole-configuration checks of the VRRP area (see validate.h), mirroring what
// `keepalived -t` (2.2.7) reports for vrrp_script, vrrp_track_process, track_file,
// vrrp_sync_group and vrrp_instance:
//
//   - each block is complete (a script has a command, an instance a virtual_router_id, ...);
//   - names are unique, and every reference resolves (track_script to a vrrp_script, sync
//     group members to instances, one sync group per instance);
//   - an instance's addresses agree on one family (set by its first VIP, else its source
//     address, else its peers), and its options agree with each other and with the VRRP
//     version (authentication, advert_int resolution, nopreempt with priority 255, ...);
//   - no two instances share a VRID on one interface, family and multicast group / peer set;
//   - the interfaces named exist on the host, and every script passes check_script().
//
// keepalived logs most of these and drops the offending part; under -t every one of them makes
// the test fail, so each is an error here. Messages name the block and the value at fault.
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>

#include "config/lexer.h"
#include "config/validate.h"
#include "process/credentials.h"

namespace halo::config {
namespace {

std::string_view family_name(Family f) {
  return f == Family::V4 ? "IPv4" : "IPv6";
}

// An address as written: without the prefix length when it is the full width.
std::string prefix_text(const IpPrefix& p) {
  return p.has_default_length() ? p.address.to_string() : p.to_string();
}

template <class Named>
std::unordered_map<std::string_view, const Named*> index_by_name(const std::vector<Named>& blocks,
                                                                 std::string_view kind,
                                                                 bool duplicate_is_error,
                                                                 Diagnostics& diag) {
  std::unordered_map<std::string_view, const Named*> index;
  for (const auto& b : blocks) {
    auto [it, fresh] = index.emplace(b.name, &b);
    if (fresh) continue;
    auto message = fmt::format("{} '{}' is already defined", kind, b.name);
    if (duplicate_is_error) {
      diag.error(b.loc, std::move(message));
    } else {
      diag.warning(b.loc, message + "; this definition is not used");
    }
  }
  return index;
}

struct Context {
  const Config& config;
  const ValidateOptions& options;
  Diagnostics& diag;
  std::unordered_map<std::string_view, const VrrpScript*> scripts;
  std::unordered_map<std::string_view, const TrackProcess*> processes;
  std::unordered_map<std::string_view, const TrackFile*> files;

  bool interface_exists(std::string_view name) const {
    return options.interface_exists && options.interface_exists(name);
  }
  void script(const std::optional<Script>& s) const {
    if (s) check_script(*s, config, diag);
  }
};

void check_trackers(Context& cx) {
  const auto& vrrp = cx.config.vrrp;
  for (const auto& s : vrrp.scripts) {
    if (s.script.command.empty()) {
      cx.diag.error(s.loc, fmt::format("vrrp_script '{}' has no 'script'", s.name));
      continue;
    }
    // keepalived checks vrrp_scripts only when it runs VRRP at all (some vrrp_instance
    // exists). It disables a script it cannot find, and -t then fails; a first word with shell
    // redirection ("</dev/tcp/...") it neither finds nor complains about, nor security-checks.
    if (cx.config.vrrp.instances.empty()) continue;
    const auto exe = split_command(s.script.command);
    if (!exe.empty() && exe[0].find_first_of("<>|&;$`") != std::string::npos) continue;
    if (exe.empty() || process::find_program(exe[0]).empty()) {
      cx.diag.error(s.script.loc,
                    fmt::format("vrrp_script '{}': script '{}' is not found or not executable",
                                s.name, exe.empty() ? "" : exe[0]));
      continue;
    }
    check_script(s.script, cx.config, cx.diag);
  }
  for (const auto& p : vrrp.track_processes) {
    if (p.process.empty()) {
      cx.diag.error(p.loc, fmt::format("vrrp_track_process '{}' has no 'process'", p.name));
    }
    // quorum_max 0 ("not running at all") goes with the default quorum.
    if (p.quorum_max && *p.quorum_max < p.quorum && !(*p.quorum_max == 0 && p.quorum == 1)) {
      cx.diag.error(p.loc, fmt::format("vrrp_track_process '{}': quorum_max {} is less than "
                                       "quorum {}",
                                       p.name, *p.quorum_max, p.quorum));
    }
  }
  for (const auto& f : vrrp.track_files) {
    if (f.file.empty()) {
      cx.diag.error(f.loc, fmt::format("track_file '{}' has no 'file'", f.name));
      continue;
    }
    // keepalived looks at the file while it reads the configuration, -t included: init_file
    // with overwrite cannot replace what is not a regular file.
    struct stat st {};
    if (f.init_file && f.init_file->overwrite && ::stat(f.file.c_str(), &st) == 0 &&
        !S_ISREG(st.st_mode)) {
      cx.diag.error(f.loc, fmt::format("track_file '{}': init_file cannot overwrite '{}': it is "
                                       "not a regular file",
                                       f.name, f.file));
    }
  }
}

// Reports references from the track_* blocks of an instance or sync group that do not resolve.
template <class Owner>
void check_tracking(const Context& cx, const Owner& owner, std::string_view kind) {
  auto duplicates = [&](const auto& list, std::string_view what) {
    std::set<std::string_view> seen;
    for (const auto& r : list) {
      if (!seen.insert(r.name).second) {
        cx.diag.error(
            r.loc, fmt::format("{} '{}': {} '{}' is listed twice", kind, owner.name, what, r.name));
      }
    }
  };
  duplicates(owner.track.interfaces, "track_interface");
  duplicates(owner.track.scripts, "track_script");
  duplicates(owner.track.processes, "track_process");
  duplicates(owner.track.files, "track_file");
  duplicates(owner.track.bfds, "track_bfd");
  for (const auto& i : owner.track.interfaces) {
    if (!cx.interface_exists(i.name)) {
      cx.diag.error(i.loc, fmt::format("{} '{}': tracked interface '{}' does not exist", kind,
                                       owner.name, i.name));
    }
  }
  auto refs = [&](const std::vector<TrackRef>& list, const auto& index, std::string_view what,
                  std::string_view block) {
    for (const auto& r : list) {
      if (!index.contains(r.name)) {
        cx.diag.error(r.loc, fmt::format("{} '{}': {} '{}' is not defined (no {} '{}')", kind,
                                         owner.name, what, r.name, block, r.name));
      }
    }
  };
  refs(owner.track.scripts, cx.scripts, "track_script", "vrrp_script");
  refs(owner.track.processes, cx.processes, "track_process", "vrrp_track_process");
  refs(owner.track.files, cx.files, "track_file", "track_file");
  for (const auto& r : owner.track.bfds) {
    // keepalived reads the file once: the bfd_instance must come first.
    const auto& bfds = cx.config.lvs.bfd_instances;
    const auto it =
        std::find_if(bfds.begin(), bfds.end(), [&](const auto& b) { return b.name == r.name; });
    if (it == bfds.end() || !it->loc.before(r.loc)) {
      cx.diag.error(r.loc, fmt::format("{} '{}': track_bfd '{}' is not defined before it (no "
                                       "bfd_instance '{}' earlier in the configuration)",
                                       kind, owner.name, r.name, r.name));
    }
  }
}

// Whether a tracker of an instance adjusts its priority (a non-zero weight, its own or the
// tracker's default), which keepalived refuses for address owners and sync group members.
// keepalived 2.2.7 does not apply this to track_process, nor (untested here) track_bfd.
bool tracking_weighted(const Context& cx, const VrrpInstance& v) {
  bool weighted = false;
  for (const auto& i : v.track.interfaces) weighted |= i.weight != 0;
  auto refs = [&](const std::vector<TrackRef>& list, const auto& index) {
    for (const auto& r : list) {
      auto it = index.find(r.name);
      if (it != index.end()) weighted |= r.weight.value_or(it->second->weight) != 0;
    }
  };
  refs(v.track.scripts, cx.scripts);
  refs(v.track.files, cx.files);
  return weighted;
}

// Reports the weighted trackers of a sync group that has an address owner among its members:
// keepalived -t reports each ("Cannot have weighted track script 'x' with member having
// priority 255") and clears the weight, with or without sync_group_tracking_weight. A
// vrrp_track_process counts only with a weight set somewhere: the model cannot tell its default
// weight 1 from an explicit one, and keepalived 2.2.7 does not report the default.
void check_group_owner_weights(const Context& cx, const VrrpSyncGroup& g,
                               std::string_view owner_member) {
  auto report = [&](const SourceLoc& loc, std::string_view what, std::string_view name) {
    cx.diag.error(loc, fmt::format("vrrp_sync_group '{}': {} '{}' has a weight, but member '{}' "
                                   "is an address owner (priority 255); set weight 0",
                                   g.name, what, name, owner_member));
  };
  for (const auto& i : g.track.interfaces) {
    if (i.weight != 0) report(i.loc, "track_interface", i.name);
  }
  auto refs = [&](const std::vector<TrackRef>& list, const auto& index, std::string_view what) {
    for (const auto& r : list) {
      auto it = index.find(r.name);
      if (it != index.end() && r.weight.value_or(it->second->weight) != 0) {
        report(r.loc, what, r.name);
      }
    }
  };
  refs(g.track.scripts, cx.scripts, "track_script");
  refs(g.track.files, cx.files, "track_file");
  for (const auto& r : g.track.processes) {
    auto it = cx.processes.find(r.name);
    if (it == cx.processes.end()) continue;
    const int weight = r.weight.value_or(it->second->weight);
    if (r.weight ? weight != 0 : weight != 0 && weight != 1) report(r.loc, "track_process", r.name);
  }
  for (const auto& r : g.track.bfds) {
    const auto& bfds = cx.config.lvs.bfd_instances;
    const auto it =
        std::find_if(bfds.begin(), bfds.end(), [&](const auto& b) { return b.name == r.name; });
    if (it != bfds.end() && r.weight.value_or(it->weight) != 0) report(r.loc, "track_bfd", r.name);
  }
}

struct InstanceFacts {
  Family family = Family::V4;
  bool unicast = false;
  std::uint8_t version = 2;
};

}  // namespace

Family instance_family(const VrrpInstance& v) {
  const std::optional<IpAddress>& src = v.unicast_src_ip ? v.unicast_src_ip : v.mcast_src_ip;
  if (!v.virtual_ipaddress.empty()) return v.virtual_ipaddress.front().address.address.family();
  if (src) return src->family();
  if (!v.unicast_peer.empty()) return v.unicast_peer.front().address.family();
  return v.native_ipv6 ? Family::V6 : Family::V4;
}

std::uint8_t instance_version(const VrrpInstance& v, const GlobalDefs& defs) {
  return instance_family(v) == Family::V6 ? 3 : v.version.value_or(defs.vrrp_version);
}

namespace {

InstanceFacts check_instance(const Context& cx, const VrrpInstance& v) {
  auto& diag = cx.diag;
  auto err = [&](SourceLoc loc, std::string message) {
    diag.error(loc.known() ? loc : v.loc, fmt::format("vrrp_instance '{}': {}", v.name, message));
  };
  InstanceFacts facts;

  const std::optional<IpAddress>& src = v.unicast_src_ip ? v.unicast_src_ip : v.mcast_src_ip;
  facts.family = instance_family(v);
  const auto fam = family_name(facts.family);
  for (const auto& a : v.virtual_ipaddress) {
    if (a.address.address.family() != facts.family) {
      err(a.loc, fmt::format("virtual_ipaddress {} is not {} like the instance; put addresses of "
                             "the other family in virtual_ipaddress_excluded",
                             prefix_text(a.address), fam));
    }
  }
  if (src && src->family() != facts.family) {
    err(v.src_ip_loc,
        fmt::format("source address {} is not {} like the instance", src->to_string(), fam));
  }
  for (const auto& p : v.unicast_peer) {
    if (p.address.family() != facts.family) {
      err(p.loc,
          fmt::format("unicast_peer {} is not {} like the instance", p.address.to_string(), fam));
    }
  }
  if (v.native_ipv6 && facts.family == Family::V4) {
    err(v.loc, "native_ipv6 cannot be used with IPv4 addresses");
  }
  if (v.mcast_dst_ip) {
    if (!v.mcast_dst_ip->is_multicast()) {
      err(v.loc,
          fmt::format("mcast_dst_ip {} is not a multicast address", v.mcast_dst_ip->to_string()));
    } else if (v.mcast_dst_ip->family() != facts.family) {
      err(v.loc, fmt::format("mcast_dst_ip {} is not {} like the instance",
                             v.mcast_dst_ip->to_string(), fam));
    }
  }
  if (v.use_ipvlan) {
    if (v.use_ipvlan->address && v.use_ipvlan->address->address.family() != facts.family) {
      err(v.loc, fmt::format("use_ipvlan address {} is not {} like the instance",
                             prefix_text(*v.use_ipvlan->address), fam));
    } else if (!v.use_ipvlan->address && facts.family == Family::V4) {
      err(v.loc, "use_ipvlan needs an address for an IPv4 instance");
    }
  }

  // Identity and interface.
  if (v.virtual_router_id == 0)
    err(v.loc, "the virtual router id must be set: virtual_router_id is missing");
  facts.unicast = !v.unicast_peer.empty();
  if (v.interface.empty()) {
    // The man page allows omitting it with unicast peers; keepalived 2.2.7 -t still fails
    // ("Unknown interface!"), so halo requires it.
    err(v.loc, "'interface' must be set");
  } else {
    if (!v.vrf.empty()) err(v.interface_loc, "'vrf' and 'interface' cannot both be set");
    if (v.interface == "lo") {
      err(v.interface_loc, "a loopback interface cannot be used for VRRP");
    } else if (!cx.interface_exists(v.interface)) {
      err(v.interface_loc, fmt::format("interface '{}' does not exist", v.interface));
    }
  }
  for (const auto& i : v.track.interfaces) {
    if (!v.interface.empty() && i.name == v.interface) {
      err(i.loc, fmt::format("track_interface '{}' is the instance's own interface, which is "
                             "always tracked",
                             i.name));
    }
  }
  for (const auto* list : {&v.virtual_ipaddress, &v.virtual_ipaddress_excluded}) {
    for (const auto& a : *list) {
      if (!a.dev.empty() && !cx.interface_exists(a.dev)) {
        err(a.loc, fmt::format("interface '{}' of address {} does not exist", a.dev,
                               prefix_text(a.address)));
      }
    }
  }
  for (const auto& r : v.virtual_routes) {
    // A tracked route without 'dev' is refused by the item parser (global_ip_items.cc).
    auto check_dev = [&](const std::string& dev) {
      if (!dev.empty() && !cx.interface_exists(dev)) {
        err(r.loc, fmt::format("interface '{}' of virtual route {} does not exist", dev,
                               prefix_text(r.destination)));
      }
    };
    check_dev(r.dev);
    for (const auto& hop : r.nexthops) check_dev(hop.dev);
  }
  for (const auto& r : v.virtual_rules) {
    for (const auto* dev : {&r.iif, &r.oif}) {
      if (!dev->empty() && !cx.interface_exists(*dev)) {
        err(r.loc, fmt::format("interface '{}' of a virtual rule does not exist", *dev));
      }
    }
  }
  if (v.virtual_ipaddress.empty()) {
    err(v.loc, "no virtual_ipaddress is specified; at least one is sensible");
  }

  // Unicast.
  if (!facts.unicast) {
    if (v.unicast_ttl) err(v.loc, "unicast_ttl cannot be used without unicast_peer");
    if (v.unicast_src_ip || v.check_unicast_src ||
        v.old_unicast_checksum != OldUnicastChecksum::Off) {
      err(v.loc,
          "a unicast keyword (unicast_src_ip, check_unicast_src, old_unicast_checksum) "
          "is used without any unicast_peer");
    }
  } else if (v.use_vmac && !v.vmac_xmit_base) {
    err(v.loc, "use_vmac with unicast_peer requires vmac_xmit_base");
  }

  // Version, advert interval and authentication.
  const auto& defs = cx.config.global.defs;
  facts.version = instance_version(v, defs);
  const bool strict = v.strict_mode.value_or(defs.vrrp_strict);
  const auto us = v.advert_int.count();
  if (facts.version == 2 && us % 1'000'000 != 0) {
    err(v.loc, fmt::format("VRRPv2 advert_int {}s must be a whole number of seconds",
                           static_cast<double>(us) / 1e6));
  } else if (facts.version == 3) {
    if (us >= 40'960'000) {
      err(v.loc, fmt::format("VRRPv3 advert_int {}s must be less than 40.96s",
                             static_cast<double>(us) / 1e6));
    } else if (us % 10'000 != 0) {
      err(v.loc, fmt::format("VRRPv3 advert_int {}s must be a multiple of 10ms",
                             static_cast<double>(us) / 1e6));
    }
  }
  if (v.authentication.type != AuthType::None) {
    if (v.authentication.pass.empty()) {
      err(v.authentication.loc, "authentication has an auth_type but no auth_pass");
    }
    if (v.authentication.type == AuthType::Ah && v.state == VrrpState::Master) {
      err(v.authentication.loc, "AH authentication does not work with state MASTER");
    }
    if (v.authentication.type == AuthType::Ah) {
      // keepalived -t passes it, so -t does too; halod will not run the instance.
      diag.warning(v.authentication.loc,
                   fmt::format("vrrp_instance '{}': auth_type AH (IPsec AH, dropped from VRRP by "
                               "RFC 3768) is not supported; halod will not run this instance",
                               v.name));
    }
    if (facts.version == 3) err(v.authentication.loc, "VRRPv3 does not support authentication");
    if (strict) {
      err(v.authentication.loc, "strict_mode does not allow authentication");
    }
  }

  if (strict && v.accept == true && facts.version == 2) {
    err(v.loc, "accept mode with VRRPv2 does not comply with RFC 3768 and strict mode");
  }

  if (v.use_vmac && v.promote_secondaries) {
    err(v.loc, "promote_secondaries is always set on a VMAC; remove it");
  }

  // Preemption.
  if (v.nopreempt) {
    if (v.priority == 255) err(v.loc, "nopreempt cannot be used with priority 255");
    if (v.state == VrrpState::Master) err(v.loc, "nopreempt does not work with state MASTER");
    if (v.preempt_delay.count() != 0) err(v.loc, "preempt_delay cannot be used with nopreempt");
  } else if (v.state == VrrpState::Master && v.preempt_delay.count() != 0) {
    err(v.loc, "preempt_delay does not work with state MASTER");
  }

  // References and scripts.
  check_tracking(cx, v, "vrrp_instance");
  if (v.priority == 255 && tracking_weighted(cx, v)) {
    err(v.loc, "an address owner (priority 255) cannot use tracking weights; set weight 0");
  }
  for (const auto* s : {&v.notify_master, &v.notify_backup, &v.notify_fault, &v.notify_stop,
                        &v.notify_deleted_script, &v.notify_master_rx_lower_pri, &v.notify}) {
    cx.script(*s);
  }
  return facts;
}

bool overlaps(const std::vector<UnicastPeer>& a, const std::vector<UnicastPeer>& b) {
  for (const auto& x : a) {
    for (const auto& y : b) {
      if (x.address == y.address) return true;
    }
  }
  return false;
}

IpAddress default_group(Family f) {
  return *IpAddress::parse(f == Family::V4 ? "224.0.0.18" : "ff02::12");
}

}  // namespace

void validate_vrrp(const Config& config, const ValidateOptions& options, Diagnostics& diag) {
  const auto& vrrp = config.vrrp;
  Context cx{config, options, diag, {}, {}, {}};
  // keepalived silently keeps the first of two same-named trackers; halo warns.
  cx.scripts = index_by_name(vrrp.scripts, "vrrp_script", false, diag);
  cx.processes = index_by_name(vrrp.track_processes, "vrrp_track_process", false, diag);
  cx.files = index_by_name(vrrp.track_files, "track_file", false, diag);
  auto instances = index_by_name(vrrp.instances, "vrrp_instance", true, diag);
  index_by_name(vrrp.sync_groups, "vrrp_sync_group", true, diag);

  check_trackers(cx);

  std::vector<InstanceFacts> facts;
  facts.reserve(vrrp.instances.size());
  for (const auto& v : vrrp.instances) facts.push_back(check_instance(cx, v));

  // One VRID per interface, family and multicast group or overlapping peer set.
  struct Key {
    std::string_view interface;
    Family family;
    std::uint8_t vrid;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      return std::hash<std::string_view>()(k.interface) * 131 + std::size_t{k.vrid} * 2 +
             (k.family == Family::V6 ? 1 : 0);
    }
  };
  std::unordered_map<Key, std::vector<std::size_t>, KeyHash> by_vrid;
  for (std::size_t i = 0; i < vrrp.instances.size(); ++i) {
    const auto& v = vrrp.instances[i];
    if (v.virtual_router_id == 0) continue;
    auto& seen = by_vrid[Key{v.interface, facts[i].family, v.virtual_router_id}];
    for (std::size_t j : seen) {
      const auto& o = vrrp.instances[j];
      bool clash;
      if (facts[i].unicast != facts[j].unicast) {
        clash = false;
      } else if (facts[i].unicast) {
        clash = overlaps(v.unicast_peer, o.unicast_peer);
      } else {
        clash = v.mcast_dst_ip.value_or(default_group(facts[i].family)) ==
                o.mcast_dst_ip.value_or(default_group(facts[j].family));
      }
      if (clash) {
        diag.error(v.vrid_loc.known() ? v.vrid_loc : v.loc,
                   fmt::format("vrrp_instance '{}' and '{}' both use VRID {} with {} on "
                               "interface {}",
                               o.name, v.name, v.virtual_router_id, family_name(facts[i].family),
                               v.interface.empty() ? "(none)" : v.interface));
        break;
      }
    }
    seen.push_back(i);
  }

  // Sync groups: members exist, belong to one group only; groups have at least two.
  std::unordered_map<std::string_view, std::string_view> group_of;
  for (const auto& g : vrrp.sync_groups) {
    std::size_t members = 0;
    std::set<std::string_view> tracked_by_members;
    std::string_view owner_member;  // the first member that is an address owner
    for (const auto& m : g.group) {
      auto it = instances.find(m.name);
      if (it == instances.end()) {
        diag.error(m.loc, fmt::format("vrrp_sync_group '{}': vrrp_instance '{}' does not exist",
                                      g.name, m.name));
        continue;
      }
      auto [owner, fresh] = group_of.emplace(m.name, g.name);
      if (!fresh) {
        diag.error(m.loc, fmt::format("vrrp_sync_group '{}': vrrp_instance '{}' is already in "
                                      "sync group '{}'",
                                      g.name, m.name, owner->second));
        continue;
      }
      ++members;
      const auto& v = *it->second;
      if (v.priority == 255 && owner_member.empty()) owner_member = v.name;
      if (!v.interface.empty()) tracked_by_members.insert(v.interface);
      for (const auto& i : v.track.interfaces) tracked_by_members.insert(i.name);
      // Weights on members are ignored in a group: keepalived -t reports them.
      if (!g.sync_group_tracking_weight && tracking_weighted(cx, v)) {
        diag.error(v.loc, fmt::format("vrrp_instance '{}' is in sync group '{}', so its "
                                      "tracking weights are ignored: set weight 0, or "
                                      "sync_group_tracking_weight on the group",
                                      v.name, g.name));
      }
    }
    if (members == 0) {
      diag.error(g.loc, fmt::format("vrrp_sync_group '{}' has no vrrp_instance", g.name));
    } else if (members == 1) {
      diag.error(g.loc, fmt::format("vrrp_sync_group '{}' has only one vrrp_instance; a sync "
                                    "group needs at least two",
                                    g.name));
    }
    for (const auto& i : g.track.interfaces) {
      if (tracked_by_members.contains(i.name)) {
        diag.error(i.loc, fmt::format("vrrp_sync_group '{}': interface '{}' is also tracked by a "
                                      "member instance; track it in one place only",
                                      g.name, i.name));
      }
    }
    check_tracking(cx, g, "vrrp_sync_group");
    if (!owner_member.empty()) check_group_owner_weights(cx, g, owner_member);
    for (const auto* s :
         {&g.notify_master, &g.notify_backup, &g.notify_fault, &g.notify_stop, &g.notify}) {
      cx.script(*s);
    }
  }
}

}  // namespace halo::config
