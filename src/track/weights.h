// keepalived's priority arithmetic (keepalived.conf(5), "VRRP script(s)", "Track files",
// "VRRP track processes", track_interface), pure.
//
// For an interface, script, process or BFD tracker: weight 0 means the watcher is in FAULT
// while the tracker is down (with reverse: while it is up). A positive weight is added while
// the tracker is up, a negative one while it is down; reverse negates the adjustment (a
// positive weight is subtracted while up, a negative one added while down). For a file: the
// value read times the weight (reverse: negated) is added; with weight 0 a non-zero value
// means FAULT; a sum below -253 from a file means FAULT too.
//
// The adjustments are summed, added to the base priority and clamped to 1..254. An address
// owner (base 255) keeps 255: only weight-0 faults apply to it.
#pragma once

#include <cstdint>
#include <span>

#include "track/status.h"

namespace halo::track {

struct WeightedStatus {
  TrackerKind kind = TrackerKind::Script;
  int weight = 0;
  bool reverse = false;
  TrackerStatus status;

  friend bool operator==(const WeightedStatus&, const WeightedStatus&) = default;
};

// One tracker's contribution: a priority adjustment, or FAULT.
struct Adjustment {
  int delta = 0;
  bool fault = false;

  friend bool operator==(const Adjustment&, const Adjustment&) = default;
};
Adjustment adjustment(const WeightedStatus& tracker);

struct EffectivePriority {
  int priority = 0;
  bool fault = false;

  friend bool operator==(const EffectivePriority&, const EffectivePriority&) = default;
};
EffectivePriority effective_priority(std::uint8_t base, std::span<const WeightedStatus> trackers);

}  // namespace halo::track
