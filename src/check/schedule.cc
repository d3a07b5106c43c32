// The retry/alpha/warmup rules of schedule.h. The state is three values: the verdict, whether
// an attempt has ended yet (the first is never retried) and the failures retried in a row.
#include "check/schedule.h"

#include <algorithm>

namespace halo::check {

namespace {

std::chrono::microseconds warmup_delay(const ScheduleConfig& config, double fraction) {
  const auto warmup = config.warmup.value_or(config.delay_loop);
  if (warmup.count() <= 0) return std::chrono::microseconds{0};
  const double f = std::clamp(fraction, 0.0, 1.0);
  return std::chrono::microseconds{
      static_cast<std::int64_t>(static_cast<double>(warmup.count()) * f)};
}

}  // namespace

CheckSchedule::CheckSchedule(ScheduleConfig config, TimePoint now, double random_fraction)
    : config_(config),
      first_run_(now + warmup_delay(config, random_fraction)),
      up_(!config.alpha) {}

CheckSchedule::TimePoint CheckSchedule::first_run() const {
  return first_run_;
}

CheckSchedule::Decision CheckSchedule::on_outcome(const Outcome& outcome, TimePoint started,
                                                  TimePoint ended) {
  Decision decision;
  std::chrono::microseconds delay = config_.delay_loop;
  const bool was_up = up_;

  if (outcome.success) {
    failures_in_row_ = 0;
    up_ = true;
  } else if (up_ && has_run_ && failures_in_row_ < config_.retry) {
    // An up checker that has run before gets its retries; the verdict holds meanwhile.
    ++failures_in_row_;
    delay = config_.delay_before_retry;
    decision.retrying = true;
  } else {
    // The first attempt, the last retry, or a checker that is down already.
    failures_in_row_ = 0;
    up_ = false;
  }
  has_run_ = true;

  if (up_ != was_up) decision.changed = up_;
  const TimePoint anchor = config_.from_start ? started : ended;
  decision.next_run = std::max(anchor + delay, ended);
  return decision;
}

bool CheckSchedule::up() const {
  return up_;
}

bool CheckSchedule::has_run() const {
  return has_run_;
}

std::uint32_t CheckSchedule::retries_left() const {
  if (!up_ || !has_run_) return 0;
  return config_.retry - failures_in_row_;
}

const ScheduleConfig& CheckSchedule::config() const {
  return config_;
}

}  // namespace halo::check
