// misc_dynamic's exit-code table (keepalived.conf(5)) and the weight a checker contributes:
// every outcome keeps its exit code (L2), and a long mix of timeouts, signals and codes never
// lets the real server's weight drift from what the last dynamic code asked for (keepalived
// issue #2720, fixed in 2.3.2).
#include "check/misc_dynamic.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

namespace halo::check {
namespace {

using namespace std::chrono_literals;
using process::ExitStatus;

ExitStatus exited(int code) {
  ExitStatus s;
  s.how = ExitStatus::How::Exited;
  s.exit_code = code;
  return s;
}

ExitStatus signaled(int sig, bool timed_out = false) {
  ExitStatus s;
  s.how = ExitStatus::How::Signaled;
  s.signal = sig;
  s.timed_out = timed_out;
  return s;
}

ExitStatus spawn_failed() {
  ExitStatus s;
  s.how = ExitStatus::How::SpawnFailed;
  s.exit_code = 127;
  s.error = "cannot exec /nonexistent: No such file or directory";
  return s;
}

TEST(MiscOutcome, ExitZeroIsSuccessWithoutWeight) {
  for (bool dynamic : {false, true}) {
    const auto o = misc_outcome(exited(0), dynamic, 5s);
    EXPECT_TRUE(o.success);
    EXPECT_EQ(o.exit_code, 0);
    EXPECT_EQ(o.dynamic_weight, std::nullopt);
    EXPECT_EQ(o.reason, "exit code 0");
    EXPECT_FALSE(o.timed_out);
  }
}

TEST(MiscOutcome, ExitOneIsFailure) {
  for (bool dynamic : {false, true}) {
    const auto o = misc_outcome(exited(1), dynamic, 5s);
    EXPECT_FALSE(o.success);
    EXPECT_EQ(o.exit_code, 1);
    EXPECT_EQ(o.dynamic_weight, std::nullopt);
    EXPECT_EQ(o.reason, "exit code 1");
  }
}

TEST(MiscOutcome, DynamicCodesSetTheWeightToCodeMinusTwo) {
  for (int code : {2, 3, 12, 100, 254, 255}) {
    const auto o = misc_outcome(exited(code), true, 5s);
    EXPECT_TRUE(o.success) << code;
    EXPECT_EQ(o.exit_code, code);
    EXPECT_EQ(o.dynamic_weight, code - 2);
    EXPECT_EQ(o.reason, "exit code " + std::to_string(code));
  }
}

TEST(MiscOutcome, WithoutDynamicEveryNonZeroCodeFails) {
  for (int code : {2, 3, 100, 255}) {
    const auto o = misc_outcome(exited(code), false, 5s);
    EXPECT_FALSE(o.success) << code;
    EXPECT_EQ(o.exit_code, code);  // L2: the code is kept all the same
    EXPECT_EQ(o.dynamic_weight, std::nullopt);
  }
}

TEST(MiscOutcome, TimeoutIsFailureWithoutExitCode) {
  auto o = misc_outcome(signaled(15, true), true, 5s);
  EXPECT_FALSE(o.success);
  EXPECT_TRUE(o.timed_out);
  EXPECT_EQ(o.exit_code, std::nullopt);
  EXPECT_EQ(o.dynamic_weight, std::nullopt);
  EXPECT_EQ(o.reason, "killed at misc_timeout 5 s");

  // A script that traps SIGTERM and exits 0 at the timeout still timed out.
  auto trapped = exited(0);
  trapped.timed_out = true;
  o = misc_outcome(trapped, true, 1500ms);
  EXPECT_FALSE(o.success);
  EXPECT_TRUE(o.timed_out);
  EXPECT_EQ(o.reason, "killed at misc_timeout 1.5 s");
}

TEST(MiscOutcome, SignalAndSpawnFailure) {
  auto o = misc_outcome(signaled(9), true, 5s);
  EXPECT_FALSE(o.success);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.exit_code, std::nullopt);
  EXPECT_EQ(o.reason, "killed by signal 9");

  o = misc_outcome(spawn_failed(), true, 5s);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.exit_code, std::nullopt);
  EXPECT_EQ(o.dynamic_weight, std::nullopt);
  EXPECT_EQ(o.reason, "cannot exec /nonexistent: No such file or directory");
}

