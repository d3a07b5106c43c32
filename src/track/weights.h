// keepalived's priority arithmetic (keepalived.conf(5), "VRRP script(s)", "Track files",
// "VRRP track processes", track_interface, track_bfd), pure.
//
// For an interface, script, process or BFD tracker: weight 0 means the watcher is in FAULT
// while the tracker is down (with reverse: while it is up). A positive weight is added while
// the tracker is up, a negative one while it is down; reverse negates the adjustment (a
// positive weight is subtracted while up, a negative one added while down).
//
// For a file: with weight 0 a non-zero value means FAULT (with reverse: a zero value does).
// Otherwise value × weight (reverse: negated) is the adjustment; below -253 it means FAULT,
// above 253 it counts as 253 (keepalived caps each file's share there).
//
// A pending tracker (no verdict yet) adjusts nothing and faults nothing.
//
// The adjustments are summed, added to the base priority and clamped to 1..254. An address
// owner (base 255) keeps 255: no weight moves it, but faults (weight 0, or a file below -253)
// still apply to it.
#pragma once

#include <cstdint>
#include <span>

#include "track/status.h"

namespace halo::track {

// The highest and lowest share one track_file may add before it means FAULT.
inline constexpr int kFileShareMax = 253;
inline constexpr int kFileShareMin = -253;

struct WeightedStatus {
  TrackerKind kind = TrackerKind::Script;
  int weight = 0;
  bool reverse = false;
  TrackerStatus status;

  friend bool operator==(const WeightedStatus&, const WeightedStatus&) = default;
};

// One tracker's contribution: a priority adjustment, or FAULT (delta 0 then).
struct Adjustment {
  int delta = 0;
  bool fault = false;

  friend bool operator==(const Adjustment&, const Adjustment&) = default;
};
Adjustment adjustment(const WeightedStatus& tracker);

// priority is the effective priority even while fault is set (what it will be once every
// fault clears, given the same statuses).
struct EffectivePriority {
  int priority = 0;
  bool fault = false;

  friend bool operator==(const EffectivePriority&, const EffectivePriority&) = default;
};
EffectivePriority effective_priority(std::uint8_t base, std::span<const WeightedStatus> trackers);

}  // namespace halo::track
