// The shell of one VRRP instance. The protocol decisions are the Fsm's (fsm.cc) and the
// announcement timing is the GarpSchedule's (garp_schedule.cc); this file performs what they
// decide, in their order:
//
//   SendAdvert  build the advert (packet.cc) and send it to the group or to every unicast peer
//   TakeOver    add the virtual addresses (with a finite lifetime, renewed by the engine, so a
//               crashed halod leaves none behind), then start the GARP / NA schedule
//   Release     stop the schedule, remove the addresses
//   StateChange log one line and remember when
//
// Received adverts arrive already parsed and demultiplexed by the engine; the per-instance
// checks the parser cannot do without knowing the instance happen here: version, the TTL
// rule for multicast, unicast peers' TTL ranges, non-standard checksum forms, v2
// authentication (RFC 3768 §7.1 / RFC 2338 §5.3.6).
//
// Split brain (design §2 L6): while MASTER, an advert from another master that does not win
// (the FSM counts those), or an ARP or neighbour advertisement from another MAC claiming one of
// our addresses, opens
// an episode: logged once with both addresses and counted. The episode ends when no evidence
// has been seen for a Master_Down_Interval, or when we stop being master.
#include "vrrp/instance.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "common/log.h"
#include "track/weights.h"
#include "vrrp/engine.h"

