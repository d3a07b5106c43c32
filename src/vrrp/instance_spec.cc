// Resolving a vrrp_instance block into an InstanceSpec: the keepalived.conf(5) defaults, the
// global_defs fallbacks (vrrp_version, vrrp_strict, vrrp_garp_*, vrrp_lower_prio_no_advert,
// ...) and the per-instance overrides, applied in one place so the shell never has to ask
// "which value wins".
#include "vrrp/instance_spec.h"

#include <fmt/format.h>

#include <algorithm>

#include "config/validate.h"

namespace halo::vrrp {
namespace {

using std::chrono::seconds;

IpAddress with_host_bits(const IpPrefix& p, bool set) {
  auto bytes = p.address.bytes();
  const int width = p.address.is_v4() ? 32 : 128;
  for (int bit = p.length; bit < width; ++bit) {
    const auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
    auto& byte = bytes[static_cast<std::size_t>(bit / 8)];
    byte = set ? static_cast<std::uint8_t>(byte | mask) : static_cast<std::uint8_t>(byte & ~mask);
  }
  if (p.address.is_v4()) return IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]});
  return IpAddress::v6(bytes);
}

}  // namespace

VirtualAddress virtual_address(const config::IpAddressItem& item, const std::string& interface,
                               bool excluded) {
  VirtualAddress a;
  a.interface = item.dev.empty() ? interface : item.dev;
  a.prefix = item.address;
  a.peer = item.peer;
  switch (item.broadcast_kind) {
    case config::Broadcast::None:
      break;
    case config::Broadcast::Address:
      a.broadcast = item.broadcast;
      break;
    case config::Broadcast::ClearHostBits:
    case config::Broadcast::SetHostBits:
      a.broadcast =
          with_host_bits(item.address, item.broadcast_kind == config::Broadcast::SetHostBits);
      break;
  }
  if (!item.label.empty()) a.label = item.label;
  if (item.scope) a.scope = static_cast<net::AddressScope>(*item.scope);
  // IPv6 VIPs skip duplicate address detection, as keepalived adds them: an address that the
  // old master still held a moment ago would otherwise stay tentative (unusable) for a second
  // or be marked dadfailed.
  a.flags.nodad = item.nodad || item.address.address.is_v6();
  a.flags.noprefixroute = item.noprefixroute;
  a.flags.homeaddress = item.home;
  a.flags.managetempaddr = item.mngtmpaddr;
  a.excluded = excluded;
  return a;
}

net::AddressRequest address_request(const VirtualAddress& a, const net::LinkInfo& link,
                                    std::uint32_t lifetime) {
  net::AddressRequest r;
  r.ifindex = link.ifindex;
  r.interface_name = link.name;
  r.prefix = a.prefix;
  r.peer = a.peer;
  r.broadcast = a.broadcast;
  r.label = a.label;
  r.scope = a.scope;
  r.flags = a.flags;
  if (lifetime != 0) {
    r.lifetime.valid = lifetime;
    r.lifetime.preferred = lifetime;
  }
  return r;
}

