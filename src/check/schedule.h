// When a checker runs next, and when its verdict changes: keepalived's retry, delay_loop,
// delay_before_retry, warmup and alpha rules, as a pure state machine (time in, decisions out),
// so every rule is tested with a fake clock.
//
// keepalived's rules, which this follows:
//  - The first attempt starts after a random delay in [0, warmup] (warmup 0: at once).
//  - Without alpha a checker starts up: a real server is in the pool from the start, and
//    leaves it only after failing. With alpha it starts down and needs one success.
//  - A success resets the retry count; the next attempt is delay_loop after this one ended.
//    A down checker that succeeds is up at once.
//  - A failure of an up checker is retried `retry` times, each after delay_before_retry;
//    only when the last retry fails too does the checker go down (then delay_loop to the
//    next attempt). A down checker that fails stays down (its next attempt is delay_loop
//    later); it does not retry.
//  - Each attempt's outcome is reported whether or not the verdict changed (L2: a failure
//    whose reason or exit code differs from the last one is news too).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "check/outcome.h"

namespace halo::check {

struct ScheduleConfig {
  std::chrono::microseconds delay_loop = std::chrono::seconds(60);
  std::chrono::microseconds warmup{0};
  std::uint32_t retry = 1;  // keepalived's default for most checkers (MISC_CHECK: 0)
  std::chrono::microseconds delay_before_retry = std::chrono::seconds(1);
  bool alpha = false;
};

class CheckSchedule {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  // `random_fraction` in [0, 1) picks the warmup delay (tests pass a fixed value).
  CheckSchedule(ScheduleConfig config, TimePoint now, double random_fraction);

  // When the first attempt is due.
  TimePoint first_run() const;

  struct Decision {
    TimePoint next_run;
    std::optional<bool> changed;  // set when the verdict changed: the new one (true = up)
    bool retrying = false;        // this failure is being retried, the verdict holds for now
  };
  // An attempt ended at `now` with `outcome`.
  Decision on_outcome(const Outcome& outcome, TimePoint now);

  bool up() const;
  std::uint32_t retries_left() const;
  const ScheduleConfig& config() const;

 private:
  ScheduleConfig config_;
  TimePoint first_run_;
  bool up_;
  std::uint32_t failures_in_row_ = 0;
};

}  // namespace halo::check
