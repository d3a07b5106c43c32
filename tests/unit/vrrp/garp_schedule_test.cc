#include "vrrp/garp_schedule.h"

#include <gtest/gtest.h>

#include <chrono>

namespace halo::vrrp {
namespace {

using namespace std::chrono_literals;
using TimePoint = GarpSchedule::TimePoint;

const TimePoint kT0 = TimePoint{} + 1000s;  // a fake clock: time is only ever passed in

TEST(GarpScheduleTest, DefaultsAreTheManPages) {
  const GarpConfig c;
  EXPECT_EQ(c.master_delay, 5s);
  EXPECT_EQ(c.master_repeat, 5);
  EXPECT_FALSE(c.lower_prio_delay.has_value());
  EXPECT_FALSE(c.lower_prio_repeat.has_value());
  EXPECT_EQ(c.master_refresh, 0s);
  EXPECT_EQ(c.master_refresh_repeat, 1);
  EXPECT_EQ(c.garp_interval, 0s);
  EXPECT_EQ(c.gna_interval, 0s);
}

TEST(GarpScheduleTest, IdleUntilMaster) {
  GarpSchedule s(GarpConfig{}, GarpFamily::Ipv4);
  EXPECT_FALSE(s.next_deadline());
  EXPECT_EQ(s.due(kT0), 0);
  s.on_lower_priority_advert(kT0);  // not master: ignored
  EXPECT_FALSE(s.next_deadline());
}

TEST(GarpScheduleTest, DefaultBecomeMasterIsTwoBurstsOfFive) {
  GarpSchedule s(GarpConfig{}, GarpFamily::Ipv4);
  s.on_become_master(kT0);
  EXPECT_TRUE(s.is_master());
  EXPECT_EQ(s.next_deadline(), kT0);
  EXPECT_EQ(s.due(kT0), 5);
  EXPECT_EQ(s.next_deadline(), kT0 + 5s);
  EXPECT_EQ(s.due(kT0 + 4999ms), 0);
  EXPECT_EQ(s.due(kT0 + 5s), 5);
  EXPECT_FALSE(s.next_deadline());  // no refresh by default
}

TEST(GarpScheduleTest, LateWakeUpStillSendsTheSecondBurst) {
  GarpSchedule s(GarpConfig{}, GarpFamily::Ipv4);
  s.on_become_master(kT0);
  EXPECT_EQ(s.due(kT0), 5);
  EXPECT_EQ(s.due(kT0 + 7s), 5);
}

TEST(GarpScheduleTest, MasterDelayZeroMeansNoSecondBurst) {
  GarpConfig c;
  c.master_delay = 0s;
  c.master_repeat = 3;
  GarpSchedule s(c, GarpFamily::Ipv4);
  s.on_become_master(kT0);
  EXPECT_EQ(s.due(kT0), 3);
  EXPECT_FALSE(s.next_deadline());
}

TEST(GarpScheduleTest, MinGarpIsOneMessageNoRepeat) {
  GarpSchedule s(GarpConfig::min_garp(), GarpFamily::Ipv6);
  s.on_become_master(kT0);
  EXPECT_EQ(s.due(kT0), 1);
  EXPECT_FALSE(s.next_deadline());
}

TEST(GarpScheduleTest, RefreshEveryIntervalWhileMaster) {
  GarpConfig c;
  c.master_delay = 0s;
  c.master_repeat = 1;
  c.master_refresh = 60s;
  c.master_refresh_repeat = 2;
  GarpSchedule s(c, GarpFamily::Ipv4);
  s.on_become_master(kT0);
  EXPECT_EQ(s.due(kT0), 1);
  EXPECT_EQ(s.next_deadline(), kT0 + 60s);
  EXPECT_EQ(s.due(kT0 + 59s), 0);
  EXPECT_EQ(s.due(kT0 + 60s), 2);
  EXPECT_EQ(s.next_deadline(), kT0 + 120s);
  // A late wake-up re-arms from when it fired: no catch-up storm.
  EXPECT_EQ(s.due(kT0 + 300s), 2);
  EXPECT_EQ(s.next_deadline(), kT0 + 360s);
}

TEST(GarpScheduleTest, RefreshAndSecondBurstTogether) {
  GarpConfig c;  // 5 now, 5 at +5 s
  c.master_refresh = 5s;
  c.master_refresh_repeat = 1;
  GarpSchedule s(c, GarpFamily::Ipv4);
  s.on_become_master(kT0);
  EXPECT_EQ(s.due(kT0), 5);
  EXPECT_EQ(s.due(kT0 + 5s), 6);
  EXPECT_EQ(s.next_deadline(), kT0 + 10s);
}

TEST(GarpScheduleTest, LowerPriorityAdvertDefaultsToMasterDelayAndRepeat) {
  GarpSchedule s(GarpConfig{}, GarpFamily::Ipv4);
  s.on_become_master(kT0);
  EXPECT_EQ(s.due(kT0), 5);
  EXPECT_EQ(s.due(kT0 + 5s), 5);
  s.on_lower_priority_advert(kT0 + 10s);
  EXPECT_EQ(s.next_deadline(), kT0 + 15s);
  // Another lower-priority advert does not push the pending burst back.
  s.on_lower_priority_advert(kT0 + 11s);
  EXPECT_EQ(s.next_deadline(), kT0 + 15s);
  EXPECT_EQ(s.due(kT0 + 15s), 5);
  EXPECT_FALSE(s.next_deadline());
  // Once sent, the next lower-priority advert schedules a new burst.
  s.on_lower_priority_advert(kT0 + 20s);
  EXPECT_EQ(s.next_deadline(), kT0 + 25s);
}

TEST(GarpScheduleTest, LowerPriorityExplicitValues) {
  GarpConfig c;
  c.master_delay = 0s;
  c.master_repeat = 1;
  c.lower_prio_delay = 10s;
  c.lower_prio_repeat = 2;
  GarpSchedule s(c, GarpFamily::Ipv4);
  s.on_become_master(kT0);
  EXPECT_EQ(s.due(kT0), 1);
  s.on_lower_priority_advert(kT0 + 1s);
  EXPECT_EQ(s.next_deadline(), kT0 + 11s);
  EXPECT_EQ(s.due(kT0 + 11s), 2);
}

TEST(GarpScheduleTest, LowerPriorityZeroDelaySendsNowZeroRepeatIsOff) {
  GarpConfig c;
  c.master_delay = 0s;
  c.master_repeat = 1;
  c.lower_prio_delay = 0s;
  c.lower_prio_repeat = 3;
  GarpSchedule now_burst(c, GarpFamily::Ipv4);
  now_burst.on_become_master(kT0);
  EXPECT_EQ(now_burst.due(kT0), 1);
  now_burst.on_lower_priority_advert(kT0 + 1s);
  EXPECT_EQ(now_burst.next_deadline(), kT0 + 1s);
  EXPECT_EQ(now_burst.due(kT0 + 1s), 3);

  c.lower_prio_repeat = 0;
  GarpSchedule off(c, GarpFamily::Ipv4);
  off.on_become_master(kT0);
  EXPECT_EQ(off.due(kT0), 1);
  off.on_lower_priority_advert(kT0 + 1s);
  EXPECT_FALSE(off.next_deadline());
}

TEST(GarpScheduleTest, LeaveMasterCancelsEverything) {
  GarpConfig c;
  c.master_refresh = 60s;
  c.garp_interval = 100ms;
  GarpSchedule s(c, GarpFamily::Ipv4);
  s.on_become_master(kT0);
  EXPECT_EQ(s.due(kT0), 1);  // 4 still held back by the spacing
  s.on_lower_priority_advert(kT0 + 1ms);
  s.on_leave_master();
  EXPECT_FALSE(s.is_master());
  EXPECT_EQ(s.pending(), 0);
  EXPECT_FALSE(s.next_deadline());
  EXPECT_EQ(s.due(kT0 + 100s), 0);
}

TEST(GarpScheduleTest, GarpIntervalSpacesTheBurst) {
  GarpConfig c;
  c.master_delay = 1s;
  c.master_repeat = 3;
  c.garp_interval = 100ms;
  c.gna_interval = 7ms;  // not used for IPv4
  GarpSchedule s(c, GarpFamily::Ipv4);
  s.on_become_master(kT0);
  EXPECT_EQ(s.due(kT0), 1);
  EXPECT_EQ(s.next_deadline(), kT0 + 100ms);
  EXPECT_EQ(s.due(kT0 + 99ms), 0);
  EXPECT_EQ(s.due(kT0 + 100ms), 1);
  EXPECT_EQ(s.due(kT0 + 250ms), 1);  // late: the gap counts from the actual send
  EXPECT_EQ(s.pending(), 0);
  EXPECT_EQ(s.next_deadline(), kT0 + 1s);
  EXPECT_EQ(s.due(kT0 + 1s), 1);
  EXPECT_EQ(s.next_deadline(), kT0 + 1100ms);
  EXPECT_EQ(s.due(kT0 + 1100ms), 1);
  EXPECT_EQ(s.due(kT0 + 1200ms), 1);
  EXPECT_FALSE(s.next_deadline());
}

TEST(GarpScheduleTest, GnaIntervalForIpv6AndSpacingAcrossBursts) {
  GarpConfig c;
  c.master_delay = 0s;
  c.master_repeat = 1;
  c.garp_interval = 1s;  // not used for IPv6
  c.gna_interval = 50ms;
  GarpSchedule s(c, GarpFamily::Ipv6);
  s.on_become_master(kT0);
  EXPECT_EQ(s.due(kT0), 1);
  // Re-mastering 10 ms later must still keep the interface's 50 ms gap.
  s.on_leave_master();
  s.on_become_master(kT0 + 10ms);
  EXPECT_EQ(s.next_deadline(), kT0 + 50ms);
  EXPECT_EQ(s.due(kT0 + 10ms), 0);
  EXPECT_EQ(s.due(kT0 + 50ms), 1);
}

TEST(GarpScheduleTest, ZeroAndNegativeValues) {
  GarpConfig c;
  c.master_repeat = 0;  // nothing at all, not even the second burst
  c.master_refresh = 0s;
  GarpSchedule none(c, GarpFamily::Ipv4);
  none.on_become_master(kT0);
  EXPECT_FALSE(none.next_deadline());
  EXPECT_EQ(none.due(kT0 + 10s), 0);

  GarpConfig neg;
  neg.master_repeat = -3;
  neg.master_delay = -1s;
  neg.master_refresh = -1s;
  neg.master_refresh_repeat = -1;
  neg.garp_interval = -5ms;
  GarpSchedule clamped(neg, GarpFamily::Ipv4);
  clamped.on_become_master(kT0);
  EXPECT_FALSE(clamped.next_deadline());

  GarpConfig refresh_zero_repeat;
  refresh_zero_repeat.master_refresh = 10s;
  refresh_zero_repeat.master_refresh_repeat = 0;
  refresh_zero_repeat.master_delay = 0s;
  GarpSchedule no_refresh(refresh_zero_repeat, GarpFamily::Ipv4);
  no_refresh.on_become_master(kT0);
  EXPECT_EQ(no_refresh.due(kT0), 5);
  EXPECT_FALSE(no_refresh.next_deadline());
}

}  // namespace
}  // namespace halo::vrrp
