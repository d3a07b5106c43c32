// One configured health checker of one real server: a Probe run on a CheckSchedule, with the
// verdict, the last outcome and counters that dumps, haloctl and metrics show.
//
// Every attempt's outcome reaches the handler (L2: MISC_CHECK's 0 -> 2 -> 1 -> 0 is four
// reports, even where the verdict does not change); `changed` says when the verdict did. A
// disabled checker (haloctl `disable check`) stops running and counts as up, so it no longer
// holds its real server out of the pool; set_enabled() does not call the handler, so the
// caller reads up() afterwards and applies it. Enabling it starts it again as at startup
// (alpha and warmup apply). The handler may destroy the Checker, or disable it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "check/outcome.h"
#include "check/probe.h"
#include "check/schedule.h"

namespace halo::check {

struct CheckerReport {
  Outcome outcome;
  bool up = false;              // the verdict after this attempt
  std::optional<bool> changed;  // set when the verdict changed (the new verdict)
  bool retrying = false;        // a failure that will be retried before the verdict changes
};

class Checker {
 public:
  using ReportHandler = std::function<void(const CheckerReport&)>;

  // Attempts start on this grid of the steady clock (checker.cc): at most this much after they
  // are due.
  static constexpr std::chrono::milliseconds kStartGrid{8};

  // `name` identifies the checker in logs, dumps and commands: "TCP_CHECK 198.51.100.11:80".
  Checker(boost::asio::io_context& io, std::unique_ptr<Probe> probe, ScheduleConfig schedule,
          std::string name, ReportHandler on_report);
  ~Checker();  // cancels the attempt in progress and the timer
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  void start();  // first attempt after the warmup delay; again: a fresh start
  void set_enabled(bool enabled);
  // Reports go to `on_report` from now on (a reload carries the checker over to a new owner);
  // the schedule, the attempt in progress and the counters go on.
  void set_report_handler(ReportHandler on_report);

  bool enabled() const;
  bool up() const;  // a disabled checker is up; before start(): up unless alpha
  const std::string& name() const;
  std::string_view kind() const;
  // The outcome of the last finished attempt (nullopt before the first one ends).
  const std::optional<Outcome>& last_outcome() const;
  std::chrono::system_clock::time_point last_change() const;  // of the verdict; epoch: never
  // When the next attempt is due (nullopt while one runs, or when stopped/disabled).
  std::optional<std::chrono::steady_clock::time_point> next_run() const;

  struct Stats {
    std::uint64_t attempts = 0;  // started
    std::uint64_t failures = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t transitions = 0;  // verdict changes
  };
  const Stats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace halo::check
