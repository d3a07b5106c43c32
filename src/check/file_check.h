// FILE_CHECK: a real server's health and weight from a track_file's value (keepalived.conf(5)).
// It has no probe and no schedule: the daemon's FileTracker reports each new value, and this
// pure function says what the value means for the real server.
#pragma once

#include <cstdint>

#include "config/model.h"

namespace halo::check {

struct FileCheckEffect {
  bool up = true;
  std::int64_t weight_contribution = 0;  // added to the real server's effective weight
};

// keepalived's rule for `value` read from the file with the checker's `weight` multiplier
// (reverse: negated); see file_check.cc for the rule and its source in keepalived's docs.
FileCheckEffect file_check_effect(std::int64_t value, const config::FileCheck& check);

}  // namespace halo::check
