// The VRRP protocol state machine (RFC 5798 §6.4, RFC 3768 §6.4 for v2): pure, time injected.
//
// Inputs in, actions out: every call takes `now` and returns the Actions the shell must
// perform, in order. The FSM never reads a clock and never touches a socket; the shell calls
// on_timer() at (or after) next_deadline().
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "common/ip_address.h"

namespace halo::vrrp {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Centiseconds = std::chrono::duration<std::int64_t, std::centi>;

// keepalived's state names (INIT, BACKUP, MASTER, FAULT, STOP).
enum class State : std::uint8_t { Init, Backup, Master, Fault, Stop };
std::string_view to_string(State state);

// Why a transition happened; to_string gives the text the daemon logs.
enum class Reason : std::uint8_t {
  Start,                 // "start"
  AddressOwner,          // "address owner"
  MasterDownTimer,       // "master down timer"
  Preempt,               // "preempt": the down timer fired while a lower-priority master spoke
  PriorityZeroAdvert,    // "priority 0 advert"
  HigherPriorityAdvert,  // "higher priority advert"
  HigherAddressAdvert,   // "equal priority advert from higher address"
  Fault,                 // "fault"
  FaultCleared,          // "fault cleared"
  Stop,                  // "stop"
  SyncGroup,             // "sync group": forced by the instance's vrrp_sync_group
};
std::string_view to_string(Reason reason);

inline constexpr std::uint8_t kPriorityOwner = 255;
inline constexpr std::uint8_t kPriorityStop = 0;

// Plain configuration, independent of src/config. Out-of-range values are clamped by the FSM
// (validation with file:line messages is the config layer's job).
struct FsmConfig {
  int version = 2;                    // 2 (RFC 3768) or 3 (RFC 5798)
  std::uint8_t vrid = 1;              // 1..255
  std::uint8_t priority = 100;        // 1..255; 255 = address owner
  Centiseconds advert_interval{100};  // v3: 1..4095 cs; v2: whole seconds 1..255 (rounded up)
  bool preempt = true;                // keepalived's `nopreempt` sets false
  std::chrono::milliseconds preempt_delay{0};  // keepalived `preempt_delay`, 0..1000 s
  State initial_state = State::Backup;         // keepalived `state`: Master or Backup (see fsm.cc)
  IpAddress primary_address;                   // ours, for the equal-priority tie-break
  bool lower_prio_no_advert = false;           // master: don't answer a lower-priority advert
  bool higher_prio_send_advert = false;        // master: send one advert before stepping down
  int down_timer_adverts = 3;                  // 1..100; Master_Down_Interval multiplier
  friend bool operator==(const FsmConfig&, const FsmConfig&) = default;
};

// A received, already validated advertisement (the codec decodes the wire format).
struct AdvertIn {
  std::uint8_t priority = 0;
  // The packet's interval field as received: v3 Max Adver Int in centiseconds (12 bits),
  // v2 Adver Int in seconds. A v2 interval unlike ours and a v3 interval of 0 are dropped
  // and counted.
  std::uint16_t interval = 0;
  IpAddress source;  // the sender's primary address (IP source)
};

// Send an advertisement with this priority now.
struct SendAdvert {
  std::uint8_t priority = 0;
  friend bool operator==(const SendAdvert&, const SendAdvert&) = default;
};
// Become the forwarder: add the VIPs, send gratuitous ARP / unsolicited NA.
struct TakeOver {
  friend bool operator==(const TakeOver&, const TakeOver&) = default;
};
// Stop forwarding: remove the VIPs.
struct Release {
  friend bool operator==(const Release&, const Release&) = default;
};
// Always the last action of a transition.
struct StateChange {
  State from = State::Init;
  State to = State::Init;
  Reason reason = Reason::Start;
  friend bool operator==(const StateChange&, const StateChange&) = default;
};

using Action = std::variant<SendAdvert, TakeOver, Release, StateChange>;
using Actions = std::vector<Action>;

class Fsm {
 public:
  explicit Fsm(const FsmConfig& config);