namespace halo::vrrp {
namespace {

spdlog::logger& logger() {
  return log::get("vrrp");
}

bool ipv6_forwarding(const std::string& interface) {
  std::ifstream in("/proc/sys/net/ipv6/conf/" + interface + "/forwarding");
  int value = 0;
  return static_cast<bool>(in >> value) && value != 0;
}

}  // namespace

Instance::Instance(Engine& engine, InstanceSpec spec)
    : engine_(engine),
      spec_(std::move(spec)),
      fsm_(spec_.fsm),
      garp_(spec_.garp, spec_.family == Family::V4 ? GarpFamily::Ipv4 : GarpFamily::Ipv6),
      timer_(engine.io()),
      garp_timer_(engine.io()),
      alive_(std::make_shared<bool>(true)),
      tracked_up_(spec_.tracked_interfaces.size(), true),
      base_priority_(spec_.fsm.priority) {}

Instance::~Instance() {
  *alive_ = false;
}

std::string Instance::prefix() const {
  return fmt::format("[{}/{}]", spec_.name, spec_.family == Family::V4 ? "v4" : "v6");
}

void Instance::start() {
  if (!spec_.interface.empty()) {
    if (const auto* link = engine_.link(spec_.interface)) {
      ifindex_ = link->ifindex;
      own_link_up_ = link->up();
    } else {
      logger().error("{} interface {} does not exist; instance in FAULT until it appears", prefix(),
                     spec_.interface);
    }
    if (const auto* link = engine_.link(spec_.advert_interface)) {
      advert_ifindex_ = link->ifindex;
    } else if (ifindex_ != 0) {
      logger().error("{} VMAC {} does not exist; instance in FAULT", prefix(),
                     spec_.advert_interface);
    }
  }
  if (spec_.family == Family::V6 && !spec_.interface.empty()) {
    router_flag_ = ipv6_forwarding(spec_.interface);
  }
  for (std::size_t i = 0; i < spec_.tracked_interfaces.size(); ++i) {
    const auto* link = engine_.link(spec_.tracked_interfaces[i].name);
    tracked_up_[i] = link != nullptr && link->up();
  }

  // Addresses left by an earlier run (killed before their lifetime ran out, or with
  // vrrp_vip_lifetime forever) go first: a BACKUP must not answer for them.
  for (const auto& a : spec_.addresses) {
    if (auto request = address_request(a)) {
      if (auto removed = engine_.rtnl().delete_address(*request); removed && *removed) {
        logger().info("{} removed {} left on {} by an earlier run", prefix(), a.prefix.to_string(),
                      a.interface);
      }
    }
  }

  source_missing_ = !resolve_source();
  if (source_missing_ && ifindex_ != 0) {
    logger().error(
        "{} interface {} has no {} address to send adverts from; instance in FAULT "
        "until it has one",
        prefix(), spec_.interface, spec_.family == Family::V4 ? "IPv4" : "IPv6 link-local");
  }
  // Like keepalived, an instance whose weight-0 script has no verdict yet waits in INIT:
  // starting would mean a FAULT (and notify_fault) before every first successful run, or a
  // `state MASTER` taking the VIP that a failing check then takes away.
  if (verdict_pending()) {
    waiting_for_verdict_ = true;
    logger().info("{} waits in INIT for the first result of its weight-0 scripts", prefix());
    return;
  }
  start_fsm();
}

bool Instance::verdict_pending() const {
  return std::any_of(spec_.tracked.begin(), spec_.tracked.end(), [&](const TrackedItem& t) {
    const auto status = engine_.tracker_status(t.kind, t.name);
    return t.weight == 0 && status && status->pending;
  });
}

bool Instance::resolve_source() {
  if (spec_.source) {
    source_ = *spec_.source;
    return true;
  }
  if (auto primary = engine_.primary_address(ifindex_, spec_.family)) {
    source_ = *primary;
    return true;
  }
  return false;
}

// RFC 5798 §6.4.1 with our primary address for the equal-priority tie-break. A fault known
// now (no interface, no source address, a link down) makes start() enter FAULT.
void Instance::start_fsm() {
  auto config = spec_.fsm;
  config.primary_address = source_;
  fsm_ = Fsm(config);
  update_tracking();
  apply(fsm_.start(Clock::now()));
  arm_timer();
}

void Instance::on_address_change() {
  // Boot order: the interface may get its address (DHCP, ifupdown) after halod started.
  if (!source_missing_ || ifindex_ == 0 || !resolve_source()) return;
  source_missing_ = false;
  logger().info("{} {} now has {} to send adverts from", prefix(), spec_.interface,
                source_.to_string());
  fsm_.set_primary_address(source_);
  update_tracking();  // the fault clears unless something else holds it
}

void Instance::stop(bool deleted) {
  deleted_ = deleted;
  apply(fsm_.stop(Clock::now()));
  timer_.cancel();
  garp_timer_.cancel();
}

// A tracker that stopped running (it cannot while the instance runs: the engine does not
// start an instance whose trackers are unavailable) counts as down.
track::TrackerStatus Instance::tracked_status(const TrackedItem& item) const {
  return engine_.tracker_status(item.kind, item.name).value_or(track::TrackerStatus{false, 0});
}

void Instance::update_tracking() {
  if (waiting_for_verdict_) {
    if (verdict_pending()) return;
    waiting_for_verdict_ = false;
    start_fsm();  // which computes the tracking
    return;
  }
  std::vector<track::WeightedStatus> trackers;
  trackers.reserve(spec_.tracked_interfaces.size() + spec_.tracked.size());
  for (std::size_t i = 0; i < spec_.tracked_interfaces.size(); ++i) {
    const auto& t = spec_.tracked_interfaces[i];
    trackers.push_back({track::TrackerKind::Interface, t.weight, t.reverse, {tracked_up_[i], 0}});
  }
  for (const auto& t : spec_.tracked) {
    trackers.push_back({t.kind, t.weight, t.reverse, tracked_status(t)});
  }
  const auto tracked = track::effective_priority(base_priority_, trackers);
  bool fault = tracked.fault || source_missing_ ||
               (!spec_.interface.empty() && (!ifindex_ || !advert_ifindex_));
  if (spec_.track_own_interface && !own_link_up_) fault = true;
  const int priority = tracked.priority;
  const auto now = Clock::now();
  if (priority != fsm_.priority()) {
    logger().info("{} effective priority {} -> {}", prefix(), fsm_.priority(), priority);
    publish("priority", {{"instance", spec_.name},
                         {"from", fsm_.priority()},
                         {"to", priority},
                         {"base", base_priority_}});
    apply(fsm_.set_priority(static_cast<std::uint8_t>(priority), now));
    if (spec_.notify_priority_changes) {
      engine_.notice(*this, fsm_.state() == State::Master
                                ? notify::VrrpNotice::What::MasterPriority
                                : notify::VrrpNotice::What::BackupPriority);
    }
  }
  apply(fsm_.set_fault(fault, now));
  if (fault != own_fault_) {
    own_fault_ = fault;
    // While the sync group holds this instance in FAULT its FSM reports no transition for
    // its own fault; the group learns of it here.
    engine_.on_member_fault(*this, fault);
  }
  // A FAULT cleared by a tracker (no packet, no timer involved) must start the
  // Master_Down_Interval; without this an instance alone on its link stayed in BACKUP.
  arm_timer();
}

std::optional<notify::VrrpNotice::What> notice_of(State state) {
  using What = notify::VrrpNotice::What;
  switch (state) {
    case State::Master:
      return What::Master;
    case State::Backup:
      return What::Backup;
    case State::Fault:
      return What::Fault;
    case State::Stop:
      return What::Stop;
    case State::Init:
      break;
  }
  return std::nullopt;
}

std::uint8_t Instance::priority() const {
  return fsm_.priority();
}

void Instance::force(State to) {
  apply(fsm_.force(to, Clock::now()));
  arm_timer();
}

void Instance::apply(const Actions& actions) {
  for (const auto& action : actions) {
    if (const auto* send = std::get_if<SendAdvert>(&action)) {
      send_advert(send->priority);
    } else if (std::holds_alternative<TakeOver>(action)) {
      take_over();
    } else if (std::holds_alternative<Release>(action)) {
      release();
    } else if (const auto* change = std::get_if<StateChange>(&action)) {
      logger().info("{} {} -> {} ({})", prefix(), to_string(change->from), to_string(change->to),
                    to_string(change->reason));
      last_state_ = change->to;
      last_transition_ = std::chrono::system_clock::now();
      ++stats_.transitions;
      publish("state", {{"instance", spec_.name},
                        {"from", to_string(change->from)},
                        {"to", to_string(change->to)},
                        {"reason", to_string(change->reason)},
                        {"priority", fsm_.priority()}});
      if (auto what = notice_of(change->to)) {
        using What = notify::VrrpNotice::What;
        if (*what == What::Stop && deleted_)
          what = spec_.notify_deleted ? What::Deleted : What::Fault;
        engine_.notice(*this, *what);
      }
      engine_.on_member_state(*this, change->to);
      if (change->to != State::Master && split_brain_since_) {
        logger().info("{} split brain episode over (left MASTER)", prefix());
        publish("split_brain", {{"instance", spec_.name},
                                {"phase", "end"},
                                {"episode", stats_.split_brain_episodes},
                                {"left_master", true}});
        split_brain_since_.reset();
      }
    }
  }
}

void Instance::send_advert(std::uint8_t priority) {
  auto* socket = engine_.socket_for(advert_ifindex_, spec_.family);
  if (socket == nullptr) {
    ++stats_.send_errors;
    return;
  }
  Advert advert;
  advert.version = static_cast<std::uint8_t>(spec_.fsm.version);
  advert.vrid = spec_.fsm.vrid;
  advert.priority = priority;
  advert.advert_interval = std::chrono::duration_cast<Centiseconds>(fsm_.advert_interval());
  for (const auto& a : spec_.addresses) {
    if (!a.excluded && a.prefix.address.family() == spec_.family) {
      advert.addresses.push_back(a.prefix.address);
    }
  }
  if (!spec_.password.empty()) {
    advert.auth_type = AuthType::Pass;
    std::copy_n(spec_.password.begin(), std::min(spec_.password.size(), kV2AuthDataSize),
                advert.auth_data.begin());
  }
  auto send_to = [&](const IpAddress& destination, std::uint8_t ttl) {
    auto message = build(advert, source_, destination, spec_.build);
    if (!message) {
      ++stats_.send_errors;
      logger().error("{} cannot build an advert: {}", prefix(), message.error().message);
      return;
    }
    if (auto sent = socket->send(*message, source_, destination, ttl); !sent) {
      if (stats_.send_errors++ == 0) {
        logger().warn("{} advert to {} not sent: {}", prefix(), destination.to_string(),
                      sent.error().message);
      }
      return;
    }
    ++stats_.adverts_sent;
  };
  if (spec_.unicast()) {
    for (const auto& peer : spec_.peers) send_to(peer.address, spec_.ttl);
  } else {
    send_to(spec_.multicast_group, 255);
  }
  if (priority == kPriorityStop) ++stats_.priority_zero_sent;
}

std::optional<net::AddressRequest> Instance::address_request(const VirtualAddress& a) const {
  const auto* link = engine_.link(a.interface);
  if (link == nullptr) return std::nullopt;
  return vrrp::address_request(a, *link, spec_.vip_lifetime);
}

void Instance::take_over() {
  ++stats_.became_master;
  // no_accept: the VIPs are for routing only while we are master (RFC 5798 Accept_Mode). The
  // drop rules go in before the addresses and come out after them, so there is no moment in
  // which the host takes packets for a VIP.
  if (!spec_.accept) set_accepting(false);
  for (const auto& a : spec_.addresses) {
    auto request = address_request(a);
    if (!request) {
      ++stats_.address_errors;
      logger().error("{} cannot add {}: interface {} does not exist", prefix(),
                     a.prefix.to_string(), a.interface);
      continue;
    }
    if (auto added = engine_.rtnl().add_address(*request, true); !added) {
      ++stats_.address_errors;
      logger().error("{} {}", prefix(), added.error().message);
    }
  }
  // Routes after the addresses: a route may use a VIP as its source or gateway's subnet.
  stats_.address_errors +=
      routes_.add(engine_.rtnl(), spec_.routes, spec_.rules, engine_.ifindex_lookup(), prefix());
  garp_.on_become_master(Clock::now());
  on_garp_timer();
}

void Instance::release() {
  ++stats_.released_master;
  garp_.on_leave_master();
  garp_timer_.cancel();
  stats_.address_errors += routes_.remove(engine_.rtnl(), prefix());
  for (const auto& a : spec_.addresses) {
    auto request = address_request(a);
    if (!request) continue;
    if (auto removed = engine_.rtnl().delete_address(*request); !removed) {
      ++stats_.address_errors;
      logger().error("{} {}", prefix(), removed.error().message);
    }
  }
  if (!spec_.accept) set_accepting(true);
}

void Instance::set_accepting(bool accepting) {
  auto* firewall = engine_.firewall();
  if (firewall == nullptr) {
    ++stats_.address_errors;
    return;
  }
  for (const auto& a : spec_.addresses) {
    auto done =
        accepting ? firewall->allow_to(a.prefix.address) : firewall->drop_to(a.prefix.address);
    if (!done) {
      ++stats_.address_errors;
      logger().error("{} no_accept: {}", prefix(), done.error().message);
    }
  }
}

void Instance::renew_addresses() {
  if (fsm_.state() != State::Master || spec_.vip_lifetime == 0) return;
  for (const auto& a : spec_.addresses) {
    auto request = address_request(a);
    if (!request) continue;
    if (auto renewed = engine_.rtnl().add_address(*request, true); !renewed) {
      if (stats_.address_errors++ == 0) {
        logger().error("{} renewing: {}", prefix(), renewed.error().message);
      }
    }
  }
}

void Instance::announce(int count) {
  if (count <= 0) return;
  // An NA leaves from a link-local address of its interface: looked up (an rtnetlink dump)
  // once per interface for the whole burst, not once per address and repeat.
  std::map<std::uint32_t, std::optional<IpAddress>> na_sources;
  auto na_source = [&](std::uint32_t ifindex) -> const std::optional<IpAddress>& {
    auto it = na_sources.find(ifindex);
    if (it == na_sources.end()) {
      it = na_sources.emplace(ifindex, engine_.primary_address(ifindex, Family::V6)).first;
    }
    return it->second;
  };
  for (int i = 0; i < count; ++i) {
    for (const auto& a : spec_.addresses) {
      const auto& vip = a.prefix.address;
      const auto* link = engine_.link(a.interface);
      if (link == nullptr || link->mac.is_zero()) continue;
      Result<void> sent;
      if (vip.is_v4()) {
        sent = engine_.announcer().send_garp(link->ifindex, vip, link->mac);
      } else {
        const auto& source = na_source(link->ifindex);
        if (!source) continue;
        sent = engine_.announcer().send_unsolicited_na(link->ifindex, vip, link->mac, *source,
                                                       router_flag_);
      }
      if (sent) {
        ++stats_.announcements_sent;
      } else {
        logger().debug("{} announcing {}: {}", prefix(), vip.to_string(), sent.error().message);
      }
    }
  }
}

void Instance::arm_timer() {
  timer_.cancel();
  const auto deadline = fsm_.next_deadline();
  if (!deadline) return;
  timer_.expires_at(*deadline);
  timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    auto token = alive.lock();
    if (ec || !token || !*token) return;
    on_timer();
  });
}

