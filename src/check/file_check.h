// FILE_CHECK: a real server's health and weight from a track_file's value (keepalived.conf(5)).
// It has no probe and no schedule: the daemon's FileTracker reports each new value, and this
// pure function says what the value means for the real server.
//
// keepalived's rule (check/check_file.c, core/track_file.c update_track_file_status and
// process_update_checker_track_file_status; keepalived.conf(5) "Track files"):
//  - weight 0: the value is a status. Non-zero is a failure (down), 0 is OK (up); `reverse`
//    swaps the two. The weight contribution is 0.
//  - weight W (non-zero): the result is value * W, negated with `reverse`, clamped to the
//    32-bit range. A result at or below -2147483648 is a failure (down, contribution 0);
//    anything else is up and the result is added to the real server's weight (it may be
//    negative: the pool clamps the effective weight).
//  - FILE_CHECK without its own `weight` takes the track_file's weight and reverse; with its
//    own weight, `reverse` is its own (an absent `reverse` is no reverse).
// A file that is missing or unreadable reads as 0 (keepalived: "treat as though the value is
// 0"); that is the tracker's business, not this function's.
#pragma once

#include <cstdint>

#include "config/model.h"

namespace halo::check {

struct FileCheckEffect {
  bool up = true;
  std::int64_t weight_contribution = 0;  // added to the real server's effective weight

  friend bool operator==(const FileCheckEffect&, const FileCheckEffect&) = default;
};

// The rule above with the multiplier already resolved.
FileCheckEffect file_check_effect(std::int64_t value, std::int32_t weight, bool reverse);

// Resolves FILE_CHECK's weight and reverse (its own, else the track_file's) and applies the rule.
FileCheckEffect file_check_effect(std::int64_t value, const config::FileCheck& check,
                                  const config::TrackFile& file);

}  // namespace halo::check
