// The VRRP engine: shared I/O and the set of running instances.
//
// Sockets are per (interface, family), not per instance: the kernel hands every raw socket a
// copy of every VRRP packet that matches it, so 200 instances on one interface would mean 200
// copies and 200 wake-ups per packet. One socket, one parse, then a map lookup by VRID.
//
// A received packet is parsed once with the most permissive options (any checksum form, any
// TTL); the instance it belongs to then applies its own rules (instance.cc). Packets no
// instance can claim are counted here, by reason, and never change any state.
//
// Addresses carry a finite valid lifetime (global_defs vrrp_vip_lifetime, default 2 s): the
// engine renews those of every master four times per lifetime, so a halod killed with SIGKILL
// leaves nothing behind for longer than the lifetime (plus the kernel's one-second rounding of
// its address expiry check), while the new master holds them (design §2 L6).
#include "vrrp/engine.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/log.h"
#include "net/sysctl.h"

namespace halo::vrrp {
namespace {

spdlog::logger& logger() {
  return log::get("vrrp");
}

std::string_view family_name(Family f) {
  return f == Family::V4 ? "IPv4" : "IPv6";
}

constexpr std::uint32_t kMinRenewalMs = 250;

}  // namespace

Result<std::unique_ptr<Engine>> Engine::create(boost::asio::io_context& io) {
  auto rtnl = net::Rtnetlink::open();
  if (!rtnl) return fail("rtnetlink: " + rtnl.error().message);
  auto announce = net::AnnounceSocket::open();
  if (!announce) return fail("ARP/NA socket: " + announce.error().message);
  std::unique_ptr<Engine> engine(new Engine(io, std::move(*rtnl), std::move(*announce)));
  auto monitor = net::LinkMonitor::open(io);
  if (!monitor) return fail("link monitor: " + monitor.error().message);
  engine->monitor_ = std::move(*monitor);
  net::LinkMonitor::Handlers handlers;
  handlers.on_link = [e = engine.get()](const net::LinkInfo& link, bool removed) {
    e->on_link(link, removed);
  };
  handlers.on_address = [e = engine.get()](const net::AddressMessage&) {
    for (const auto& instance : e->instances_) instance->on_address_change();
  };
  engine->monitor_->start(std::move(handlers), [e = engine.get()] {
    // Notifications were lost: read the links again and let every instance re-check.
    logger().warn("link notifications overran; re-reading the links");
    e->refresh_links();
    for (const auto& [index, link] : e->links_) e->on_link(link, false);
  });
  return engine;
}

Engine::Engine(boost::asio::io_context& io, net::Rtnetlink rtnl,
               std::unique_ptr<net::AnnounceSocket> announce)
    : io_(io),
      rtnl_(std::move(rtnl)),
      announce_(std::move(announce)),
      renewal_(io),
      alive_(std::make_shared<bool>(true)) {}

Engine::~Engine() {
  *alive_ = false;
  renewal_.cancel();
}

void Engine::refresh_links() {
  auto links = rtnl_.links();
  if (!links) {
    logger().error("cannot list the links: {}", links.error().message);
    return;
  }
  links_.clear();
  for (auto& link : *links) links_.emplace(link.ifindex, std::move(link));
}

const net::LinkInfo* Engine::link(const std::string& name) const {
  for (const auto& [index, link] : links_) {
    if (link.name == name) return &link;
  }
  return nullptr;
}

const net::LinkInfo* Engine::link(std::uint32_t ifindex) const {
  auto it = links_.find(ifindex);
  return it == links_.end() ? nullptr : &it->second;
}

std::optional<IpAddress> Engine::primary_address(std::uint32_t ifindex, Family family) {
  if (ifindex == 0) return std::nullopt;
  auto addresses = rtnl_.addresses(family);
  if (!addresses) {
    logger().error("cannot list the addresses: {}", addresses.error().message);
    return std::nullopt;
  }
  std::set<IpAddress> vips;
  for (const auto& instance : instances_) {
    for (const auto& a : instance->spec().addresses) vips.insert(a.prefix.address);
  }
  for (const auto& m : *addresses) {
    const auto& a = m.address.prefix.address;
    if (m.address.ifindex != ifindex || vips.count(a) != 0) continue;
    if (family == Family::V6 && !a.is_link_local()) continue;
    return a;
  }
  return std::nullopt;
}

net::VrrpSocket* Engine::socket_for(std::uint32_t ifindex, Family family) {
  auto it = sockets_.find({ifindex, family});
  return it == sockets_.end() ? nullptr : it->second.get();
}

void Engine::apply(const config::Config& config) {
  refresh_links();
  if (!firewall_) {
    // Chosen once: the table is halo's for as long as it runs (global_defs `nftables NAME`).
    firewall_table_ = config.global.defs.nftables.value_or(firewall_table_);
    firewall_priority_ = config.global.defs.nftables_priority;
  }
  apply_static(config.global);
  auto specs = instance_specs(config);
  not_started_.clear();
  std::erase_if(specs, [this](const InstanceSpec& spec) {
    if (spec.auth_ah) {
      logger().error(
          "[{}] auth_type AH (IPsec AH, dropped from VRRP by RFC 3768) is not "
          "supported; instance not started",
          spec.name);
      not_started_.emplace_back(spec.name, "auth_type AH is not supported");
      return true;
    }
    if (auto why = unavailable_tracker(spec)) {
      not_started_.emplace_back(spec.name, std::move(*why));
      return true;
    }
    return false;
  });
  retire(config);
  // Start every spec no running instance has; an instance whose spec was refused above (its
  // trackers became unavailable) stops.
  std::vector<bool> spec_running(specs.size(), false);
  for (auto& instance : instances_) {
    auto same = std::find(specs.begin(), specs.end(), instance->spec());
    if (same == specs.end()) {
      instance->stop();
      retired_.push_back(std::move(instance));
      continue;
    }
    spec_running[static_cast<std::size_t>(same - specs.begin())] = true;
  }
  std::erase(instances_, nullptr);
  std::vector<Instance*> started;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (spec_running[i]) continue;
    instances_.push_back(std::make_unique<Instance>(*this, std::move(specs[i])));
    started.push_back(instances_.back().get());
  }
  reconcile_vmacs();