void Instance::on_timer() {
  const auto now = Clock::now();
  apply(fsm_.on_timer(now));
  end_split_brain_if_quiet(now);
  arm_timer();
}

void Instance::arm_garp_timer() {
  garp_timer_.cancel();
  const auto deadline = garp_.next_deadline();
  if (!deadline) return;
  garp_timer_.expires_at(*deadline);
  garp_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    auto token = alive.lock();
    if (ec || !token || !*token) return;
    on_garp_timer();
  });
}

void Instance::on_garp_timer() {
  announce(garp_.due(Clock::now()));
  arm_garp_timer();
}

void Instance::on_advert(const Received& packet) {
  const auto& advert = packet.advert;
  auto reject = [&](Reject reason) {
    stats_.rejected.add(reason);
    logger().debug("{} advert from {} dropped: {}", prefix(), packet.source.to_string(),
                   to_string(reason));
  };
  if (advert.version != spec_.fsm.version) return reject(Reject::BadVersion);
  if (spec_.unicast()) {
    // keepalived: unicast adverts are accepted from the configured peers only, each within its
    // TTL range.
    const auto peer =
        std::find_if(spec_.peers.begin(), spec_.peers.end(),
                     [&](const UnicastPeer& p) { return p.address == packet.source; });
    if (peer == spec_.peers.end()) return reject(Reject::NotFromPeer);
    if ((peer->min_ttl && packet.ttl < *peer->min_ttl) ||
        (peer->max_ttl && packet.ttl > *peer->max_ttl)) {
      return reject(Reject::BadTtl);
    }
  } else if (packet.ttl != kRequiredTtl) {
    return reject(Reject::BadTtl);
  }
  if (packet.checksum_form == ChecksumForm::OldUnicast &&
      !spec_.parse.accept_old_unicast_checksum) {
    return reject(Reject::BadChecksum);
  }
  if (packet.checksum_form == ChecksumForm::AsV2 && !spec_.parse.accept_v3_checksum_as_v2) {
    return reject(Reject::BadChecksum);
  }
  if (advert.version == 2) {
    if (auto bad = check_auth(advert, spec_.password)) return reject(*bad);
  }
  ++stats_.adverts_received;
  if (advert.priority == kPriorityStop) ++stats_.priority_zero_received;

  const auto now = Clock::now();
  const auto split_before = fsm_.split_brain_adverts();
  const bool was_master = fsm_.state() == State::Master;
  AdvertIn in;
  in.priority = advert.priority;
  in.interval = static_cast<std::uint16_t>(
      advert.version == 2 ? advert.advert_interval.count() / 100 : advert.advert_interval.count());
  in.source = packet.source;
  apply(fsm_.on_advert(in, now));
  if (fsm_.split_brain_adverts() != split_before) {
    note_split_brain(packet.source, fmt::format("adverts with priority {}", advert.priority));
  }
  if (was_master && fsm_.state() == State::Master && advert.priority != kPriorityStop &&
      advert.priority < fsm_.priority()) {
    garp_.on_lower_priority_advert(now);
    arm_garp_timer();
    engine_.notice(*this, notify::VrrpNotice::What::MasterRxLowerPri);
  }
  arm_timer();
}

