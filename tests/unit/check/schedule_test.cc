// keepalived's checker timing rules on a fake clock: warmup (default delay_loop, 0 = at once),
// the first attempt without retries, retries then down, a success resetting the count, alpha,
// a down checker that fails without retrying, retry 0, and MISC_CHECK's start-anchored delays.
#include "check/schedule.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace halo::check {
namespace {

using namespace std::chrono_literals;
using TimePoint = CheckSchedule::TimePoint;

const TimePoint t0 = TimePoint{} + 1000s;

Outcome outcome(bool success, std::string reason) {
  Outcome o;
  o.success = success;
  o.reason = std::move(reason);
  return o;
}
Outcome ok() {
  return outcome(true, "connected");
}
Outcome bad() {
  return outcome(false, "connection refused");
}

ScheduleConfig config(std::uint32_t retry = 2, bool alpha = false) {
  ScheduleConfig c;
  c.delay_loop = 10s;
  c.warmup = 0s;
  c.retry = retry;
  c.delay_before_retry = 1s;
  c.alpha = alpha;
  return c;
}

// Runs one attempt of length 0 at `now`.
CheckSchedule::Decision at(CheckSchedule& s, const Outcome& o, TimePoint now) {
  return s.on_outcome(o, now, now);
}

TEST(CheckSchedule, WarmupSpreadsTheFirstAttemptOverItsRange) {
  auto c = config();
  c.warmup = 8s;
  EXPECT_EQ(CheckSchedule(c, t0, 0.0).first_run(), t0);
  EXPECT_EQ(CheckSchedule(c, t0, 0.5).first_run(), t0 + 4s);
  EXPECT_EQ(CheckSchedule(c, t0, 1.0).first_run(), t0 + 8s);
}

TEST(CheckSchedule, WarmupDefaultsToDelayLoopAndZeroStartsAtOnce) {
  auto c = config();
  c.warmup.reset();
  EXPECT_EQ(CheckSchedule(c, t0, 0.25).first_run(), t0 + 2500ms);  // a quarter of delay_loop
  c.warmup = 0s;
  EXPECT_EQ(CheckSchedule(c, t0, 0.99).first_run(), t0);
}

TEST(CheckSchedule, StartsUpWithoutAlphaAndDownWithIt) {
  EXPECT_TRUE(CheckSchedule(config(), t0, 0).up());
  EXPECT_FALSE(CheckSchedule(config(2, true), t0, 0).up());
}

TEST(CheckSchedule, FirstAttemptFailureIsNotRetried) {
  CheckSchedule s(config(3), t0, 0);
  EXPECT_EQ(s.retries_left(), 0U);  // keepalived: one failure is enough initially
  const auto d = at(s, bad(), t0);
  EXPECT_EQ(d.changed, std::optional<bool>(false));
  EXPECT_FALSE(d.retrying);
  EXPECT_EQ(d.next_run, t0 + 10s);
  EXPECT_FALSE(s.up());
}

TEST(CheckSchedule, RetriesExhaustedThenDown) {
  CheckSchedule s(config(2), t0, 0);
  ASSERT_FALSE(at(s, ok(), t0).changed);  // already up: no change
  EXPECT_EQ(s.retries_left(), 2U);

  auto d = at(s, bad(), t0 + 10s);
  EXPECT_TRUE(d.retrying);
  EXPECT_FALSE(d.changed);
  EXPECT_EQ(d.next_run, t0 + 11s);  // delay_before_retry
  EXPECT_TRUE(s.up());
  EXPECT_EQ(s.retries_left(), 1U);

  d = at(s, bad(), t0 + 11s);
  EXPECT_TRUE(d.retrying);
  EXPECT_EQ(d.next_run, t0 + 12s);
  EXPECT_EQ(s.retries_left(), 0U);

  d = at(s, bad(), t0 + 12s);  // the last retry fails too
  EXPECT_FALSE(d.retrying);
  EXPECT_EQ(d.changed, std::optional<bool>(false));
  EXPECT_EQ(d.next_run, t0 + 22s);  // delay_loop
  EXPECT_FALSE(s.up());
}

TEST(CheckSchedule, SuccessResetsTheRetryCount) {
  CheckSchedule s(config(2), t0, 0);
  at(s, ok(), t0);
  at(s, bad(), t0 + 10s);
  EXPECT_EQ(s.retries_left(), 1U);
  auto d = at(s, ok(), t0 + 11s);
  EXPECT_FALSE(d.changed);
  EXPECT_FALSE(d.retrying);
  EXPECT_EQ(d.next_run, t0 + 21s);
  EXPECT_EQ(s.retries_left(), 2U);
  // Two more failures are retried again before the third takes it down.
  EXPECT_TRUE(at(s, bad(), t0 + 21s).retrying);
  EXPECT_TRUE(at(s, bad(), t0 + 22s).retrying);
  EXPECT_EQ(at(s, bad(), t0 + 23s).changed, std::optional<bool>(false));
}

TEST(CheckSchedule, DownCheckerThatSucceedsIsUpAtOnce) {
  CheckSchedule s(config(2), t0, 0);
  at(s, bad(), t0);
  ASSERT_FALSE(s.up());
  const auto d = at(s, ok(), t0 + 10s);
  EXPECT_EQ(d.changed, std::optional<bool>(true));
  EXPECT_EQ(d.next_run, t0 + 20s);
  EXPECT_TRUE(s.up());
}

TEST(CheckSchedule, DownCheckerThatFailsStaysDownWithoutRetry) {
  CheckSchedule s(config(3), t0, 0);
  at(s, bad(), t0);
  for (int i = 1; i <= 5; ++i) {
    const auto now = t0 + i * 10s;
    const auto d = at(s, bad(), now);
    EXPECT_FALSE(d.changed);
    EXPECT_FALSE(d.retrying);
    EXPECT_EQ(d.next_run, now + 10s);
    EXPECT_FALSE(s.up());
  }
}

TEST(CheckSchedule, AlphaNeedsOneSuccess) {
  CheckSchedule s(config(2, true), t0, 0);
  auto d = at(s, bad(), t0);  // first failure: still down, no change, no retry
  EXPECT_FALSE(d.changed);
  EXPECT_FALSE(d.retrying);
  EXPECT_EQ(d.next_run, t0 + 10s);
  d = at(s, ok(), t0 + 10s);
  EXPECT_EQ(d.changed, std::optional<bool>(true));
  // Up now: a failure is retried like any up checker's.
  EXPECT_TRUE(at(s, bad(), t0 + 20s).retrying);
}

TEST(CheckSchedule, AlphaFirstSuccessIsUpAtOnce) {
  CheckSchedule s(config(2, true), t0, 0);
  EXPECT_EQ(at(s, ok(), t0).changed, std::optional<bool>(true));
}

TEST(CheckSchedule, RetryZeroGoesDownOnTheFirstFailure) {
  CheckSchedule s(config(0), t0, 0);
  at(s, ok(), t0);
  EXPECT_EQ(s.retries_left(), 0U);
  const auto d = at(s, bad(), t0 + 10s);
  EXPECT_FALSE(d.retrying);
  EXPECT_EQ(d.changed, std::optional<bool>(false));
  EXPECT_EQ(d.next_run, t0 + 20s);
}

TEST(CheckSchedule, DelaysCountFromTheEndOfTheAttempt) {
  CheckSchedule s(config(1), t0, 0);
  auto d = s.on_outcome(ok(), t0, t0 + 3s);
  EXPECT_EQ(d.next_run, t0 + 13s);
  d = s.on_outcome(bad(), t0 + 13s, t0 + 15s);
  EXPECT_EQ(d.next_run, t0 + 16s);
}

TEST(CheckSchedule, MiscCheckDelaysCountFromTheStartButNeverBeforeTheEnd) {
  auto c = config(1);
  c.from_start = true;
  CheckSchedule s(c, t0, 0);
  auto d = s.on_outcome(ok(), t0, t0 + 3s);
  EXPECT_EQ(d.next_run, t0 + 10s);              // started + delay_loop
  d = s.on_outcome(bad(), t0 + 10s, t0 + 14s);  // ran longer than delay_before_retry
  EXPECT_TRUE(d.retrying);
  EXPECT_EQ(d.next_run, t0 + 14s);  // at once, not in the past
}

TEST(CheckSchedule, FailuresOfAnyKindCountAlike) {
  // A timeout or an exit code is just a failure to the schedule; the reason is the report's.
  CheckSchedule s(config(1), t0, 0);
  at(s, ok(), t0);
  Outcome timeout = outcome(false, "no answer within 5 s");
  timeout.timed_out = true;
  EXPECT_TRUE(at(s, timeout, t0 + 10s).retrying);
  Outcome code = outcome(false, "exit code 1");
  code.exit_code = 1;
  EXPECT_EQ(at(s, code, t0 + 11s).changed, std::optional<bool>(false));
}

}  // namespace
}  // namespace halo::check
