// A VRRP sync group (keepalived `vrrp_sync_group`): pure decision logic, no I/O, no clock.
//
// Members change state together. The shell reports each member's own transition (the
// StateChange its Fsm emitted); the group answers with the transitions it forces on the
// members, which the shell applies without reporting them back as new decisions (reporting
// them is harmless: a report equal to the recorded state is ignored). See sync_group.cc.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "vrrp/fsm.h"

namespace halo::vrrp {

// Put member `member` (index into the group's member list) into state `to`.
struct ForcedTransition {
  std::size_t member = 0;
  State to = State::Init;
  friend bool operator==(const ForcedTransition&, const ForcedTransition&) = default;
};
using ForcedTransitions = std::vector<ForcedTransition>;

class SyncGroup {
 public:
  // Members start in Init; the group state is Init until the first report.
  SyncGroup(std::string name, std::vector<std::string> members);

  // A member's own transition (not one this group forced). Returns the forced transitions,
  // in member order, already recorded as the members' states. An unknown index, or a state
  // equal to the recorded one, returns nothing.
  ForcedTransitions on_member_state(std::size_t member, State new_state);

  // A member's own fault condition (interface, weight-0 tracker) changed. Needed only while
  // the group holds the member in FAULT, when its Fsm emits no StateChange for it: a fault
  // arising then keeps the group in FAULT until it clears; clearing the last one releases
  // the group (and this member) to BACKUP. For a member not in FAULT, `true` is the same as
  // on_member_state(member, Fault) and `false` does nothing.
  ForcedTransitions set_member_fault(std::size_t member, bool faulty);

  // The member's index, or size() if there is no such member.
  std::size_t index_of(std::string_view member) const;

  const std::string& name() const { return name_; }
  std::size_t size() const { return members_.size(); }
  const std::string& member_name(std::size_t member) const { return members_[member].name; }
  // The recorded state (own or forced); Init for an unknown index.
  State member_state(std::size_t member) const;
  // True while the member itself reported Fault (not merely forced into it).
  bool member_faulty(std::size_t member) const;
  // The state for `notify` GROUP lines: Init (nothing reported yet), Master, Backup, Fault,
  // Stop (every member stopped).
  State group_state() const { return group_state_; }

 private:
  struct Member {
    std::string name;
    State state = State::Init;
    bool own_fault = false;  // reported Fault itself and has not reported leaving it
  };

  bool any_own_fault() const;
  // Force every other member not already in `to` and not stopped into `to`.
  void force_others(std::size_t member, State to, ForcedTransitions& out);
  void force(std::size_t member, State to, ForcedTransitions& out);

  std::string name_;
  std::vector<Member> members_;
  State group_state_ = State::Init;
};

}  // namespace halo::vrrp
