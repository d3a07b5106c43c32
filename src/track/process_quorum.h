// A vrrp_track_process's status from its process count over time, pure (L4).
//
// The status is up while quorum <= count <= quorum_max. fork_delay delays only the up
// transition after quorum is gained; terminate_delay only the down transition after quorum
// is lost; a count that comes back within the delay cancels the pending transition, so
// nothing changes at all. Without a delay a change is reported at once and exactly once.
// The first count (the initial /proc scan) sets the status without delay. quorum_max 0 means
// up only while no process runs (the quorum is then 0, as keepalived's parser sets it).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace halo::track {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

class ProcessQuorum {
 public:
  struct Settings {
    std::uint32_t quorum = 1;
    std::optional<std::uint32_t> quorum_max;
    Clock::duration fork_delay{};
    Clock::duration terminate_delay{};
  };

  struct Update {
    std::optional<bool> changed;        // the new status, when it changed now
    std::optional<TimePoint> deadline;  // arm (or re-arm) the timer for on_timer() at this time
    bool cancel_timer = false;          // a pending transition was cancelled
  };

  explicit ProcessQuorum(Settings settings);

  // Sets the first status; `changed` holds it (always set), and any pending change is dropped.
  Update initial(std::uint32_t count);
  Update on_count(std::uint32_t count, TimePoint now);
  Update on_timer(TimePoint now);  // early or stale calls change nothing

  bool up() const { return up_; }
  std::uint32_t count() const { return count_; }
  std::optional<TimePoint> pending() const { return pending_; }

 private:
  bool in_quorum(std::uint32_t count) const;

  Settings settings_;
  bool up_ = false;
  std::uint32_t count_ = 0;
  std::optional<TimePoint> pending_;
};

}  // namespace halo::track