void Instance::on_link(const net::LinkInfo& link, bool removed) {
  bool changed = false;
  const bool up = !removed && link.up();
  const auto index = removed ? 0 : link.ifindex;
  if (!spec_.interface.empty() && link.name == spec_.advert_interface) {
    changed |= advert_ifindex_ != index;
    advert_ifindex_ = index;
  }
  if (!spec_.interface.empty() && link.name == spec_.interface) {
    changed |= ifindex_ != index || own_link_up_ != up;
    ifindex_ = index;
    own_link_up_ = up;
  }
  for (std::size_t i = 0; i < spec_.tracked_interfaces.size(); ++i) {
    if (spec_.tracked_interfaces[i].name != link.name) continue;
    changed |= tracked_up_[i] != up;
    tracked_up_[i] = up;
  }
  if (!changed) return;
  logger().info("{} interface {} is {}", prefix(), link.name,
                removed ? "gone" : (up ? "up" : "down"));
  if (source_missing_ && ifindex_ != 0) {
    on_address_change();  // a new interface may come with its address already
    return;
  }
  update_tracking();
}

void Instance::on_claim(const IpAddress& address, const net::MacAddress& mac) {
  if (fsm_.state() != State::Master || mac.is_zero()) return;
  for (const auto& a : spec_.addresses) {
    if (a.prefix.address != address) continue;
    const auto* link = engine_.link(a.interface);
    if (link != nullptr && link->mac == mac) return;  // ours
    note_split_brain(address, fmt::format("{} from {} claiming {}",
                                          address.is_v4() ? "ARP" : "neighbour advertisement",
                                          mac.to_string(), address.to_string()));
    return;
  }
}

