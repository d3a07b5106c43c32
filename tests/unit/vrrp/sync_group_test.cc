// Sync group decisions (keepalived vrrp_sync_group): forcing, fault hold, recovery, no loops.
#include "vrrp/sync_group.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace halo::vrrp {
namespace {

using F = ForcedTransition;

SyncGroup make_group(std::size_t n) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) names.push_back("VI_" + std::to_string(i + 1));
  return SyncGroup("VG_1", names);
}

// Reports the member's transition, then echoes every forced one back as the shell would
// when the member's Fsm emits the matching StateChange; echoes must force nothing.
ForcedTransitions report(SyncGroup& group, std::size_t member, State state) {
  auto forced = group.on_member_state(member, state);
  for (const auto& f : forced) {
    EXPECT_TRUE(group.on_member_state(f.member, f.to).empty()) << "echo re-forced";
  }
  return forced;
}

TEST(SyncGroupTest, StartsInInitAndLooksUpNames) {
  auto group = make_group(2);
  EXPECT_EQ(group.group_state(), State::Init);
  EXPECT_EQ(group.size(), 2U);
  EXPECT_EQ(group.index_of("VI_2"), 1U);
  EXPECT_EQ(group.index_of("nope"), 2U);
  EXPECT_EQ(group.member_name(0), "VI_1");
  EXPECT_EQ(group.member_state(7), State::Init);
  EXPECT_FALSE(group.member_faulty(7));
  EXPECT_TRUE(group.on_member_state(7, State::Master).empty());
}

TEST(SyncGroupTest, BackupFromInitForcesTheOthersToBackup) {
  auto group = make_group(2);
  EXPECT_EQ(report(group, 0, State::Backup), (ForcedTransitions{F{1, State::Backup}}));
  EXPECT_EQ(group.group_state(), State::Backup);
  EXPECT_EQ(group.member_state(1), State::Backup);
}

TEST(SyncGroupTest, MasterForcesTheOthersToMasterTwoMembers) {
  auto group = make_group(2);
  report(group, 0, State::Backup);
  EXPECT_EQ(report(group, 1, State::Master), (ForcedTransitions{F{0, State::Master}}));
  EXPECT_EQ(group.group_state(), State::Master);
  EXPECT_EQ(group.member_state(0), State::Master);
}

TEST(SyncGroupTest, MasterForcesTheOthersToMasterThreeMembers) {
  auto group = make_group(3);
  report(group, 0, State::Backup);
  EXPECT_EQ(report(group, 2, State::Master),
            (ForcedTransitions{F{0, State::Master}, F{1, State::Master}}));
  EXPECT_EQ(group.group_state(), State::Master);
}

TEST(SyncGroupTest, BackupFromMasterForcesTheOthersToBackup) {
  auto group = make_group(3);
  report(group, 0, State::Master);
  // Member 1 sees a higher-priority advert.
  EXPECT_EQ(report(group, 1, State::Backup),
            (ForcedTransitions{F{0, State::Backup}, F{2, State::Backup}}));
  EXPECT_EQ(group.group_state(), State::Backup);
}

TEST(SyncGroupTest, FaultFromEachStateForcesTheOthersToFault) {
  for (State from : {State::Init, State::Backup, State::Master}) {
    auto group = make_group(3);
    if (from != State::Init) report(group, 0, from);
    EXPECT_EQ(report(group, 1, State::Fault),
              (ForcedTransitions{F{0, State::Fault}, F{2, State::Fault}}))
        << to_string(from);
    EXPECT_EQ(group.group_state(), State::Fault);
    EXPECT_TRUE(group.member_faulty(1));
    EXPECT_FALSE(group.member_faulty(0));
  }
}

TEST(SyncGroupTest, HeldMemberLeavingFaultIsForcedBackWhileAnotherIsFaulty) {
  auto group = make_group(2);
  report(group, 0, State::Master);
  report(group, 0, State::Fault);  // member 1 held in Fault
  for (State to : {State::Backup, State::Master, State::Init}) {
    EXPECT_EQ(group.on_member_state(1, to), (ForcedTransitions{F{1, State::Fault}}))
        << to_string(to);
    EXPECT_EQ(group.group_state(), State::Fault);
  }
}