  rebind();
  build_sync_groups(config);
  retired_.clear();  // no group refers to them any more
  for (auto* instance : started) instance->start();

  renewal_period_ms_ = 0;
  for (const auto& instance : instances_) {
    const auto& spec = instance->spec();
    if (spec.vip_lifetime != 0) {
      const auto period = std::max(kMinRenewalMs, spec.vip_lifetime * 1000 / 4);
      renewal_period_ms_ = renewal_period_ms_ == 0 ? period : std::min(renewal_period_ms_, period);
    }
  }
  arm_renewal();
}

// Keep every running instance whose spec is unchanged; stop the others gracefully before
// anything new starts, so addresses that move between instances are released first. A
// removed instance says FAULT (DELETED with notify_deleted) like keepalived's; a changed one
// STOP, then starts again.
void Engine::retire(const config::Config& config) {
  const auto specs = instance_specs(config);
  std::vector<bool> taken(specs.size(), false);
  std::vector<std::unique_ptr<Instance>> kept;
  for (auto& instance : instances_) {
    auto same = specs.begin();
    for (; same != specs.end(); ++same) {
      if (*same == instance->spec() && !taken[static_cast<std::size_t>(same - specs.begin())])
        break;
    }
    if (same != specs.end()) {
      taken[static_cast<std::size_t>(same - specs.begin())] = true;
      kept.push_back(std::move(instance));
      continue;
    }
    const bool removed = std::none_of(specs.begin(), specs.end(), [&](const InstanceSpec& s) {
      return s.name == instance->name();
    });
    logger().info("[{}] {} on reload", instance->name(), removed ? "removed" : "changed");
    instance->stop(removed);
    // Kept alive until apply() rebuilt the sync groups, which still point at it.
    retired_.push_back(std::move(instance));
  }
  instances_ = std::move(kept);
}

