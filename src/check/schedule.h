// When a checker runs next, and when its verdict changes: keepalived's retry, delay_loop,
// delay_before_retry, warmup and alpha rules, as a pure state machine (time in, decisions out),
// so every rule is tested with a fake clock.
//
// keepalived's rules, which this follows (verified against keepalived's sources: check_api.c
// register_checkers_thread, check_data.c validate_check_config, the epilogues of check_tcp.c,
// check_dns.c, check_http.c and check_misc.c; and keepalived.conf(5)). Not modelled: HTTP_GET's
// fast_recovery (an immediate attempt while down with no failed URL known) and per-URL delays.
//  - The first attempt starts after a random delay in [0, warmup]. An unset warmup is
//    delay_loop ("Enabled by default, with the maximum at delay_loop"), warmup 0 starts at once.
//    (This header said the default was 0: it is delay_loop.)
//  - Without alpha a checker starts up: a real server is in the pool from the start, and
//    leaves it only after failing. With alpha it starts down and needs one success.
//  - The first attempt is never retried: its verdict stands at once. keepalived sets the retry
//    counter to `retry` before the first run ("for non alpha mode, one failure is enough
//    initially"), so a real server that fails its first check leaves the pool without waiting
//    for retries. (This header said nothing of it; the retry rule below applies from the second
//    attempt on.)
//  - A success resets the retry count; the next attempt is delay_loop later. A down checker
//    that succeeds is up at once.
//  - A failure of an up checker is retried `retry` times, each after delay_before_retry;
//    only when the last retry fails too does the checker go down (then delay_loop to the
//    next attempt). A down checker that fails stays down (its next attempt is delay_loop
//    later); it does not retry. That is what keepalived's MISC_CHECK, DNS_CHECK and HTTP
//    checkers do; its TCP_CHECK alone keeps counting retries while down, which changes only how
//    often a dead server is polled, never a verdict, so halo uses the one rule for all.
//  - Delays count from the end of the attempt, except for MISC_CHECK (`from_start`), whose
//    delays count from the start of the script run (check_misc.c: last_ran + delay), so a slow
//    script does not stretch its own period; an attempt never starts before the last ended.
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
  // nullopt: keepalived's default, delay_loop. 0: the first attempt starts at once.
  std::optional<std::chrono::microseconds> warmup;
  std::uint32_t retry = 1;  // keepalived's default for most checkers (MISC_CHECK: 0, DNS: 3)
  std::chrono::microseconds delay_before_retry = std::chrono::seconds(1);
  bool alpha = false;
  bool from_start = false;  // MISC_CHECK: delays count from the attempt's start
};

class CheckSchedule {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  // `random_fraction` in [0, 1] picks the warmup delay (tests pass a fixed value).
  CheckSchedule(ScheduleConfig config, TimePoint now, double random_fraction);

  // When the first attempt is due.
  TimePoint first_run() const;

  struct Decision {
    TimePoint next_run;
    std::optional<bool> changed;  // set when the verdict changed: the new one (true = up)
    bool retrying = false;        // this failure is being retried, the verdict holds for now
  };
  // An attempt that started at `started` ended at `ended` with `outcome`.
  Decision on_outcome(const Outcome& outcome, TimePoint started, TimePoint ended);

  bool up() const;
  bool has_run() const;  // an attempt has ended since construction
  // Failures an up checker may still have retried before it goes down.
  std::uint32_t retries_left() const;
  const ScheduleConfig& config() const;

 private:
  ScheduleConfig config_;
  TimePoint first_run_;
  bool up_;
  bool has_run_ = false;
  std::uint32_t failures_in_row_ = 0;  // retried failures since the last success
};

}  // namespace halo::check