TEST(SyncGroupTest, RecoveryWaitsForTheLastFaultyMember) {
  auto group = make_group(3);
  report(group, 0, State::Master);
  report(group, 0, State::Fault);
  // Member 2's own fault arises while it is held (its Fsm emits nothing): told directly.
  EXPECT_EQ(group.set_member_fault(2, true), ForcedTransitions{});
  EXPECT_TRUE(group.member_faulty(2));

  // Member 0 recovers first: member 2 is still faulty, so 0 is held.
  EXPECT_EQ(report(group, 0, State::Backup), (ForcedTransitions{F{0, State::Fault}}));
  EXPECT_EQ(group.group_state(), State::Fault);
  EXPECT_FALSE(group.member_faulty(0));

  // Member 2 recovers: no member faulty, the group and the held members go BACKUP.
  EXPECT_EQ(report(group, 2, State::Backup),
            (ForcedTransitions{F{0, State::Backup}, F{1, State::Backup}}));
  EXPECT_EQ(group.group_state(), State::Backup);
}

TEST(SyncGroupTest, RecoveryStraightToMasterTakesTheGroupToMaster) {
  auto group = make_group(2);
  report(group, 0, State::Backup);
  report(group, 0, State::Fault);
  // An address owner goes straight to Master when its fault clears.
  EXPECT_EQ(report(group, 0, State::Master), (ForcedTransitions{F{1, State::Master}}));
  EXPECT_EQ(group.group_state(), State::Master);
}

TEST(SyncGroupTest, RecoveryThroughInitReleasesTheHeldMembers) {
  auto group = make_group(2);
  report(group, 0, State::Backup);
  report(group, 0, State::Fault);
  EXPECT_EQ(report(group, 0, State::Init), (ForcedTransitions{F{1, State::Backup}}));
  EXPECT_EQ(group.group_state(), State::Backup);
}

TEST(SyncGroupTest, NoPingPongBetweenTwoMembers) {
  auto group = make_group(2);
  // Each member's own transition forces the other once; echoes and repeats force nothing.
  EXPECT_EQ(report(group, 0, State::Master).size(), 1U);
  EXPECT_TRUE(group.on_member_state(0, State::Master).empty());
  EXPECT_TRUE(group.on_member_state(1, State::Master).empty());
  EXPECT_EQ(report(group, 1, State::Backup).size(), 1U);
  EXPECT_TRUE(group.on_member_state(0, State::Backup).empty());
  EXPECT_EQ(report(group, 0, State::Fault).size(), 1U);
  EXPECT_TRUE(group.on_member_state(1, State::Fault).empty());
  EXPECT_EQ(group.group_state(), State::Fault);
  EXPECT_FALSE(group.member_faulty(1));  // the echo did not make member 1 faulty
  EXPECT_EQ(report(group, 0, State::Backup).size(), 1U);
  EXPECT_EQ(group.group_state(), State::Backup);
}

TEST(SyncGroupTest, StopForcesNothingAndTheGroupStopsWithItsLastMember) {
  auto group = make_group(3);
  report(group, 0, State::Master);
  EXPECT_TRUE(report(group, 0, State::Stop).empty());
  EXPECT_TRUE(report(group, 1, State::Stop).empty());
  EXPECT_EQ(group.group_state(), State::Master);
  // A stopped member is never forced.
  EXPECT_TRUE(report(group, 2, State::Backup).empty());
  EXPECT_TRUE(report(group, 2, State::Stop).empty());
  EXPECT_EQ(group.group_state(), State::Stop);
}

TEST(SyncGroupTest, HeldMemberFaultClearingLastReleasesTheGroup) {
  auto group = make_group(3);
  report(group, 0, State::Master);
  report(group, 0, State::Fault);
  group.set_member_fault(1, true);
  EXPECT_EQ(report(group, 0, State::Backup), (ForcedTransitions{F{0, State::Fault}}));
  // Member 1's condition clears: nobody is faulty, every held member goes BACKUP.
  EXPECT_EQ(group.set_member_fault(1, false),
            (ForcedTransitions{F{0, State::Backup}, F{1, State::Backup}, F{2, State::Backup}}));
  EXPECT_EQ(group.group_state(), State::Backup);
}

TEST(SyncGroupTest, SetMemberFaultOutsideFaultIsAStateReport) {
  auto group = make_group(2);
  report(group, 0, State::Master);
  EXPECT_TRUE(group.set_member_fault(1, false).empty());
  EXPECT_EQ(group.set_member_fault(1, true), (ForcedTransitions{F{0, State::Fault}}));
  EXPECT_EQ(group.group_state(), State::Fault);
  EXPECT_TRUE(group.set_member_fault(9, true).empty());
}

TEST(SyncGroupTest, FaultyMemberStoppingReleasesTheHeldMembers) {
  auto group = make_group(2);
  report(group, 0, State::Backup);
  report(group, 0, State::Fault);
  EXPECT_EQ(report(group, 0, State::Stop), (ForcedTransitions{F{1, State::Backup}}));
  EXPECT_EQ(group.group_state(), State::Backup);
}

}  // namespace
}  // namespace halo::vrrp