void Instance::note_split_brain(const IpAddress& other, std::string_view evidence) {
  const auto now = Clock::now();
  split_brain_last_ = now;
  if (split_brain_since_) return;
  split_brain_since_ = now;
  ++stats_.split_brain_episodes;
  publish("split_brain", {{"instance", spec_.name},
                          {"phase", "start"},
                          {"peer", other.to_string()},
                          {"evidence", evidence},
                          {"episode", stats_.split_brain_episodes}});
  logger().warn(
      "{} split brain: another master for VRID {} ({}, {}) while we are MASTER ({}, "
      "priority {}); episode {}",
      prefix(), spec_.fsm.vrid, other.to_string(), evidence, source_.to_string(), fsm_.priority(),
      stats_.split_brain_episodes);
}

void Instance::end_split_brain_if_quiet(TimePoint now) {
  if (!split_brain_since_ || now - split_brain_last_ < fsm_.master_down_interval()) return;
  logger().info("{} split brain episode over (no other master for {})", prefix(),
                std::chrono::duration_cast<std::chrono::milliseconds>(now - *split_brain_since_));
  publish(
      "split_brain",
      {{"instance", spec_.name},
       {"phase", "end"},
       {"episode", stats_.split_brain_episodes},
       {"duration_ms",
        std::chrono::duration_cast<std::chrono::milliseconds>(now - *split_brain_since_).count()}});
  split_brain_since_.reset();
}