void Engine::open_sockets() {
  std::map<SocketKey, std::set<IpAddress>> wanted;
  std::map<SocketKey, std::string> names;
  for (const auto& instance : instances_) {
    const auto& spec = instance->spec();
    std::uint32_t ifindex = 0;
    if (!spec.interface.empty()) {
      const auto* l = link(spec.advert_interface);
      if (l == nullptr) continue;  // the instance reports its own FAULT
      ifindex = l->ifindex;
    }
    const SocketKey key{ifindex, spec.family};
    auto& groups = wanted[key];
    names[key] = spec.advert_interface;
    if (!spec.unicast() && ifindex != 0) groups.insert(spec.multicast_group);
  }
  for (auto it = sockets_.begin(); it != sockets_.end();) {
    auto w = wanted.find(it->first);
    if (w == wanted.end() || w->second != socket_groups_[it->first]) {
      socket_groups_.erase(it->first);
      it = sockets_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [key, groups] : wanted) {
    if (sockets_.count(key) != 0) continue;
    net::VrrpSocketOptions options;
    options.family = key.second;
    options.ifindex = key.first;
    options.interface_name = names[key];
    options.groups.assign(groups.begin(), groups.end());
    auto socket = net::VrrpSocket::open(io_, options);
    if (!socket) {
      logger().error("cannot open the {} VRRP socket on {}: {}", family_name(key.second),
                     names[key].empty() ? "any interface" : names[key], socket.error().message);
      continue;
    }
    (*socket)->start([this, key = key](const net::VrrpDatagram& d) { on_datagram(key, d); });
    sockets_.emplace(key, std::move(*socket));
    socket_groups_[key] = groups;
  }
}

// Split-brain watch (design §2 L6): ARP on the interfaces with IPv4 addresses to defend,
// neighbour advertisements on those with IPv6 ones. Each instance checks whether a sender
// claims one of its addresses.
void Engine::open_listeners() {
  std::set<std::uint32_t> wanted4;
  std::set<std::uint32_t> wanted6;
  for (const auto& instance : instances_) {
    for (const auto& a : instance->spec().addresses) {
      if (const auto* l = link(a.interface)) {
        (a.prefix.address.is_v4() ? wanted4 : wanted6).insert(l->ifindex);
      }
    }
  }
  std::erase_if(arp_listeners_, [&](const auto& e) { return wanted4.count(e.first) == 0; });
  std::erase_if(na_listeners_, [&](const auto& e) { return wanted6.count(e.first) == 0; });
  for (const auto ifindex : wanted4) {
    if (arp_listeners_.count(ifindex) != 0) continue;
    auto listener = net::ArpListener::open(io_, ifindex);
    if (!listener) {
      // Split-brain detection by ARP is lost on this interface; VRRP itself is unaffected.
      logger().warn("{}", listener.error().message);
      continue;
    }
    (*listener)->start([this](const net::ArpPacket& arp) {
      for (const auto& instance : instances_) instance->on_claim(arp.sender_ip, arp.sender_mac);
    });
    arp_listeners_.emplace(ifindex, std::move(*listener));
  }
  for (const auto ifindex : wanted6) {
    if (na_listeners_.count(ifindex) != 0) continue;
    auto listener = net::NaListener::open(io_, ifindex);
    if (!listener) {
      logger().warn("{}", listener.error().message);
      continue;
    }
    (*listener)->start([this](const net::NeighborAdvert& na) {
      if (!na.mac) return;  // no Target Link-Layer Address: it claims nothing we can compare
      for (const auto& instance : instances_) instance->on_claim(na.target, *na.mac);
    });
    na_listeners_.emplace(ifindex, std::move(*listener));
  }
}

void Engine::on_datagram(const SocketKey& key, const net::VrrpDatagram& d) {
  ParseOptions permissive;
  permissive.accept_v3_checksum_as_v2 = true;
  permissive.accept_old_unicast_checksum = true;
  permissive.require_ttl_255 = false;
  auto parsed = key.second == Family::V4
                    ? parse_ipv4(d.bytes, permissive)
                    : parse_ipv6(d.bytes, d.source, d.destination, d.hop_limit, permissive);
  if (!parsed) {
    rejected_.add(parsed.error());
    logger().debug("VRRP packet from {} dropped: {}", d.source.to_string(),
                   to_string(parsed.error()));
    return;
  }
  auto it = by_vrid_.find({key.first, key.second, parsed->advert.vrid});
  if (it == by_vrid_.end()) {
    ++unknown_vrid_;
    return;
  }
  it->second->on_advert(*parsed);
}

void Engine::on_link(const net::LinkInfo& changed, bool removed) {
  const bool appeared = !removed && links_.count(changed.ifindex) == 0;
  const bool renamed = !removed && !appeared && links_[changed.ifindex].name != changed.name;
  if (removed) {
    links_.erase(changed.ifindex);
  } else {
    links_[changed.ifindex] = changed;
  }
  // A link that comes or goes may be one an instance waits for: its sockets follow it.
  if (removed || appeared || renamed) rebind();
  GroupBatch batch(*this);
  for (const auto& instance : instances_) instance->on_link(changed, removed);
}

void Engine::rebind() {
  open_sockets();
  open_listeners();
  by_vrid_.clear();
  for (const auto& instance : instances_) {
    const auto& spec = instance->spec();
    std::uint32_t ifindex = 0;
    if (!spec.interface.empty()) {
      const auto* l = link(spec.advert_interface);
      if (l == nullptr) continue;
      ifindex = l->ifindex;
    }
    by_vrid_[{ifindex, spec.family, spec.fsm.vrid}] = instance.get();
  }
}

// keepalived's vrrp_sync_group: members change state together (sync_group.cc decides).
// Rebuilt on every apply; the running members' states are reported again so a group whose
// members disagree after a reload is brought back in step.
void Engine::build_sync_groups(const config::Config& config) {
  groups_.clear();
  group_members_.clear();
  membership_.clear();
  for (const auto& g : config.vrrp.sync_groups) {
    std::vector<std::string> names;
    std::vector<Instance*> members;
    for (const auto& m : g.group) {
      auto it = std::find_if(instances_.begin(), instances_.end(),
                             [&](const auto& i) { return i->name() == m.name; });
      if (it == instances_.end()) continue;  // validation names the missing instance
      names.push_back(m.name);
      members.push_back(it->get());
    }
    const auto index = groups_.size();
    groups_.emplace_back(g.name, std::move(names));
    for (std::size_t m = 0; m < members.size(); ++m) membership_[members[m]] = {index, m};
    group_members_.push_back(std::move(members));
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    for (std::size_t m = 0; m < group_members_[g].size(); ++m) {
      const auto* member = group_members_[g][m];
      if (member->state() == State::Init) continue;  // not started yet: it reports itself
      if (member->own_fault()) apply_forced(g, groups_[g].set_member_fault(m, true));
      apply_forced(g, groups_[g].on_member_state(m, member->state()));
    }
  }
}

// One event (a link, a tracker) that reaches several members of a sync group must reach the
// group as one: were the first member's recovery reported before the second member had
// seen the same event, the group would force the first back into FAULT for a moment. The
// reports wait until every instance has seen the event; fault changes go first.
Engine::GroupBatch::GroupBatch(Engine& engine) : engine_(engine) {
  ++engine_.batch_depth_;
}

Engine::GroupBatch::~GroupBatch() {
  if (--engine_.batch_depth_ > 0) return;
  auto reports = std::move(engine_.pending_reports_);
  engine_.pending_reports_.clear();
  for (const auto& r : reports) {
    if (r.fault) engine_.on_member_fault(*r.instance, *r.fault);
  }
  for (const auto& r : reports) {
    if (!r.fault) engine_.on_member_state(*r.instance, r.state);
  }
}

void Engine::on_member_state(const Instance& instance, State to) {
  auto it = membership_.find(&instance);
  if (it == membership_.end()) return;
  if (batch_depth_ > 0) {
    pending_reports_.push_back({&instance, std::nullopt, to});
    return;
  }
  const auto [group, member] = it->second;
  apply_forced(group, groups_[group].on_member_state(member, to));
  notice_group_state(group);
}

void Engine::on_member_fault(const Instance& instance, bool fault) {
  auto it = membership_.find(&instance);
  if (it == membership_.end()) return;
  if (batch_depth_ > 0) {
    pending_reports_.push_back({&instance, fault, State::Init});
    return;
  }
  const auto [group, member] = it->second;
  apply_forced(group, groups_[group].set_member_fault(member, fault));
  notice_group_state(group);
}

// A group's notice follows its members' (keepalived notifies the instances, then the group).
// A member's forced transition re-enters on_member_state(); the recorded state keeps a group
// state from being notified twice.
void Engine::notice_group_state(std::size_t group) {
  const auto state = groups_[group].group_state();
  auto& notified = notified_group_state_[groups_[group].name()];
  // keepalived.conf(5) says STOP applies to instances only, but keepalived 2.2.7 writes
  // GROUP "G" STOP 0 when its members stop; halo does what keepalived does.
  if (state == notified || state == State::Init) return;
  notified = state;
  if (notice_handler_) {
    notice_handler_(
        {notify::VrrpNotice::Subject::Group, groups_[group].name(), *notice_of(state), 0});
  }
}

void Engine::notice(const Instance& instance, notify::VrrpNotice::What what) {
  if (notice_handler_) {
    notice_handler_(
        {notify::VrrpNotice::Subject::Instance, instance.name(), what, instance.priority()});
  }
}

std::vector<notify::VrrpNotice> Engine::current_notices() const {
  std::vector<notify::VrrpNotice> notices;
  for (const auto& instance : instances_) {
    if (auto what = notice_of(instance->state())) {
      notices.push_back(
          {notify::VrrpNotice::Subject::Instance, instance->name(), *what, instance->priority()});
    }
  }
  for (const auto& group : groups_) {
    const auto state = group.group_state();
    if (auto what = notice_of(state)) {
      notices.push_back({notify::VrrpNotice::Subject::Group, group.name(), *what, 0});
    }
  }
  return notices;
}

std::optional<track::TrackerStatus> Engine::tracker_status(track::TrackerKind kind,
                                                           const std::string& name) const {
  if (trackers_ == nullptr) return std::nullopt;
  return trackers_->status(kind, name);
}

void Engine::on_tracker_change(track::TrackerKind kind, const std::string& name) {
  GroupBatch batch(*this);
  for (const auto& instance : instances_) {
    const auto& tracked = instance->spec().tracked;
    const bool uses = std::any_of(tracked.begin(), tracked.end(), [&](const TrackedItem& t) {
      return t.kind == kind && t.name == name;
    });
    if (uses) instance->update_tracking();
  }
}

// keepalived runs an instance whose tracker is broken as if it were not tracked; halo refuses
// to start it, saying why: a process tracker that cannot see processes would otherwise hold
// or release the VIP on a guess.
std::optional<std::string> Engine::unavailable_tracker(const InstanceSpec& spec) const {
  for (const auto& t : spec.tracked) {
    const auto why = trackers_ == nullptr ? std::optional<std::string>("no tracker runs")
                                          : trackers_->unavailable(t.kind, t.name);
    if (why) {
      logger().error("[{}] not started: track_{} {} cannot run: {}", spec.name,
                     track::to_string(t.kind), t.name, *why);
      return fmt::format("track_{} {} cannot run: {}", track::to_string(t.kind), t.name, *why);
    }
  }
  return std::nullopt;
}

void Engine::apply_forced(std::size_t group, const ForcedTransitions& forced) {
  for (const auto& f : forced) {
    auto* member = group_members_[group][f.member];
    logger().info("[{}] sync group {}: {} -> {}", member->name(), groups_[group].name(),
                  to_string(member->state()), to_string(f.to));
    member->force(f.to);
  }
}

void Engine::arm_renewal() {
  renewal_.cancel();
  if (renewal_period_ms_ == 0) return;
  renewal_.expires_after(std::chrono::milliseconds(renewal_period_ms_));
  renewal_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    auto token = alive.lock();
    if (ec || !token || !*token) return;
    for (const auto& instance : instances_) instance->renew_addresses();
    arm_renewal();
  });
}

