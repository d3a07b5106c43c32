// One running VRRP instance: the imperative shell around the pure Fsm and GarpSchedule.
//
// It turns the FSM's actions into I/O through the Engine (adverts on the shared socket,
// addresses through rtnetlink, gratuitous ARPs / NAs), keeps the FSM's timer armed, folds
// link state into fault and priority, and watches for a second master (split brain).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "common/result.h"
#include "net/arp.h"
#include "net/rtnetlink.h"
#include "notify/vrrp_notice.h"
#include "status/snapshot.h"
#include "vrrp/fsm.h"
#include "vrrp/garp_schedule.h"
#include "vrrp/installed_routes.h"
#include "vrrp/instance_spec.h"
#include "vrrp/packet.h"

namespace halo::vrrp {

class Engine;

// The notice a transition to `state` gives (none for Init).
std::optional<notify::VrrpNotice::What> notice_of(State state);

// Counters of one instance, for the dumps (and later the metrics).
struct InstanceStats {
  std::uint64_t adverts_sent = 0;
  std::uint64_t adverts_received = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t became_master = 0;
  std::uint64_t released_master = 0;
  std::uint64_t priority_zero_sent = 0;
  std::uint64_t priority_zero_received = 0;
  std::uint64_t address_errors = 0;
  std::uint64_t announcements_sent = 0;  // gratuitous ARPs and NAs
  std::uint64_t split_brain_episodes = 0;
  std::uint64_t transitions = 0;
  RejectCounters rejected;  // after the VRID was known: auth, version, TTL, checksum form
};

class Instance {
 public:
  Instance(Engine& engine, InstanceSpec spec);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // Resolves the interface and source address and starts the FSM (RFC 5798 §6.4.1).
  void start();
  // Graceful stop: a master sends priority 0 and removes its addresses. Timers are cancelled.
  // `deleted`: a reload removed the instance, which notifies FAULT (DELETED with
  // notify_deleted) instead of STOP, as keepalived does.
  void stop(bool deleted = false);

  // A parsed advert with our VRID that arrived on our socket.
  void on_advert(const Received& packet);
  // A link changed (any link: the instance picks out the ones it tracks).
  void on_link(const net::LinkInfo& link, bool removed);
  // An address was added or removed somewhere: an instance without a source address retries.
  void on_address_change();
  // A host claims `address` at `mac` (an ARP sender, a neighbour advertisement's target).
  void on_claim(const IpAddress& address, const net::MacAddress& mac);
  // Recomputes the effective priority and fault from the links and trackers (after a tracker
  // changed; links call it themselves). An instance waiting in INIT for its scripts' first
  // result starts here once they have one.
  void update_tracking();
  // The engine's renewal tick: re-adds the addresses with a fresh lifetime while MASTER.
  void renew_addresses();
  // A transition its vrrp_sync_group decided (SyncGroup's ForcedTransition).
  void force(State to);
  // The instance's own fault condition (interface, weight-0 tracker), for its sync group.
  bool own_fault() const { return own_fault_; }
  // The effective priority (base and tracking), as advertised.
  std::uint8_t priority() const;

  // keepalived.data-style block.
  void dump(std::ostream& out) const;
  // What `show instance` and the metrics show (tracked items as the engine knows them).
  status::InstanceView view() const;
  // `set instance NAME priority N`: a new base priority (1..254) until the instance restarts
  // (a reload that changes its block). The owner (255) keeps its priority.
  Result<void> set_base_priority(int priority);

  const InstanceSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  State state() const { return fsm_.state(); }
  // Where its adverts leave and arrive (the VMAC unless vmac_xmit_base, else the interface).
  std::uint32_t advert_ifindex() const { return advert_ifindex_; }
  const InstanceStats& stats() const { return stats_; }
  void clear_stats() { stats_ = {}; }
  // True while another master is seen (adverts or ARP for our addresses).
  bool in_split_brain() const { return split_brain_since_.has_value(); }

 private:
  bool resolve_source();
  void start_fsm();
  bool verdict_pending() const;
  void apply(const Actions& actions);
  void send_advert(std::uint8_t priority);
  void take_over();
  void release();
  void set_accepting(bool accepting);
  void announce(int count);
  void arm_timer();
  void arm_garp_timer();
  void on_timer();
  void on_garp_timer();
  void note_split_brain(const IpAddress& other, std::string_view evidence);
  void end_split_brain_if_quiet(TimePoint now);
  std::optional<net::AddressRequest> address_request(const VirtualAddress& a) const;
  std::string prefix() const;
  void publish(std::string_view type, const boost::json::object& fields) const;
  track::TrackerStatus tracked_status(const TrackedItem& item) const;

  Engine& engine_;
  InstanceSpec spec_;
  Fsm fsm_;
  GarpSchedule garp_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer garp_timer_;
  // Completion handlers hold a weak reference: a handler already queued when the instance is
  // destroyed (a timer that expired in the same loop turn) must not touch it.
  std::shared_ptr<bool> alive_;

  std::uint32_t ifindex_ = 0;  // the configured interface
  std::uint32_t advert_ifindex_ = 0;
  IpAddress source_;
  bool router_flag_ = false;          // IPv6 forwarding on the interface: NAs carry the Router flag
  bool source_missing_ = false;       // no address to send adverts from: FAULT until there is
  bool own_fault_ = false;            // as last computed by update_tracking()
  bool waiting_for_verdict_ = false;  // in INIT until its weight-0 scripts have a result
  bool deleted_ = false;              // stopping because a reload removed it
  bool own_link_up_ = true;
  std::vector<bool> tracked_up_;
  std::uint8_t base_priority_;

  InstalledRoutes routes_;  // virtual_routes / virtual_rules while MASTER
  std::optional<TimePoint> split_brain_since_;
  TimePoint split_brain_last_{};
  State last_state_ = State::Init;
  std::chrono::system_clock::time_point last_transition_{};
  InstanceStats stats_;
};

}  // namespace halo::vrrp