void Instance::dump(std::ostream& out) const {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  using std::chrono::seconds;
  // keepalived 2.2.7's field names, in its order, for every value halo has (parsers of
  // keepalived.data keep working); halo's own fields follow the tracked lists.
  const auto micros = duration_cast<microseconds>(last_transition_.time_since_epoch()).count();
  const auto since = static_cast<std::time_t>(micros / 1'000'000);
  const auto state = fsm_.state();
  // keepalived's wantstate follows the state into MASTER and FAULT, else it is the configured
  // initial state.
  const auto wanted =
      state == State::Master || state == State::Fault ? state : spec_.fsm.initial_state;
  const auto secs = [](GarpConfig::Duration d) { return duration_cast<seconds>(d).count(); };
  out << fmt::format(" VRRP Instance = {}\n", spec_.name);
  out << fmt::format("   VRRP Version = {}\n", spec_.fsm.version);
  out << fmt::format("   State = {}\n", to_string(state));
  out << fmt::format("   Wantstate = {}\n", to_string(wanted));
  out << fmt::format("   Last transition = {}.{:06} ({:%a %b %e %H:%M:%S}.{:06} {:%Y})\n", since,
                     micros % 1'000'000, fmt::localtime(since), micros % 1'000'000,
                     fmt::localtime(since));
  out << fmt::format("   Interface = {}\n", spec_.interface.empty() ? "none" : spec_.interface);
  out << fmt::format("   Using src_ip = {}\n", source_.to_string());
  if (!spec_.unicast()) {
    out << fmt::format("   Multicast address {}\n", spec_.multicast_group.to_string());
  }
  const auto& g = spec_.garp;
  out << fmt::format("   Gratuitous ARP delay = {}\n", secs(g.master_delay));
  out << fmt::format("   Gratuitous ARP repeat = {}\n", g.master_repeat);
  out << fmt::format("   Gratuitous ARP refresh = {}\n", secs(g.master_refresh));
  out << fmt::format("   Gratuitous ARP refresh repeat = {}\n", g.master_refresh_repeat);
  out << fmt::format("   Gratuitous ARP lower priority delay = {}\n",
                     secs(g.lower_prio_delay.value_or(g.master_delay)));
  out << fmt::format("   Gratuitous ARP lower priority repeat = {}\n",
                     g.lower_prio_repeat.value_or(g.master_repeat));
  out << fmt::format("   Down timer adverts = {}\n", spec_.fsm.down_timer_adverts);
  out << fmt::format("   Send advert after receive lower priority advert = {}\n",
                     spec_.fsm.lower_prio_no_advert ? "false" : "true");
  out << fmt::format("   Send advert after receive higher priority advert = {}\n",
                     spec_.fsm.higher_prio_send_advert ? "true" : "false");
  out << fmt::format("   Virtual Router ID = {}\n", spec_.fsm.vrid);
  out << fmt::format("   Priority = {}\n", base_priority_);
  out << fmt::format("   Effective priority = {}\n", fsm_.priority());
  out << fmt::format("   Total priority = {}\n", fsm_.priority());
  out << fmt::format("   Advert interval = {} milli-sec\n",
                     duration_cast<std::chrono::milliseconds>(fsm_.advert_interval()).count());
  if (state != State::Master) {  // keepalived writes it only then
    out << fmt::format(
        "   Master advert interval = {} milli-sec\n",
        duration_cast<std::chrono::milliseconds>(fsm_.master_adver_interval()).count());
  }
  out << fmt::format("   Accept = {}\n", spec_.accept ? "enabled" : "disabled");
  out << fmt::format("   Preempt = {}\n", spec_.fsm.preempt ? "enabled" : "disabled");
  std::size_t listed = 0;
  for (const auto& a : spec_.addresses) listed += a.excluded ? 0 : 1;
  out << fmt::format("   Virtual IP ({}):\n", listed);
  for (const auto& a : spec_.addresses) {
    if (a.excluded) continue;
    out << fmt::format("     {} dev {} scope global{}\n", a.prefix.to_string(), a.interface,
                       state == State::Master ? " set" : "");
  }
  if (listed != spec_.addresses.size()) {
    out << "   Virtual IP Excluded :\n";
    for (const auto& a : spec_.addresses) {
      if (!a.excluded) continue;
      out << fmt::format("     {} dev {} scope global{}\n", a.prefix.to_string(), a.interface,
                         state == State::Master ? " set" : "");
    }
  }
  // keepalived's lists of what the instance tracks, with the weight that applies.
  if (!spec_.tracked_interfaces.empty()) {
    out << "   Tracked interfaces :\n";
    for (std::size_t i = 0; i < spec_.tracked_interfaces.size(); ++i) {
      const auto& t = spec_.tracked_interfaces[i];
      out << fmt::format("     {} weight {}{} ({})\n", t.name, t.weight,
                         t.reverse ? " reverse" : "", tracked_up_[i] ? "up" : "down");
    }
  }
  // keepalived's headings, and its "chk weight 10" for scripts but "tf, weight 3" otherwise.
  const std::pair<track::TrackerKind, const char*> lists[] = {
      {track::TrackerKind::Script, "Tracked scripts"},
      {track::TrackerKind::File, "Tracked files"},
      {track::TrackerKind::Process, "Tracked processes"}};
  for (const auto& [kind, heading] : lists) {
    bool first = true;
    for (const auto& t : spec_.tracked) {
      if (t.kind != kind) continue;
      if (first) out << "   " << heading << " :\n";
      first = false;
      out << fmt::format("     {}{} weight {}{}\n", t.name,
                         kind == track::TrackerKind::Script ? "" : ",", t.weight,
                         t.reverse ? " reverse" : "");
    }
  }
  out << fmt::format("   Notify deleted = {}\n", spec_.notify_deleted ? "Deleted" : "Fault");
  out << fmt::format("   Notify priority changes = {}\n",
                     spec_.notify_priority_changes ? "true" : "false");
  // halo's own.
  out << fmt::format("   VIP lifetime = {}\n", spec_.vip_lifetime == 0
                                                   ? std::string("forever")
                                                   : fmt::format("{} sec", spec_.vip_lifetime));
  out << fmt::format("   Adverts sent = {}\n", stats_.adverts_sent);
  out << fmt::format("   Adverts received = {}\n", stats_.adverts_received);
  out << fmt::format("   Became master = {}\n", stats_.became_master);
  out << fmt::format("   Released master = {}\n", stats_.released_master);
  out << fmt::format("   Priority zero sent = {}\n", stats_.priority_zero_sent);
  out << fmt::format("   Priority zero received = {}\n", stats_.priority_zero_received);
  out << fmt::format("   Send errors = {}\n", stats_.send_errors);
  out << fmt::format("   Address errors = {}\n", stats_.address_errors);
  out << fmt::format("   Announcements sent = {}\n", stats_.announcements_sent);
  out << fmt::format("   Split brain = {}\n", in_split_brain() ? "yes" : "no");
  out << fmt::format("   Split brain episodes = {}\n", stats_.split_brain_episodes);
  out << fmt::format("   Interval mismatch drops = {}\n", fsm_.interval_mismatch_drops());
  for (std::size_t i = 0; i < kRejectReasons; ++i) {
    const auto reason = static_cast<Reject>(i);
    if (stats_.rejected.count(reason) == 0) continue;
    out << fmt::format("   Rejected {} = {}\n", to_string(reason), stats_.rejected.count(reason));
  }
}

