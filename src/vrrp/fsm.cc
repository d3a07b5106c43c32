// The VRRP protocol state machine: RFC 5798 §6.4 (v3) and RFC 3768 §6.4 (v2), with the
// keepalived extensions that existing keepalived.conf files rely on.
//
// This is the functional core of a VRRP instance. It does no I/O and reads no clock: every
// input carries `now`, every call returns the actions (send an advert, take over or release
// the virtual addresses, a state change with its reason) that the shell performs in order, and
// next_deadline() tells the shell when to call on_timer(). That makes every timing rule of the
// RFC a unit test with a fake clock.
//
// Timers are kept as absolute deadlines in microseconds, like keepalived's, rather than in the
// RFC's centiseconds: Skew_Time at a 10 ms advert interval is below one centisecond, and the
// daemon must fail over within 1 ms of keepalived's figures (design §6).
//
// The RFC rules (RFC 5798 §6.1 for the parameters):
//   Skew_Time            = ((256 - Priority) * Master_Adver_Interval) / 256      (v3)
//                        = (256 - Priority) / 256 seconds                          (v2, RFC 3768
//                        §6.1)
//   Master_Down_Interval = down_timer_adverts * Master_Adver_Interval + Skew_Time
// down_timer_adverts is 3 in the RFCs; keepalived makes it configurable.
//
// keepalived extensions, as documented in keepalived.conf(5):
//   - `state` (keepalived.conf(5): "If the priority is 255, then the instance will transition
//     immediately to MASTER if state MASTER is specified; otherwise the instance will wait
//     between 3 and 4 advert intervals before it can transition, depending on the priority").
//     An address owner goes to MASTER at once whatever `state` says: RFC 5798 §6.4.1 requires
//     it, and keepalived treats priority 255 as `state MASTER` (it resets nopreempt there).
//     Everyone else starts as BACKUP with the RFC's Master_Down_Interval, `state MASTER` too:
//     measured against keepalived 2.2.7 in a namespace, an uncontested `state MASTER`
//     priority 100 instance with advert_int 3 entered BACKUP at start and MASTER 10 s later
//     (3 x 3 s + skew 1.83 s), as the man page says. (Newer keepalived sources arm a shorter
//     first timer; 2.2.7, our oracle, does not.) `state MASTER` differs from `state BACKUP`
//     only in that `nopreempt` and `preempt_delay` "will not work" with it: keepalived clears
//     them, and so do we.
//   - `preempt_delay`: a window after start-up (or after first seeing a lower-priority master)
//     during which a BACKUP keeps accepting a lower-priority master's adverts as if preemption
//     were off; after the window it discards them (RFC) and its down timer fires. Hence "3.5 s
//     normally, about 5.5 s with preempt_delay 2" in the man page. An advert of equal or
//     higher priority closes the window; leaving FAULT does not open one (keepalived).
//   - Two address owners (an equal priority 255 advert from another address) is a
//     configuration error; like keepalived, the master drops its own priority to 254 and so
//     steps down, rather than both claiming the addresses.
//   - `lower_prio_no_advert` false (keepalived's default): a MASTER answering a lower-priority
//     advert with one of its own so the other master steps down; true = RFC (discard).
//   - `higher_prio_send_advert`: a MASTER stepping down sends one advert first, so a peer
//     with garp_lower_prio_repeat re-sends its gratuitous ARPs.
//   - FAULT: a MASTER entering FAULT sends priority 0 (as on shutdown) so a backup takes over
//     after Skew_Time rather than Master_Down_Interval; leaving FAULT re-runs §6.4.1.
//
// Sync groups (keepalived `vrrp_sync_group`, decided in sync_group.cc) force transitions on
// their members; force() applies them, with Reason::SyncGroup. The contract is that force(to)
// either ends in `to` or changes nothing, so the shell may apply a forced transition without
// reporting it back to the group. What each does (keepalived 2.x vrrp_sync.c):
//   - MASTER (vrrp_sync_master → vrrp_state_goto_master): from BACKUP, INIT or a FAULT held only
//     by the group, exactly what the down timer firing does: advert, take over, MASTER.
//   - BACKUP from MASTER (vrrp_sync_backup → vrrp_state_leave_master(isync, false)): release the
//     addresses and go BACKUP with Master_Adver_Interval reset to ours and the down timer at
//     Master_Down_Interval, like a master that heard a better one. No priority 0 advert: the
//     `false` there is advF, which is what sends priority 0 on shutdown, and keepalived leaves
//     it off. That is also the sensible choice: this member's VRID has no better master yet
//     (the group is following another member's VRID), so a priority 0 advert would only make
//     the peer backups of this VRID race each other after Skew_Time, while the peer router's
//     own sync group moves them together. Nor the higher_prio_send_advert advert: that answers
//     a received advert, and there is none here.
//   - BACKUP from a FAULT held by the group (vrrp_state_leave_fault): BACKUP as on a fault
//     clearing, except that an address owner goes BACKUP too (its down timer makes it MASTER
//     Master_Down_Interval later, and it reports that itself) so that force() keeps its
//     contract.
//   - FAULT (vrrp_sync_fault): a MASTER sends priority 0 and releases (as on its own fault),
//     a BACKUP just goes FAULT; timers stop. The instance's own fault stays clear: the FAULT
//     is held by the group, and only force(BACKUP or MASTER) or stop() ends it.
// The instance's own fault and the group's hold are separate. set_fault(true) while held
// records the fault and emits nothing (the shell tells the group, SyncGroup::set_member_fault);
// set_fault(false) then does not leave FAULT either: the group releases the member when its
// last fault clears. A release that finds the instance's own fault still set changes nothing
// except that the FAULT is now the instance's own, which set_fault(false) ends as usual.
// From INIT only MASTER is forced (a member not started yet may still join its group as
// MASTER; BACKUP and FAULT wait for start()); from STOP nothing.
#include "vrrp/fsm.h"

