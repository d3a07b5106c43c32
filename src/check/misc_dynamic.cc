// misc_dynamic's table (see the header) and the replace-never-add weight share that keeps a
// real server's weight from drifting.
#include "check/misc_dynamic.h"

#include <fmt/format.h>

namespace halo::check {

namespace {

// "5 s", "0.2 s", "1.5 s": the timeout as the operator configured it.
std::string seconds_text(std::chrono::microseconds d) {
  const auto us = d.count();
  if (us % 1'000'000 == 0) return fmt::format("{} s", us / 1'000'000);
  std::string text = fmt::format("{:.6f}", static_cast<double>(us) / 1e6);
  while (text.back() == '0') text.pop_back();
  return text + " s";
}

}  // namespace

Outcome misc_outcome(const process::ExitStatus& status, bool dynamic,
                     std::chrono::microseconds timeout) {
  Outcome out;
  if (status.timed_out) {
    out.timed_out = true;
    out.reason = "killed at misc_timeout " + seconds_text(timeout);
    return out;
  }
  switch (status.how) {
    case process::ExitStatus::How::Exited: {
      const int code = status.exit_code;
      out.exit_code = code;
      out.reason = fmt::format("exit code {}", code);
      if (code == 0) {
        out.success = true;
      } else if (dynamic && code >= 2 && code <= 255) {
        out.success = true;
        out.dynamic_weight = code - 2;
      }
      return out;
    }
    case process::ExitStatus::How::Signaled:
      // Signal 0 with an error: the child was reaped elsewhere, the error says so.
      out.reason = status.signal == 0 && !status.error.empty()
                       ? status.error
                       : fmt::format("killed by signal {}", status.signal);
      return out;
    case process::ExitStatus::How::SpawnFailed:
      out.reason = status.error.empty() ? std::string("cannot start the script") : status.error;
      return out;
  }
  out.reason = "unknown exit status";
  return out;
}

std::int64_t WeightContribution::apply(const Outcome& outcome, std::uint32_t configured_weight) {
  if (!outcome.dynamic_weight) return 0;
  const std::int64_t wanted = static_cast<std::int64_t>(*outcome.dynamic_weight) -
                              static_cast<std::int64_t>(configured_weight);
  const std::int64_t delta = wanted - value_;
  value_ = wanted;
  return delta;
}

std::int64_t WeightContribution::clear() {
  const std::int64_t delta = -value_;
  value_ = 0;
  return delta;
}

}  // namespace halo::check