void Instance::publish(std::string_view type, const boost::json::object& fields) const {
  if (auto* events = engine_.event_log()) events->publish(type, fields);
}

Result<void> Instance::set_base_priority(int priority) {
  if (spec_.fsm.priority == kPriorityOwner) {
    return fail(fmt::format("{} owns its addresses (priority 255); its priority cannot change",
                            spec_.name));
  }
  if (priority < 1 || priority > 254) {
    return fail(fmt::format("priority {} is out of range 1..254", priority));
  }
  logger().info("{} base priority {} -> {} (control socket)", prefix(), base_priority_, priority);
  base_priority_ = static_cast<std::uint8_t>(priority);
  if (fsm_.state() != State::Init && fsm_.state() != State::Stop) update_tracking();
  return {};
}

status::InstanceView Instance::view() const {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  status::InstanceView v;
  v.name = spec_.name;
  v.interface = spec_.interface;
  v.family = spec_.family == Family::V4 ? "inet" : "inet6";
  v.vrid = spec_.fsm.vrid;
  v.version = spec_.fsm.version;
  v.state = std::string(to_string(fsm_.state()));
  v.wanted_state = std::string(to_string(spec_.fsm.initial_state));
  v.base_priority = base_priority_;
  v.configured_priority = spec_.fsm.priority;
  v.effective_priority = fsm_.priority();
  v.advert_interval_ms =
      static_cast<int>(duration_cast<milliseconds>(fsm_.advert_interval()).count());
  v.master_advert_interval_ms =
      static_cast<int>(duration_cast<milliseconds>(fsm_.master_adver_interval()).count());
  v.nopreempt = !spec_.fsm.preempt;
  v.preempt_delay_ms = static_cast<int>(spec_.fsm.preempt_delay.count());
  v.accept = spec_.accept;
  for (const auto& a : spec_.addresses) {
    (a.excluded ? v.excluded_addresses : v.virtual_addresses).push_back(a.prefix.to_string());
  }
  if (spec_.vmac) v.vmac_interface = spec_.vmac->name;
  v.auth_type = spec_.password.empty() ? 0 : 1;
  v.auth_data = spec_.password;
  v.addresses_set = fsm_.state() == State::Master;
  v.last_transition = last_transition_;
  v.split_brain = in_split_brain();
  v.running = true;
  for (std::size_t i = 0; i < spec_.tracked_interfaces.size(); ++i) {
    const auto& t = spec_.tracked_interfaces[i];
    v.tracked.push_back({"interface", t.name, tracked_up_[i], false, 0, t.weight, t.reverse});
  }
  for (const auto& t : spec_.tracked) {
    const auto status = tracked_status(t);
    v.tracked.push_back({std::string(track::to_string(t.kind)), t.name, status.up, status.pending,
                         status.value, t.weight, t.reverse});
  }
  auto& c = v.counters;
  const auto& r = stats_.rejected;
  c.adverts_sent = stats_.adverts_sent;
  c.adverts_received = stats_.adverts_received;
  c.became_master = stats_.became_master;
  c.released_master = stats_.released_master;
  c.priority_zero_sent = stats_.priority_zero_sent;
  c.priority_zero_received = stats_.priority_zero_received;
  c.send_errors = stats_.send_errors;
  c.address_errors = stats_.address_errors;
  c.announcements_sent = stats_.announcements_sent;
  c.split_brain_episodes = stats_.split_brain_episodes;
  c.transitions = stats_.transitions;
  c.packet_length_errors = r.count(Reject::TooShort) + r.count(Reject::BadIpHeader);
  c.ttl_errors = r.count(Reject::BadTtl);
  c.invalid_type = r.count(Reject::BadType);
  c.advert_interval_errors = r.count(Reject::BadInterval);
  c.address_list_errors = r.count(Reject::BadAddressCount);
  c.invalid_auth_type = r.count(Reject::BadAuthType);
  c.auth_type_mismatch = r.count(Reject::AuthTypeMismatch);
  c.auth_failure = r.count(Reject::AuthFailure);
  for (std::size_t i = 0; i < kRejectReasons; ++i) {
    const auto reason = static_cast<Reject>(i);
    c.rejected.emplace_back(std::string(to_string(reason)), r.count(reason));
  }
  return v;
}

}  // namespace halo::vrrp
