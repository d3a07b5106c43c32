// The configuration model: plain, typed values (addresses parsed, durations as std::chrono,
// enums, not strings). The parser builds it; everything else only reads it. Equality compares
// meaning (source positions compare equal), which is what reload and round-trip tests need.
#pragma once

#include "config/model/global.h"
#include "config/model/lvs.h"
#include "config/model/vrrp.h"

namespace halo::config {

struct Config {
  GlobalConfig global;  // global_defs and the other host-wide blocks
  VrrpConfig vrrp;      // scripts, trackers, sync groups, instances
  LvsConfig lvs;        // virtual servers, real servers, checkers, BFD

  bool operator==(const Config&) const = default;
};

}  // namespace halo::config