namespace {

GarpConfig garp_config(const config::VrrpInstance& v, const config::GlobalDefs& g) {
  GarpConfig c = g.vrrp_min_garp ? GarpConfig::min_garp() : GarpConfig{};
  if (!g.vrrp_min_garp) {
    c.master_delay = seconds(g.vrrp_garp_master_delay);
    c.master_repeat = static_cast<int>(g.vrrp_garp_master_repeat);
    c.master_refresh = seconds(g.vrrp_garp_master_refresh);
    c.master_refresh_repeat = static_cast<int>(g.vrrp_garp_master_refresh_repeat);
    if (g.vrrp_garp_lower_prio_delay) c.lower_prio_delay = seconds(*g.vrrp_garp_lower_prio_delay);
    if (g.vrrp_garp_lower_prio_repeat) {
      c.lower_prio_repeat = static_cast<int>(*g.vrrp_garp_lower_prio_repeat);
    }
  }
  if (v.garp_master_delay) c.master_delay = seconds(*v.garp_master_delay);
  if (v.garp_master_repeat) c.master_repeat = static_cast<int>(*v.garp_master_repeat);
  if (v.garp_master_refresh) c.master_refresh = seconds(*v.garp_master_refresh);
  if (v.garp_master_refresh_repeat) {
    c.master_refresh_repeat = static_cast<int>(*v.garp_master_refresh_repeat);
  }
  if (v.garp_lower_prio_delay) c.lower_prio_delay = seconds(*v.garp_lower_prio_delay);
  if (v.garp_lower_prio_repeat) c.lower_prio_repeat = static_cast<int>(*v.garp_lower_prio_repeat);
  if (g.vrrp_garp_interval) c.garp_interval = *g.vrrp_garp_interval;
  if (g.vrrp_gna_interval) c.gna_interval = *g.vrrp_gna_interval;
  return c;
}

// The weight a tracker's default applies with, by kind.
template <class Tracker>
std::pair<int, bool> default_weight(const std::vector<Tracker>& trackers, const std::string& name) {
  for (const auto& t : trackers) {
    if (t.name == name) return {t.weight, t.weight_reverse};
  }
  return {0, false};
}

void add_tracked(const config::Config& config, const config::Tracking& track, bool weighted,
                 std::vector<TrackedItem>& out) {
  auto add = [&](track::TrackerKind kind, const config::TrackRef& ref, std::pair<int, bool> dflt) {
    TrackedItem item{kind, ref.name, dflt.first, dflt.second};
    if (ref.weight) {
      item.weight = *ref.weight;
      item.reverse = ref.reverse;
    }
    if (!weighted) item.weight = 0;
    out.push_back(std::move(item));
  };
  const auto& vrrp = config.vrrp;
  for (const auto& r : track.scripts) {
    add(track::TrackerKind::Script, r, default_weight(vrrp.scripts, r.name));
  }
  for (const auto& r : track.processes) {
    add(track::TrackerKind::Process, r, default_weight(vrrp.track_processes, r.name));
  }
  for (const auto& r : track.files) {
    add(track::TrackerKind::File, r, default_weight(vrrp.track_files, r.name));
  }
}

InstanceSpec spec_of(const config::VrrpInstance& v, const config::Config& config) {
  const auto& g = config.global.defs;
  InstanceSpec s;
  s.name = v.name;
  s.family = config::instance_family(v);
  s.interface = v.interface;
  const bool strict = v.strict_mode.value_or(g.vrrp_strict);

  auto& f = s.fsm;
  f.version = config::instance_version(v, g);
  f.vrid = v.virtual_router_id;
  f.priority = v.priority;
  f.advert_interval = std::chrono::duration_cast<Centiseconds>(v.advert_int);
  f.preempt = !v.nopreempt;
  f.preempt_delay = std::chrono::duration_cast<std::chrono::milliseconds>(v.preempt_delay);
  f.initial_state = v.state == config::VrrpState::Master ? State::Master : State::Backup;
  f.lower_prio_no_advert =
      v.lower_prio_no_advert.value_or(g.vrrp_lower_prio_no_advert.value_or(strict));
  f.higher_prio_send_advert =
      v.higher_prio_send_advert.value_or(g.vrrp_higher_prio_send_advert.value_or(false));
  // The instance keyword's default is 3, like the global one; a non-default instance value
  // wins, else the global value applies.
  f.down_timer_adverts =
      v.down_timer_adverts != 3 ? v.down_timer_adverts : g.vrrp_down_timer_adverts;

  s.advert_interface = v.interface;
  if (v.use_vmac) {
    VmacSpec vmac;
    vmac.name = v.use_vmac->name.empty() ? fmt::format("{}.{}", g.vmac_prefix, v.virtual_router_id)
                                         : v.use_vmac->name;
    if (v.use_vmac->mac) {
      auto bytes = v.use_vmac->mac->bytes;
      if (v.use_vmac->mac->length == 5) bytes[5] = v.virtual_router_id;
      vmac.mac = net::MacAddress(bytes);
    } else {
      vmac.mac = s.family == Family::V4 ? net::MacAddress::vrrp_v4(v.virtual_router_id)
                                        : net::MacAddress::vrrp_v6(v.virtual_router_id);
    }
    vmac.xmit_base = v.vmac_xmit_base;
    if (!vmac.xmit_base) s.advert_interface = vmac.name;
    s.vmac = std::move(vmac);
  }

  s.garp = garp_config(v, g);
  // With use_vmac, the addresses of the instance's family that do not name another
  // interface live on the VMAC (keepalived.conf(5)).
  auto place = [&](const config::IpAddressItem& item, bool excluded) {
    auto a = virtual_address(item, v.interface, excluded);
    if (s.vmac && a.interface == v.interface && a.prefix.address.family() == s.family) {
      a.interface = s.vmac->name;
    }
    s.addresses.push_back(std::move(a));
  };
  for (const auto& item : v.virtual_ipaddress) place(item, false);
  for (const auto& item : v.virtual_ipaddress_excluded) place(item, true);
  s.routes = v.virtual_routes;
  s.rules = v.virtual_rules;

  s.source = v.unicast_src_ip ? v.unicast_src_ip : v.mcast_src_ip;
  s.multicast_group =
      v.mcast_dst_ip.value_or(s.family == Family::V4 ? g.vrrp_mcast_group4 : g.vrrp_mcast_group6);
  for (const auto& p : v.unicast_peer) s.peers.push_back({p.address, p.min_ttl, p.max_ttl});
  if (s.unicast() && v.unicast_ttl) s.ttl = *v.unicast_ttl;

  if (f.version == 2 && v.authentication.type == config::AuthType::Pass) {
    s.password = v.authentication.pass;
  }
  s.auth_ah = v.authentication.type == config::AuthType::Ah;
  s.accept = v.accept.value_or(!strict) || v.priority == kPriorityOwner;
  const bool v3_ipv4_unicast = f.version == 3 && s.family == Family::V4 && s.unicast();
  if (v3_ipv4_unicast && v.old_unicast_checksum == config::OldUnicastChecksum::On) {
    s.build.checksum = ChecksumForm::OldUnicast;
  }
  s.parse.accept_old_unicast_checksum =
      v3_ipv4_unicast && v.old_unicast_checksum != config::OldUnicastChecksum::Never;
  // keepalived checks the TTL of unicast adverts against the per-peer range only: they may
  // have crossed routers.
  s.parse.require_ttl_255 = !s.unicast();
  s.check_advert_addresses = !v.skip_check_adv_addr.value_or(g.vrrp_skip_check_adv_addr);

  s.track_own_interface = !v.dont_track_primary;
  for (const auto& t : v.track.interfaces)
    s.tracked_interfaces.push_back({t.name, t.weight, t.reverse});
  // keepalived applies a sync group's trackers to each member; their weights (and the
  // members' own, which validation refuses) count only with sync_group_tracking_weight.
  const config::VrrpSyncGroup* group = nullptr;
  for (const auto& sg : config.vrrp.sync_groups) {
    for (const auto& m : sg.group) {
      if (m.name == v.name) group = &sg;
    }
  }
  const bool weighted = group == nullptr || group->sync_group_tracking_weight;
  add_tracked(config, v.track, weighted, s.tracked);
  if (group != nullptr) {
    add_tracked(config, group->track, weighted, s.tracked);
    for (const auto& t : group->track.interfaces) {
      s.tracked_interfaces.push_back({t.name, weighted ? t.weight : 0, t.reverse});
    }
  }
  s.vip_lifetime = g.vrrp_vip_lifetime;
  s.notify_priority_changes = v.notify_priority_changes.value_or(g.vrrp_notify_priority_changes);
  s.notify_deleted = v.notify_deleted;
  return s;
}

}  // namespace

std::vector<InstanceSpec> instance_specs(const config::Config& config) {
  std::vector<InstanceSpec> specs;
  specs.reserve(config.vrrp.instances.size());
  for (const auto& v : config.vrrp.instances) specs.push_back(spec_of(v, config));
  return specs;
}

InstanceKey key_of(const InstanceSpec& spec) {
  return {spec.interface, spec.fsm.vrid, spec.family};
}

}  // namespace halo::vrrp
