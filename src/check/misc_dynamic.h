// What a MISC_CHECK script's exit code means (keepalived.conf(5), misc_dynamic), as a pure
// function, and the weight a checker contributes to its real server (L2).
//
//   exit 0:       success, weight unchanged
//   exit 1:       failure
//   exit 2..255:  with misc_dynamic, success and the real server's weight set to exit - 2:
//                 the checker contributes (exit - 2 - the real server's configured weight);
//                 without misc_dynamic, a failure (keepalived: any non-zero exit fails)
//   signal, timeout, spawn failure: failure, weight unchanged
//
// "Weight unchanged" is the documented rule and halo's: the weight the last dynamic code set
// stays. keepalived 2.2.7's code differs for exit 0 (with misc_dynamic it puts the configured
// weight back, check_misc.c "legacy case of status being 0"); halo follows the manual.
//
// keepalived 2.2.7 leaked weight when a script timed out (the contribution it had added was
// never taken back, so weights grew without bound; keepalived issue #2720, fixed upstream in
// 2.3.2). Here a checker keeps the contribution it made (WeightContribution) and every change
// replaces it, so a real server's effective weight is always configured + the sum of its
// checkers' current contributions, whatever order timeouts and codes come in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "check/outcome.h"
#include "process/supervisor.h"

namespace halo::check {

// The verdict for a finished MISC_CHECK run (reason filled: "exit code 2", "killed at
// misc_timeout 5 s", "killed by signal 9", "cannot exec /x: ..."). A run that was killed at its
// timeout is a timeout whatever its exit status (a script may trap SIGTERM and exit 0).
Outcome misc_outcome(const process::ExitStatus& status, bool dynamic,
                     std::chrono::microseconds timeout);

// One checker's share of its real server's weight.
class WeightContribution {
 public:
  // Applies an outcome; returns the change to the real server's effective weight (0: none).
  // Only an outcome with a dynamic_weight changes it; it then replaces the previous share.
  std::int64_t apply(const Outcome& outcome, std::uint32_t configured_weight);
  // Takes the share back (the checker is removed on reload); returns the change, -value().
  std::int64_t clear();
  std::int64_t value() const { return value_; }

 private:
  std::int64_t value_ = 0;
};

}  // namespace halo::check