TEST(WeightContribution, ReplacesItsShareOnEachDynamicCode) {
  WeightContribution w;
  constexpr std::uint32_t configured = 5;
  EXPECT_EQ(w.apply(misc_outcome(exited(12), true, 5s), configured), 5);  // weight 10
  EXPECT_EQ(w.value(), 5);
  EXPECT_EQ(w.apply(misc_outcome(exited(22), true, 5s), configured), 10);  // weight 20
  EXPECT_EQ(w.value(), 15);
  EXPECT_EQ(w.apply(misc_outcome(exited(2), true, 5s), configured), -20);  // weight 0
  EXPECT_EQ(w.value(), -5);
  EXPECT_EQ(w.apply(misc_outcome(exited(2), true, 5s), configured), 0);  // same code: no change
}

TEST(WeightContribution, ClearTakesTheShareBack) {
  WeightContribution w;
  std::int64_t effective = 4;
  effective += w.apply(misc_outcome(exited(102), true, 5s), 4);
  EXPECT_EQ(effective, 100);
  effective += w.clear();
  EXPECT_EQ(effective, 4);
  EXPECT_EQ(w.value(), 0);
  EXPECT_EQ(w.clear(), 0);
}

TEST(WeightContribution, NonDynamicOutcomesLeaveTheWeight) {
  WeightContribution w;
  w.apply(misc_outcome(exited(30), true, 5s), 1);
  for (const auto& status :
       {exited(0), exited(1), signaled(9), signaled(15, true), spawn_failed()}) {
    EXPECT_EQ(w.apply(misc_outcome(status, true, 5s), 1), 0);
    EXPECT_EQ(w.value(), 27);
  }
}

// The anti-leak property: whatever the order of timeouts, signals, failures and codes, the
// effective weight (configured + the changes applied, accumulated as the real server does)
// equals what the last dynamic code said, exit - 2, and never anything else.
TEST(WeightContribution, NeverDriftsOverALongMixOfOutcomes) {
  constexpr std::uint32_t configured = 7;
  std::mt19937 rng(2720);  // fixed seed: the same sequence every run
  std::uniform_int_distribution<int> pick(0, 5);
  std::uniform_int_distribution<int> code(2, 255);

  WeightContribution w;
  std::int64_t effective = configured;  // what the real server holds, changed only by deltas
  std::int64_t expected = configured;   // no dynamic code yet: the configured weight
  int dynamic_codes = 0;
  for (int i = 0; i < 100'000; ++i) {
    ExitStatus status;
    switch (pick(rng)) {
      case 0:
        status = signaled(15, true);
        break;  // misc_timeout
      case 1:
        status = signaled(9, true);
        break;  // SIGKILL after the grace
      case 2:
        status = exited(0);
        break;
      case 3:
        status = exited(1);
        break;
      case 4:
        status = spawn_failed();
        break;
      default: {
        const int c = code(rng);
        status = exited(c);
        expected = c - 2;
        ++dynamic_codes;
      }
    }
    effective += w.apply(misc_outcome(status, true, 5s), configured);
    ASSERT_EQ(effective, expected) << "after outcome " << i;
    ASSERT_EQ(effective, configured + w.value());
    ASSERT_GE(effective, 0);
    ASSERT_LE(effective, 253);
  }
  EXPECT_GT(dynamic_codes, 10'000);
}

TEST(WeightContribution, FixedChainOfTimeoutsAndCodes) {
  // The sequence of keepalived issue #2720: dynamic codes with timeouts in between.
  WeightContribution w;
  constexpr std::uint32_t configured = 1;
  std::int64_t effective = configured;
  const auto step = [&](const ExitStatus& s) {
    effective += w.apply(misc_outcome(s, true, 15s), configured);
    return effective;
  };
  EXPECT_EQ(step(exited(17)), 15);
  EXPECT_EQ(step(signaled(15, true)), 15);
  EXPECT_EQ(step(exited(49)), 47);
  EXPECT_EQ(step(signaled(15, true)), 47);
  EXPECT_EQ(step(signaled(9, true)), 47);
  EXPECT_EQ(step(exited(33)), 31);
  EXPECT_EQ(step(exited(1)), 31);
  EXPECT_EQ(step(exited(0)), 31);
  EXPECT_EQ(step(exited(17)), 15);
}

}  // namespace
}  // namespace halo::check