void Engine::stop() {
  for (const auto& instance : instances_) instance->stop();
  renewal_.cancel();
  instances_.clear();
  reconcile_vmacs();  // no instance left: every VMAC halo created goes
  remove_static();
}

net::NoAcceptFirewall* Engine::firewall() {
  if (!firewall_) {
    auto opened = net::NoAcceptFirewall::open(firewall_table_, firewall_priority_);
    if (!opened) {
      logger().error("no_accept: {}", opened.error().message);
      return nullptr;
    }
    // A table of halo's configured name in halo's namespace is one a killed halod left:
    // without removing it, no_accept could not work again until someone ran nft by hand.
    if (auto removed = (*opened)->remove_leftover(); removed && *removed) {
      logger().warn("removed nftables table inet {} left by an earlier run", (*opened)->table());
    }
    firewall_ = std::move(*opened);
  }
  return firewall_.get();
}

IfindexOf Engine::ifindex_lookup() const {
  return [this](std::string_view name) -> std::optional<std::uint32_t> {
    for (const auto& [index, l] : links_) {
      if (l.name == name) return index;
    }
    return std::nullopt;
  };
}

// static_ipaddress / static_routes / static_rules: the host's own configuration that
// keepalived manages beside VRRP. Added once (permanent addresses: they are not a VIP that
// must vanish with the daemon), replaced as a whole when a reload changes them, removed at
// stop like everything else halo added.
void Engine::apply_static(const config::GlobalConfig& global) {
  if (global.static_ipaddress == static_items_ && global.static_routes == static_route_items_ &&
      global.static_rules == static_rule_items_) {
    return;
  }
  remove_static();
  static_items_ = global.static_ipaddress;
  static_route_items_ = global.static_routes;
  static_rule_items_ = global.static_rules;
  for (const auto& item : static_items_) {
    const auto a = virtual_address(item, global.defs.default_interface, false);
    const auto* l = link(a.interface);
    if (l == nullptr) {
      logger().error("static_ipaddress {}: interface {} does not exist", a.prefix.to_string(),
                     a.interface);
      continue;
    }
    auto request = address_request(a, *l, 0);
    if (auto added = rtnl_.add_address(request, true); !added) {
      logger().error("static_ipaddress: {}", added.error().message);
      continue;
    }
    static_addresses_.push_back(std::move(request));
  }
  static_routes_.add(rtnl_, static_route_items_, static_rule_items_, ifindex_lookup(), "static");
}