  // RFC 5798 §6.4.1 Initialize.
  Actions start(TimePoint now);
  // A received advertisement for our VRID (the shell has dropped our own packets).
  Actions on_advert(const AdvertIn& advert, TimePoint now);
  // Call at or after next_deadline(); an early call does nothing.
  Actions on_timer(TimePoint now);
  // Tracker-adjusted priority (1..254; 255 only for an address owner); takes effect in the
  // next advert and down-timer reset.
  Actions set_priority(std::uint8_t priority, TimePoint now);
  // Interface down or a weight-0 tracker failed (true); recovered (false).
  Actions set_fault(bool fault, TimePoint now);
  // Our primary address (the equal-priority tie-break) when it becomes known after
  // construction: an interface that gets its address after the daemon started.
  void set_primary_address(const IpAddress& address) { config_.primary_address = address; }
  // Graceful shutdown: a master sends priority 0 and releases.
  Actions stop(TimePoint now);
  // Apply a transition the instance's sync group decided (SyncGroup's ForcedTransition):
  // `to` is Master, Backup or Fault; see fsm.cc for what each does from each state. Forcing
  // into the current state, from Stop, or into Init/Stop returns nothing.
  Actions force(State to, TimePoint now);

  // The earliest pending deadline: advert timer (Master), master down timer (Backup).
  std::optional<TimePoint> next_deadline() const;

  State state() const { return state_; }
  std::uint8_t priority() const { return priority_; }
  const FsmConfig& config() const { return config_; }
  // The advert interval we send (v3 cs resolution, v2 whole seconds).
  std::chrono::microseconds advert_interval() const { return advert_interval_; }
  // Master_Adver_Interval (v3: learned from the master's adverts while Backup).
  std::chrono::microseconds master_adver_interval() const { return master_adver_interval_; }
  std::chrono::microseconds skew_time() const;
  std::chrono::microseconds master_down_interval() const;

  // v2 adverts dropped because their interval differs from ours (RFC 3768 §7.1).
  std::uint64_t interval_mismatch_drops() const { return interval_mismatch_drops_; }
  // v3 adverts dropped because their interval field is 0.
  std::uint64_t zero_interval_drops() const { return zero_interval_drops_; }
  // Adverts (priority > 0) received while Master from a master that does not win: two masters.
  std::uint64_t split_brain_adverts() const { return split_brain_adverts_; }

 private:
  void enter_initial_state(TimePoint now, Reason backup_reason, Actions& out);
  void become_master(TimePoint now, Reason reason, Actions& out);
  void become_backup(TimePoint now, State from, Reason reason, Actions& out);
  void enter_fault(Reason reason, Actions& out);
  void reset_down_timer(TimePoint now);
  std::chrono::microseconds skew_for(std::uint8_t priority) const;
  Actions on_advert_backup(const AdvertIn& advert, std::chrono::microseconds interval,
                           TimePoint now);
  Actions on_advert_master(const AdvertIn& advert, std::chrono::microseconds interval,
                           TimePoint now);

  FsmConfig config_;
  State state_ = State::Init;
  std::uint8_t priority_;
  bool fault_ = false;
  std::chrono::microseconds advert_interval_;
  std::chrono::microseconds master_adver_interval_;
  std::chrono::microseconds preempt_delay_;
  std::optional<TimePoint> adver_timer_;        // Master
  std::optional<TimePoint> master_down_timer_;  // Backup
  Reason down_reason_ = Reason::MasterDownTimer;
  bool lower_master_seen_ = false;               // Backup: discarded a lower-priority advert
  std::optional<TimePoint> preempt_window_end_;  // Backup: preempt_delay window
  bool group_fault_ = false;  // Fault: held there by the sync group (force), not fault_ alone
  std::uint64_t interval_mismatch_drops_ = 0;
  std::uint64_t zero_interval_drops_ = 0;
  std::uint64_t split_brain_adverts_ = 0;
};

}  // namespace halo::vrrp
