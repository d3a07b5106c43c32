// The verdict of one check attempt, and why.
#pragma once

#include <optional>
#include <string>

namespace halo::check {

struct Outcome {
  bool success = false;
  // Why, in words an operator reads in a log or in `haloctl show checks`: "connected",
  // "connection refused", "no answer within 3 s", "HTTP status 500 not in 200-299",
  // "exit code 2", "killed at misc_timeout 5 s". Never empty.
  std::string reason;
  // MISC_CHECK only: the script's exit code (nullopt when it was signalled, timed out or
  // could not be started). This is keepalived's `Last status` (L2).
  std::optional<int> exit_code;
  // MISC_CHECK with misc_dynamic only: the weight the exit code asks for (exit code 2..255:
  // exit code - 2). nullopt: this attempt leaves the dynamic weight as it was.
  std::optional<int> dynamic_weight;
  bool timed_out = false;

  friend bool operator==(const Outcome&, const Outcome&) = default;
};

}  // namespace halo::check