void Engine::remove_static() {
  static_routes_.remove(rtnl_, "static");
  for (auto it = static_addresses_.rbegin(); it != static_addresses_.rend(); ++it) {
    if (auto removed = rtnl_.delete_address(*it); !removed) {
      logger().error("static_ipaddress: {}", removed.error().message);
    }
  }
  static_addresses_.clear();
}

// keepalived `use_vmac`: the macvlan interfaces the instances need. halo creates the missing
// ones (and only removes what it created), with IPv6 off on them so that a BACKUP's VMAC
// never speaks (neighbour discovery from the shared virtual MAC would move it in the switches'
// tables), and with arp_ignore=1 / arp_filter=1 on the base interface, as keepalived sets
// them, so that only the VMAC answers ARP for the addresses on it. The base interface's
// settings are restored when its last VMAC goes.
void Engine::reconcile_vmacs() {
  std::map<std::string, const InstanceSpec*> wanted;
  for (const auto& instance : instances_) {
    const auto& spec = instance->spec();
    if (spec.vmac) wanted.emplace(spec.vmac->name, &spec);
  }
  for (auto it = vmacs_.begin(); it != vmacs_.end();) {
    if (wanted.count(it->first) != 0) {
      ++it;
      continue;
    }
    if (auto removed = rtnl_.delete_link(it->second.ifindex); !removed) {
      logger().error("cannot remove VMAC {}: {}", it->first, removed.error().message);
    } else {
      logger().info("removed VMAC {}", it->first);
    }
    const auto base = it->second.base;
    it = vmacs_.erase(it);
    const bool base_still_used = std::any_of(vmacs_.begin(), vmacs_.end(),
                                             [&](const auto& v) { return v.second.base == base; });
    if (!base_still_used) restore_base_settings(base);
  }
  for (const auto& [name, spec] : wanted) {
    if (vmacs_.count(name) != 0) continue;
    const auto* base = link(spec->interface);
    if (base == nullptr) continue;  // the instance reports the missing interface
    if (const auto* existing = link(name)) {
      // A macvlan with our MAC on our interface is one an earlier halod left (a crash):
      // adopted, and removed at stop. Anything else is not ours and is left alone.
      if (existing->kind == "macvlan" && existing->mac == spec->vmac->mac &&
          existing->link_ifindex == base->ifindex) {
        vmacs_[name] = Vmac{existing->ifindex, spec->interface};
        logger().info("[{}] adopted VMAC {} left by an earlier run", spec->name, name);
      } else {
        logger().error("[{}] {} exists and is not this instance's VMAC; not used", spec->name,
                       name);
      }
      continue;
    }
    net::MacvlanRequest request;
    request.name = name;
    request.parent_ifindex = base->ifindex;
    request.mac = spec->vmac->mac;
    request.bring_up = false;
    auto created = rtnl_.add_macvlan(request);
    if (!created) {
      logger().error("[{}] cannot create VMAC {}: {}", spec->name, name, created.error().message);
      continue;
    }
    vmacs_[name] = Vmac{*created, spec->interface};
    if (spec->family == Family::V4) {
      // The VMAC's own settings, as keepalived makes them: no IPv6 on it, answer ARP only for
      // its own addresses, and accept packets from local addresses and asymmetric paths.
      (void)net::write_sysctl(net::sysctl_path("ipv6", name, "disable_ipv6"), "1");
      (void)net::write_sysctl(net::sysctl_path("ipv4", name, "arp_ignore"), "1");
      (void)net::write_sysctl(net::sysctl_path("ipv4", name, "accept_local"), "1");
      (void)net::write_sysctl(net::sysctl_path("ipv4", name, "rp_filter"), "0");
      save_and_set_base(spec->interface, "arp_ignore", "1");
      save_and_set_base(spec->interface, "arp_filter", "1");
    } else {
      // IPv6, as keepalived does it: no address generated from the shared virtual MAC (both
      // nodes would claim the same link-local), no DAD; the base interface's link-local
      // address is copied onto the VMAC below, deprecated so that nothing else picks it.
      (void)net::write_sysctl(net::sysctl_path("ipv6", name, "addr_gen_mode"), "1");
      (void)net::write_sysctl(net::sysctl_path("ipv6", name, "accept_dad"), "0");
    }
    if (auto up = rtnl_.set_link_up(*created, true); !up) {
      logger().error("[{}] cannot set VMAC {} up: {}", spec->name, name, up.error().message);
    }
    if (spec->family == Family::V6) {
      if (auto link_local = primary_address(base->ifindex, Family::V6)) {
        net::AddressRequest copy;
        copy.ifindex = *created;
        copy.interface_name = name;
        copy.prefix = IpPrefix{*link_local, 64};
        copy.scope = net::AddressScope::Link;
        copy.flags.nodad = true;
        copy.lifetime.preferred = 0;
        if (auto added = rtnl_.add_address(copy, true); !added) {
          logger().error("[{}] VMAC {}: {}", spec->name, name, added.error().message);
        }
      } else {
        logger().error("[{}] {} has no link-local address to give VMAC {}", spec->name,
                       spec->interface, name);
      }
    }
    logger().info("[{}] created VMAC {} ({}) on {}", spec->name, name, spec->vmac->mac.to_string(),
                  spec->interface);
  }
  refresh_links();
}

