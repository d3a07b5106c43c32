// A VRRP sync group: the members of a keepalived `vrrp_sync_group` change state together.
//
// VRRP itself (RFC 5798 §6.4) runs one state machine per virtual router and knows nothing of
// groups; keepalived adds the group so that, e.g., the outside and inside routers of a
// firewall pair fail over together (keepalived.conf(5), "VRRP synchronization group(s)":
// "transition of one instance will be reflected to others group members", and "it is vital
// that all instances in the group are MASTER or that they are all either BACKUP or FAULT").
// This file is the decision only: the shell reports a member's own transition and applies
// the transitions returned here.
//
// The rules (keepalived's vrrp_sync.c: vrrp_sync_master / _backup / _fault):
// - A member enters FAULT: the group goes FAULT and every other member is forced to FAULT.
//   The man page does not say which; keepalived's code (despite a comment there that says
//   "force sync instance to backup mode") sets the others to FAULT, logging "Syncing
//   instances to FAULT state", so we follow the code.
// - A member becomes MASTER: the group goes MASTER, the others are forced to MASTER.
// - A member becomes BACKUP (a better master appeared): the group goes BACKUP, the others
//   are forced to BACKUP.
// - While any member is in FAULT *by its own report*, the group stays FAULT: a member that
//   leaves FAULT (or otherwise reports BACKUP, MASTER or INIT) is forced straight back into
//   FAULT; this is the one case where the reporting member itself appears in the answer.
//   When the last faulty member reports leaving FAULT, the group follows it (to BACKUP, or
//   MASTER for an address owner) and the held members are released to that state.
//   A held member's own fault produces no StateChange (its Fsm is already in FAULT), so the
//   shell reports it with set_member_fault(); keepalived likewise counts member faults from
//   tracker state (num_member_fault), not from state changes.
// - STOP forces nothing (shutdown stops every instance anyway); the group is STOP once every
//   member is.
//
// Loop freedom: forced states are recorded before they are returned, so when the shell
// applies one and the member's Fsm emits the matching StateChange, reporting that change is
// a no-op (it equals the recorded state). A forced transition never triggers more forcing.
//
// Not modelled (keepalived 2.x): vrrp_sync_can_goto_master, which delays MASTER until every
// member's own timer wants MASTER; the shell can add it, the group here follows the first.
#include "vrrp/sync_group.h"

#include <algorithm>
#include <utility>

namespace halo::vrrp {

SyncGroup::SyncGroup(std::string name, std::vector<std::string> members) : name_(std::move(name)) {
  members_.reserve(members.size());
  for (auto& member : members) members_.push_back(Member{std::move(member), State::Init, false});
}

std::size_t SyncGroup::index_of(std::string_view member) const {
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].name == member) return i;
  }
  return members_.size();
}

State SyncGroup::member_state(std::size_t member) const {
  return member < members_.size() ? members_[member].state : State::Init;
}

bool SyncGroup::member_faulty(std::size_t member) const {
  return member < members_.size() && members_[member].own_fault;
}

bool SyncGroup::any_own_fault() const {
  return std::any_of(members_.begin(), members_.end(), [](const Member& m) { return m.own_fault; });
}

void SyncGroup::force(std::size_t member, State to, ForcedTransitions& out) {
  members_[member].state = to;
  out.push_back(ForcedTransition{member, to});
}

void SyncGroup::force_others(std::size_t member, State to, ForcedTransitions& out) {
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (i == member || members_[i].state == to || members_[i].state == State::Stop) continue;
    force(i, to, out);
  }
}

ForcedTransitions SyncGroup::on_member_state(std::size_t member, State new_state) {
  ForcedTransitions out;
  if (member >= members_.size() || members_[member].state == new_state) return out;
  Member& m = members_[member];
  m.state = new_state;

  if (new_state == State::Fault) {
    m.own_fault = true;
    group_state_ = State::Fault;
    force_others(member, State::Fault, out);
    return out;
  }

  m.own_fault = false;
  if (new_state == State::Stop) {
    const bool all_stopped = std::all_of(members_.begin(), members_.end(),
                                         [](const Member& x) { return x.state == State::Stop; });
    if (all_stopped) {
      group_state_ = State::Stop;
    } else if (group_state_ == State::Fault && !any_own_fault()) {
      // The faulty member stopped: release the held members to BACKUP.
      group_state_ = State::Backup;
      force_others(member, State::Backup, out);
    }
    return out;
  }

  if (group_state_ == State::Fault && any_own_fault()) {
    force(member, State::Fault, out);  // held until the group's last fault clears
    return out;
  }

  switch (new_state) {
    case State::Master:
    case State::Backup:
      group_state_ = new_state;
      force_others(member, new_state, out);
      break;
    case State::Init:
      // A member (re)starting forces nothing; a group whose last fault just cleared this way
      // releases its held members to BACKUP, where the restarting member will also arrive.
      if (group_state_ == State::Fault) {
        group_state_ = State::Backup;
        force_others(member, State::Backup, out);
      }
      break;
    case State::Fault:
    case State::Stop:
      break;  // handled above
  }
  return out;
}

ForcedTransitions SyncGroup::set_member_fault(std::size_t member, bool faulty) {
  ForcedTransitions out;
  if (member >= members_.size()) return out;
  Member& m = members_[member];
  if (m.state != State::Fault) {
    if (faulty) return on_member_state(member, State::Fault);
    return out;
  }
  m.own_fault = faulty;
  if (!faulty && group_state_ == State::Fault && !any_own_fault()) {
    group_state_ = State::Backup;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (members_[i].state == State::Fault) force(i, State::Backup, out);
    }
  }
  return out;
}

}  // namespace halo::vrrp
