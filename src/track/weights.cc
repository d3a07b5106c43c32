// keepalived's priority arithmetic: what each tracker adds to or takes from an instance's
// priority, and when it puts the instance in FAULT instead.
//
// Checked against keepalived.conf(5) and keepalived's own code (vrrp_track.c for the
// interface/script/process/BFD rule, track_file.c for files):
//   - up/down trackers: weight 0 is a FAULT switch (reverse flips which state faults);
//     a positive weight counts while up, a negative one while down, reverse negates it;
//   - files: value × weight × (reverse ? -1 : 1), computed in 64 bits so a value near
//     INT32_MAX times 254 cannot overflow; below -253 is FAULT, above 253 is capped (keepalived
//     clamps each file's share to -254..253 and treats -254 as FAULT);
//   - the sum is clamped to 1..254 (vrrp_set_effective_priority), and an owner's priority
//     is never changed, yet its faults still count (down_instance() ignores the owner).
// The documentation and 2.2.7 agree on every rule implemented here.
#include "track/weights.h"

#include <algorithm>

namespace halo::track {

namespace {

constexpr int kOwner = 255;
constexpr int kLowest = 1;
constexpr int kHighest = 254;

Adjustment file_adjustment(const WeightedStatus& t) {
  // A file holds at most a 32-bit number; bounding it keeps the product inside 64 bits for
  // any value a caller passes.
  constexpr std::int64_t kBound = std::int64_t{1} << 40;
  const std::int64_t value = std::clamp(t.status.value, -kBound, kBound);
  if (t.weight == 0) return {0, (value != 0) != t.reverse};
  const std::int64_t share = value * t.weight * (t.reverse ? -1 : 1);
  if (share < kFileShareMin) return {0, true};
  return {static_cast<int>(std::min<std::int64_t>(share, kFileShareMax)), false};
}

}  // namespace

Adjustment adjustment(const WeightedStatus& tracker) {
  if (tracker.status.pending) return {};  // keepalived's INIT: no weight applied yet
  if (tracker.kind == TrackerKind::File) return file_adjustment(tracker);
  const bool up = tracker.status.up;
  if (tracker.weight == 0) return {0, up == tracker.reverse};
  if ((tracker.weight > 0) != up) return {};
  return {tracker.reverse ? -tracker.weight : tracker.weight, false};
}

EffectivePriority effective_priority(std::uint8_t base, std::span<const WeightedStatus> trackers) {
  EffectivePriority out{base, false};
  int sum = 0;
  for (const auto& t : trackers) {
    const Adjustment a = adjustment(t);
    out.fault = out.fault || a.fault;
    sum += a.delta;
  }
  if (base != kOwner) out.priority = std::clamp(base + sum, kLowest, kHighest);
  return out;
}

}  // namespace halo::track