void Engine::save_and_set_base(const std::string& base, const std::string& setting,
                               std::string_view value) {
  const auto path = net::sysctl_path("ipv4", base, setting);
  auto old = net::read_sysctl(path);
  if (!old) {
    logger().warn("{}", old.error().message);
    return;
  }
  saved_sysctls_.emplace(path, *old);  // keeps the first, original value
  if (auto written = net::write_sysctl(path, value); !written) {
    logger().warn("{}", written.error().message);
  }
}

void Engine::restore_base_settings(const std::string& base) {
  const auto prefix = net::sysctl_path("ipv4", base, "");
  for (auto it = saved_sysctls_.begin(); it != saved_sysctls_.end();) {
    if (it->first.rfind(prefix, 0) == 0) {
      (void)net::write_sysctl(it->first, it->second);
      it = saved_sysctls_.erase(it);
    } else {
      ++it;
    }
  }
}

void Engine::dump(std::ostream& out) const {
  out << "------< VRRP Topology >------\n";
  for (const auto& instance : instances_) instance->dump(out);
  out << "------< VRRP Packets >------\n";
  out << fmt::format(" Unknown VRID = {}\n", unknown_vrid_);
  out << fmt::format(" Rejected = {}\n", rejected_.total());
  for (std::size_t i = 0; i < kRejectReasons; ++i) {
    const auto reason = static_cast<Reject>(i);
    if (rejected_.count(reason) == 0) continue;
    out << fmt::format("   {} = {}\n", to_string(reason), rejected_.count(reason));
  }
}

void Engine::snapshot(status::Snapshot& out) const {
  for (const auto& instance : instances_) {
    auto view = instance->view();
    for (std::size_t g = 0; g < group_members_.size(); ++g) {
      const auto& members = group_members_[g];
      if (std::find(members.begin(), members.end(), instance.get()) != members.end()) {
        view.sync_group = groups_[g].name();
      }
    }
    out.instances.push_back(std::move(view));
  }
  for (const auto& [name, why] : not_started_) {
    status::InstanceView view;
    view.name = name;
    view.state = "INIT";
    view.running = false;
    view.not_running_reason = why;
    out.instances.push_back(std::move(view));
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    status::SyncGroupView view;
    view.name = groups_[g].name();
    view.state = std::string(to_string(groups_[g].group_state()));
    for (const auto* member : group_members_[g]) view.members.push_back(member->name());
    out.sync_groups.push_back(std::move(view));
  }
}

void Engine::clear_stats() {
  for (const auto& instance : instances_) instance->clear_stats();
  rejected_ = {};
  unknown_vrid_ = 0;
}

Instance* Engine::find(const std::string& name) {
  for (const auto& instance : instances_) {
    if (instance->name() == name) return instance.get();
  }
  return nullptr;
}

}  // namespace halo::vrrp