#include <algorithm>

namespace halo::vrrp {

using std::chrono::microseconds;

std::string_view to_string(State state) {
  switch (state) {
    case State::Init:
      return "INIT";
    case State::Backup:
      return "BACKUP";
    case State::Master:
      return "MASTER";
    case State::Fault:
      return "FAULT";
    case State::Stop:
      return "STOP";
  }
  return "UNKNOWN";
}

std::string_view to_string(Reason reason) {
  switch (reason) {
    case Reason::Start:
      return "start";
    case Reason::AddressOwner:
      return "address owner";
    case Reason::MasterDownTimer:
      return "master down timer";
    case Reason::Preempt:
      return "preempt";
    case Reason::PriorityZeroAdvert:
      return "priority 0 advert";
    case Reason::HigherPriorityAdvert:
      return "higher priority advert";
    case Reason::HigherAddressAdvert:
      return "equal priority advert from higher address";
    case Reason::Fault:
      return "fault";
    case Reason::FaultCleared:
      return "fault cleared";
    case Reason::Stop:
      return "stop";
    case Reason::SyncGroup:
      return "sync group";
  }
  return "unknown";
}

namespace {

constexpr Centiseconds kMaxV3Interval{4095};         // 12-bit field, RFC 5798 §5.2.7
constexpr std::chrono::seconds kMaxV2Interval{255};  // 8-bit field, RFC 3768 §5.3.7

FsmConfig normalized(FsmConfig config) {
  config.version = config.version == 3 ? 3 : 2;
  config.priority = std::max<std::uint8_t>(config.priority, 1);
  if (config.version == 3) {
    config.advert_interval = std::clamp(config.advert_interval, Centiseconds{1}, kMaxV3Interval);
  } else {
    auto secs = std::chrono::ceil<std::chrono::seconds>(config.advert_interval);
    config.advert_interval = std::clamp(secs, std::chrono::seconds{1}, kMaxV2Interval);
  }
  config.preempt_delay = std::clamp(config.preempt_delay, std::chrono::milliseconds{0},
                                    std::chrono::milliseconds{1000 * 1000});
  config.down_timer_adverts = std::clamp(config.down_timer_adverts, 1, 100);
  if (config.initial_state != State::Master) config.initial_state = State::Backup;
  if (config.initial_state == State::Master || config.priority == kPriorityOwner) {
    // keepalived.conf(5): nopreempt and preempt_delay need an initial state other than MASTER;
    // keepalived resets nopreempt for an address owner.
    config.preempt = true;
    config.preempt_delay = std::chrono::milliseconds{0};
  }
  return config;
}

}  // namespace

Fsm::Fsm(const FsmConfig& config)
    : config_(normalized(config)),
      priority_(config_.priority),
      advert_interval_(config_.advert_interval),
      master_adver_interval_(advert_interval_),
      preempt_delay_(config_.preempt_delay) {}

microseconds Fsm::skew_time() const {
  return skew_for(priority_);
}

microseconds Fsm::skew_for(std::uint8_t priority) const {
  // RFC 5798 §6.1 (v3); RFC 3768 §6.1 (v2: one second regardless of the interval).
  const microseconds base = config_.version == 3 ? master_adver_interval_ : microseconds{1000000};
  return base * (256 - priority) / 256;
}

microseconds Fsm::master_down_interval() const {
  return master_adver_interval_ * config_.down_timer_adverts + skew_time();
}

std::optional<TimePoint> Fsm::next_deadline() const {
  if (state_ == State::Master) return adver_timer_;
  if (state_ == State::Backup) return master_down_timer_;
  return std::nullopt;
}

void Fsm::reset_down_timer(TimePoint now) {
  master_down_timer_ = now + master_down_interval();
  down_reason_ = Reason::MasterDownTimer;
  lower_master_seen_ = false;
}

// RFC 5798 §6.4.1: the address owner becomes Master; everyone else Backup with
// Master_Adver_Interval = Advertisement_Interval and the down timer at Master_Down_Interval.
void Fsm::enter_initial_state(TimePoint now, Reason backup_reason, Actions& out) {
  if (priority_ == kPriorityOwner) {
    become_master(now, Reason::AddressOwner, out);
    return;
  }
  master_adver_interval_ = advert_interval_;
  preempt_window_end_.reset();
  const bool starting = backup_reason == Reason::Start;
  if (starting && config_.preempt && preempt_delay_.count() > 0) {
    preempt_window_end_ = now + preempt_delay_;
  }
  become_backup(now, state_, backup_reason, out);
}

// RFC 5798 §6.4.2 (Master_Down_Timer fires): send an advert, broadcast gratuitous ARP / NA,
// set the Adver_Timer, transition to Master.
void Fsm::become_master(TimePoint now, Reason reason, Actions& out) {
  const State from = state_;
  out.push_back(SendAdvert{priority_});
  out.push_back(TakeOver{});
  adver_timer_ = now + advert_interval_;
  master_down_timer_.reset();
  preempt_window_end_.reset();
  lower_master_seen_ = false;
  group_fault_ = false;
  state_ = State::Master;
  out.push_back(StateChange{from, State::Master, reason});
}

// The caller has set master_adver_interval_ for the new master.
void Fsm::become_backup(TimePoint now, State from, Reason reason, Actions& out) {
  adver_timer_.reset();
  reset_down_timer(now);
  group_fault_ = false;
  state_ = State::Backup;
  out.push_back(StateChange{from, State::Backup, reason});
}

Actions Fsm::start(TimePoint now) {
  Actions out;
  if (state_ != State::Init && state_ != State::Stop) return out;
  if (fault_) {
    out.push_back(StateChange{state_, State::Fault, Reason::Fault});
    state_ = State::Fault;
    return out;
  }
  enter_initial_state(now, Reason::Start, out);
  return out;
}

Actions Fsm::on_advert(const AdvertIn& advert, TimePoint now) {
  if (state_ != State::Backup && state_ != State::Master) return {};
  microseconds interval = advert_interval_;
  if (config_.version == 2) {
    // RFC 3768 §7.1: the Adver Int must match ours, else discard.
    if (std::chrono::seconds{advert.interval} != advert_interval_) {
      ++interval_mismatch_drops_;
      return {};
    }
  } else {
    if (advert.interval == 0) {
      ++zero_interval_drops_;
      return {};
    }
    interval = Centiseconds{advert.interval};
  }
  return state_ == State::Backup ? on_advert_backup(advert, interval, now)
                                 : on_advert_master(advert, interval, now);
}

// RFC 5798 §6.4.2 (Backup receives an ADVERTISEMENT).
Actions Fsm::on_advert_backup(const AdvertIn& advert, microseconds interval, TimePoint now) {
  if (advert.priority == kPriorityStop) {
    // The master is leaving: take over after Skew_Time.
    master_down_timer_ = now + skew_time();
    down_reason_ = Reason::PriorityZeroAdvert;
    return {};
  }
  // keepalived preempt_delay: inside the window a lower-priority master is still accepted.
  bool in_preempt_window = false;
  if (config_.preempt && preempt_delay_.count() > 0) {
    if (advert.priority >= priority_) {
      preempt_window_end_.reset();  // a master as good as us: the next lower one opens a window
    } else {
      if (!preempt_window_end_) preempt_window_end_ = now + preempt_delay_;
      in_preempt_window = now < *preempt_window_end_;
    }
  }
  // Equal priority: the RFC compares priority only here, so a Backup never preempts an
  // equal-priority Master by the address tie-break (that is the Master's rule, §6.4.3).
  if (!config_.preempt || advert.priority >= priority_ || in_preempt_window) {
    master_adver_interval_ = interval;  // v3 learns it; v2 interval equals ours
    reset_down_timer(now);
    return {};
  }
  // Preempt: discard, so the down timer fires and we take over.
  lower_master_seen_ = true;
  return {};
}

// RFC 5798 §6.4.3 (Master receives an ADVERTISEMENT).
Actions Fsm::on_advert_master(const AdvertIn& advert, microseconds interval, TimePoint now) {
  Actions out;
  if (advert.priority == kPriorityStop) {
    out.push_back(SendAdvert{priority_});
    adver_timer_ = now + advert_interval_;
    return out;
  }
  if (advert.priority == priority_ && advert.source == config_.primary_address) {
    return out;  // our own address: a looped-back packet or a duplicate address; not a peer
  }
  if (advert.priority == kPriorityOwner && priority_ == kPriorityOwner) {
    priority_ = kPriorityOwner - 1;  // two address owners: yield (keepalived does the same)
  }
  const bool higher = advert.priority > priority_;
  const bool wins_tie = advert.priority == priority_ && advert.source > config_.primary_address;
  if (higher || wins_tie) {
    if (config_.higher_prio_send_advert) out.push_back(SendAdvert{priority_});
    master_adver_interval_ = interval;
    out.push_back(Release{});
    become_backup(now, State::Master,
                  higher ? Reason::HigherPriorityAdvert : Reason::HigherAddressAdvert, out);
    return out;
  }
  // Another master that loses to us: split brain. RFC: discard; keepalived by default answers
  // with an advert so the other master sees us and steps down.
  ++split_brain_adverts_;
  if (!config_.lower_prio_no_advert) out.push_back(SendAdvert{priority_});
  return out;
}

Actions Fsm::on_timer(TimePoint now) {
  Actions out;
  if (state_ == State::Master && adver_timer_ && *adver_timer_ <= now) {
    // RFC 5798 §6.4.3: send an advert, reset the Adver_Timer. The next deadline follows the
    // previous one, not `now`, so adverts do not drift; after a long stall we resynchronise.
    out.push_back(SendAdvert{priority_});
    TimePoint next = *adver_timer_ + advert_interval_;
    if (next <= now) next = now + advert_interval_;
    adver_timer_ = next;
  } else if (state_ == State::Backup && master_down_timer_ && *master_down_timer_ <= now) {
    Reason reason = down_reason_;
    if (reason == Reason::MasterDownTimer && lower_master_seen_) reason = Reason::Preempt;
    become_master(now, reason, out);
  }
  return out;
}

Actions Fsm::set_priority(std::uint8_t priority, TimePoint /*now*/) {
  // 255 belongs to the address owner by configuration; any other instance's tracked priority
  // stays in 1..254. The new priority goes out in the next advert and enters Skew_Time at the
  // next reset of the down timer (keepalived does the same).
  const std::uint8_t highest = config_.priority == kPriorityOwner ? kPriorityOwner : 254;
  priority_ = std::clamp<std::uint8_t>(priority, 1, highest);
  return {};
}

Actions Fsm::set_fault(bool fault, TimePoint now) {
  Actions out;
  if (fault == fault_) return out;
  fault_ = fault;
  if (fault) {
    if (state_ == State::Master) {
      out.push_back(SendAdvert{kPriorityStop});
      out.push_back(Release{});
    }
    if (state_ == State::Master || state_ == State::Backup) enter_fault(Reason::Fault, out);
    // Already in FAULT held by the sync group: only recorded, no StateChange.
  } else if (state_ == State::Fault && !group_fault_) {
    enter_initial_state(now, Reason::FaultCleared, out);
  }
  return out;
}

// The caller has emitted the priority 0 advert and Release for a master.
void Fsm::enter_fault(Reason reason, Actions& out) {
  out.push_back(StateChange{state_, State::Fault, reason});
  state_ = State::Fault;
  adver_timer_.reset();
  master_down_timer_.reset();
}

// keepalived vrrp_sync_master / _backup / _fault; see the top of this file.
Actions Fsm::force(State to, TimePoint now) {
  Actions out;
  if (to == state_ || state_ == State::Stop) return out;
  if (state_ == State::Fault && (to == State::Master || to == State::Backup) && fault_) {
    group_fault_ = false;  // released by the group, still faulty itself
    return out;
  }
  switch (to) {
    case State::Master:
      if (state_ == State::Init && fault_) break;
      become_master(now, Reason::SyncGroup, out);
      break;
    case State::Backup:
      if (state_ == State::Init) break;
      if (state_ == State::Master) out.push_back(Release{});  // no priority 0: see the top
      master_adver_interval_ = advert_interval_;
      preempt_window_end_.reset();
      become_backup(now, state_, Reason::SyncGroup, out);
      break;
    case State::Fault:
      if (state_ == State::Init) break;
      if (state_ == State::Master) {
        out.push_back(SendAdvert{kPriorityStop});
        out.push_back(Release{});
      }
      enter_fault(Reason::SyncGroup, out);
      group_fault_ = true;
      break;
    case State::Init:
    case State::Stop:
      break;
  }
  return out;
}

// RFC 5798 §6.4.3 (Shutdown event in Master): cancel the Adver_Timer, send an advert with
// priority 0, then leave. Backup: cancel the Master_Down_Timer.
Actions Fsm::stop(TimePoint /*now*/) {
  Actions out;
  if (state_ == State::Stop) return out;
  if (state_ == State::Master) {
    out.push_back(SendAdvert{kPriorityStop});
    out.push_back(Release{});
  }
  out.push_back(StateChange{state_, State::Stop, Reason::Stop});
  state_ = State::Stop;
  adver_timer_.reset();
  master_down_timer_.reset();
  preempt_window_end_.reset();
  group_fault_ = false;
  return out;
}

}  // namespace halo::vrrp
