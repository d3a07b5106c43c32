// ProcessQuorum on a manual clock (L4): fork_delay delays only the up transition,
// terminate_delay only the down one, a count that recovers within the delay cancels the
// pending change without any report, no delay means at once and exactly once.
//
// Deviations from Debian's keepalived 2.2.7, which ties delays to the event that moved the
// count (fixed upstream in 2.3.2); each test below that checks one says so.
#include "track/process_quorum.h"

#include <gtest/gtest.h>

#include <chrono>

namespace halo::track {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint t0{seconds(1000)};

ProcessQuorum::Settings settings(std::uint32_t quorum, std::optional<std::uint32_t> max,
                                 Clock::duration fork, Clock::duration terminate) {
  ProcessQuorum::Settings s;
  s.quorum = quorum;
  s.quorum_max = max;
  s.fork_delay = fork;
  s.terminate_delay = terminate;
  return s;
}

bool nothing(const ProcessQuorum::Update& u) {
  return !u.changed && !u.deadline && !u.cancel_timer;
}

TEST(ProcessQuorum, InitialSetsTheStatusWithoutDelay) {
  ProcessQuorum q(settings(2, std::nullopt, seconds(5), seconds(5)));
  auto u = q.initial(2);
  EXPECT_EQ(u.changed, true);
  EXPECT_FALSE(u.deadline);
  EXPECT_TRUE(q.up());
  EXPECT_EQ(q.count(), 2u);

  ProcessQuorum down(settings(2, std::nullopt, seconds(5), seconds(5)));
  u = down.initial(1);
  EXPECT_EQ(u.changed, false);
  EXPECT_FALSE(u.deadline);
  EXPECT_FALSE(down.up());
}

TEST(ProcessQuorum, NoDelayChangesAtOnceAndExactlyOnce) {
  ProcessQuorum q(settings(1, std::nullopt, {}, {}));
  q.initial(0);
  auto u = q.on_count(1, t0);
  EXPECT_EQ(u.changed, true);
  EXPECT_FALSE(u.deadline);
  EXPECT_TRUE(q.up());
  // More processes, or the same count again: no second report.
  EXPECT_TRUE(nothing(q.on_count(2, t0)));
  EXPECT_TRUE(nothing(q.on_count(1, t0)));
  EXPECT_TRUE(nothing(q.on_timer(t0 + seconds(10))));
  u = q.on_count(0, t0 + seconds(1));
  EXPECT_EQ(u.changed, false);
  EXPECT_FALSE(q.up());
  EXPECT_TRUE(nothing(q.on_count(0, t0 + seconds(2))));
}

// keepalived 2.2.7 raises the status at once when an exec (not a fork) brings the count to
// quorum; halo delays every up transition by fork_delay.
TEST(ProcessQuorum, ForkDelayDelaysTheUpTransition) {
  ProcessQuorum q(settings(1, std::nullopt, seconds(2), {}));
  q.initial(0);
  auto u = q.on_count(1, t0);
  EXPECT_FALSE(u.changed);
  ASSERT_TRUE(u.deadline);
  EXPECT_EQ(*u.deadline, t0 + seconds(2));
  EXPECT_FALSE(q.up());
  EXPECT_EQ(q.pending(), t0 + seconds(2));
  // More processes while waiting: the deadline stays where it was.
  EXPECT_TRUE(nothing(q.on_count(2, t0 + seconds(1))));
  // Early: nothing.
  EXPECT_TRUE(nothing(q.on_timer(t0 + milliseconds(1999))));
  EXPECT_FALSE(q.up());
  u = q.on_timer(t0 + seconds(2));
  EXPECT_EQ(u.changed, true);
  EXPECT_TRUE(q.up());
  EXPECT_FALSE(q.pending());
  // The same timer again (stale): nothing.
  EXPECT_TRUE(nothing(q.on_timer(t0 + seconds(3))));
}

TEST(ProcessQuorum, ForkDelayDoesNotDelayTheDownTransition) {
  ProcessQuorum q(settings(1, std::nullopt, seconds(2), {}));
  q.initial(1);
  auto u = q.on_count(0, t0);
  EXPECT_EQ(u.changed, false);
  EXPECT_FALSE(u.deadline);
  EXPECT_FALSE(q.up());
}

TEST(ProcessQuorum, TerminateDelayDelaysTheDownTransitionOnly) {
  ProcessQuorum q(settings(1, std::nullopt, {}, seconds(2)));
  q.initial(1);
  auto u = q.on_count(0, t0);
  EXPECT_FALSE(u.changed);
  ASSERT_TRUE(u.deadline);
  EXPECT_EQ(*u.deadline, t0 + seconds(2));
  EXPECT_TRUE(q.up());
  u = q.on_timer(t0 + seconds(2));
  EXPECT_EQ(u.changed, false);
  EXPECT_FALSE(q.up());
  // Going up again: no delay.
  u = q.on_count(1, t0 + seconds(3));
  EXPECT_EQ(u.changed, true);
  EXPECT_FALSE(u.deadline);
}

// The "terminate_delay 2, a restart inside 2 s causes no transition at all".
TEST(ProcessQuorum, RestartWithinTerminateDelayCausesNoTransition) {
  ProcessQuorum q(settings(1, std::nullopt, {}, seconds(2)));
  q.initial(1);
  auto u = q.on_count(0, t0);
  ASSERT_TRUE(u.deadline);
  u = q.on_count(1, t0 + seconds(1));
  EXPECT_FALSE(u.changed);
  EXPECT_FALSE(u.deadline);
  EXPECT_TRUE(u.cancel_timer);
  EXPECT_TRUE(q.up());
  EXPECT_FALSE(q.pending());
  // The cancelled timer's completion arriving anyway: nothing.
  EXPECT_TRUE(nothing(q.on_timer(t0 + seconds(2))));
  EXPECT_TRUE(q.up());
}

TEST(ProcessQuorum, DropWithinForkDelayCausesNoTransition) {
  ProcessQuorum q(settings(1, std::nullopt, seconds(2), seconds(2)));
  q.initial(0);
  ASSERT_TRUE(q.on_count(1, t0).deadline);
  auto u = q.on_count(0, t0 + milliseconds(500));
  EXPECT_TRUE(u.cancel_timer);
  EXPECT_FALSE(u.changed);
  EXPECT_FALSE(u.deadline);
  EXPECT_TRUE(nothing(q.on_timer(t0 + seconds(2))));
  EXPECT_FALSE(q.up());
}

TEST(ProcessQuorum, APendingChangeRestartsItsDelayAfterACancel) {
  ProcessQuorum q(settings(1, std::nullopt, seconds(2), {}));
  q.initial(0);
  ASSERT_TRUE(q.on_count(1, t0).deadline);
  EXPECT_TRUE(q.on_count(0, t0 + seconds(1)).cancel_timer);
  auto u = q.on_count(1, t0 + milliseconds(1500));
  ASSERT_TRUE(u.deadline);
  EXPECT_EQ(*u.deadline, t0 + milliseconds(3500));
  // The first deadline passing (a stale timer) does not raise the status early.
  EXPECT_TRUE(nothing(q.on_timer(t0 + seconds(2))));
  EXPECT_FALSE(q.up());
  EXPECT_EQ(q.on_timer(t0 + milliseconds(3500)).changed, true);
}

TEST(ProcessQuorum, QuorumCountsProcesses) {
  ProcessQuorum q(settings(2, std::nullopt, {}, {}));
  q.initial(0);
  EXPECT_TRUE(nothing(q.on_count(1, t0)));
  EXPECT_EQ(q.on_count(2, t0).changed, true);
  EXPECT_TRUE(nothing(q.on_count(3, t0)));
  EXPECT_TRUE(nothing(q.on_count(2, t0)));
  EXPECT_EQ(q.on_count(1, t0).changed, false);
}

TEST(ProcessQuorum, QuorumMaxBoundsTheCount) {
  ProcessQuorum q(settings(1, 2, {}, {}));
  q.initial(1);
  EXPECT_TRUE(q.up());
  EXPECT_TRUE(nothing(q.on_count(2, t0)));
  EXPECT_EQ(q.on_count(3, t0).changed, false);
  EXPECT_EQ(q.on_count(2, t0).changed, true);
  EXPECT_EQ(q.on_count(0, t0).changed, false);
}

// keepalived 2.2.7 applies terminate_delay when an exit brings the count back into range from
// above quorum_max (an up transition); halo applies fork_delay, the delay of the direction.
TEST(ProcessQuorum, QuorumMaxUsesTheDelayOfTheDirection) {
  ProcessQuorum q(settings(1, 1, seconds(3), seconds(1)));
  q.initial(1);
  auto u = q.on_count(2, t0);  // too many: down, after terminate_delay
  ASSERT_TRUE(u.deadline);
  EXPECT_EQ(*u.deadline, t0 + seconds(1));
  EXPECT_EQ(q.on_timer(t0 + seconds(1)).changed, false);
  u = q.on_count(1, t0 + seconds(2));  // back in range: up, after fork_delay
  ASSERT_TRUE(u.deadline);
  EXPECT_EQ(*u.deadline, t0 + seconds(5));
  EXPECT_EQ(q.on_timer(t0 + seconds(5)).changed, true);
}

TEST(ProcessQuorum, QuorumMaxZeroMeansNoneMayRun) {
  ProcessQuorum::Settings s;  // quorum 1 by default, as the parser leaves it
  s.quorum_max = 0;
  ProcessQuorum q(s);
  EXPECT_EQ(q.initial(0).changed, true);
  EXPECT_EQ(q.on_count(1, t0).changed, false);
  EXPECT_EQ(q.on_count(0, t0).changed, true);
}

TEST(ProcessQuorum, InitialDropsAPendingChange) {
  ProcessQuorum q(settings(1, std::nullopt, seconds(2), {}));
  q.initial(0);
  ASSERT_TRUE(q.on_count(1, t0).deadline);
  auto u = q.initial(0);
  EXPECT_TRUE(u.cancel_timer);
  EXPECT_EQ(u.changed, false);
  EXPECT_TRUE(nothing(q.on_timer(t0 + seconds(5))));
}

TEST(ProcessQuorum, TimerWithoutPendingChangesNothing) {
  ProcessQuorum q(settings(1, std::nullopt, seconds(1), seconds(1)));
  q.initial(1);
  EXPECT_TRUE(nothing(q.on_timer(t0)));
  EXPECT_TRUE(q.up());
}

}  // namespace
}  // namespace halo::track
