// L4: a tracked process count becomes a status whose delays mean what the manual says.
//
// keepalived 2.2.x (core/track_process.c; reworked upstream in 2.3.2) ties each delay to the
// event that moved the count rather than to the direction of the change: an exec that brings
// the count to quorum raises the status at once whatever fork_delay says, a count that comes
// back into range from above quorum_max waits for terminate_delay, and the rescan after lost
// events arms the fork timer with terminate_delay. halo keeps one rule for every way the count
// moves:
//
//   the wanted status is quorum <= count <= quorum_max;
//   when it differs from the reported status, the change is reported after the delay of its
//   direction (fork_delay going up, terminate_delay going down), counted from the moment it
//   first differed; with no delay, at once;
//   when the wanted status returns to the reported one before the deadline, the pending change
//   is dropped and nothing is reported at all.
//
// The class holds no timer: it returns the deadline to arm and tells when to cancel, and the
// owner calls on_timer() when the deadline passes. A late or stale call (a timer that fired
// after its change was cancelled or re-armed) finds no due deadline and changes nothing.
#include "track/process_quorum.h"

namespace halo::track {

ProcessQuorum::ProcessQuorum(Settings settings) : settings_(settings) {
  // quorum_max 0 means "up while none runs": keepalived's parser then sets quorum to 0.
  if (settings_.quorum_max && *settings_.quorum_max == 0) settings_.quorum = 0;
}

bool ProcessQuorum::in_quorum(std::uint32_t count) const {
  return count >= settings_.quorum && (!settings_.quorum_max || count <= *settings_.quorum_max);
}

ProcessQuorum::Update ProcessQuorum::initial(std::uint32_t count) {
  Update update;
  update.cancel_timer = pending_.has_value();
  pending_.reset();
  count_ = count;
  up_ = in_quorum(count);
  update.changed = up_;
  return update;
}

ProcessQuorum::Update ProcessQuorum::on_count(std::uint32_t count, TimePoint now) {
  Update update;
  count_ = count;
  const bool want = in_quorum(count);
  if (want == up_) {
    if (pending_) {
      pending_.reset();
      update.cancel_timer = true;
    }
    return update;
  }
  if (pending_) return update;  // already on its way; the deadline stays where it was
  const Clock::duration delay = want ? settings_.fork_delay : settings_.terminate_delay;
  if (delay <= Clock::duration::zero()) {
    up_ = want;
    update.changed = want;
    return update;
  }
  pending_ = now + delay;
  update.deadline = pending_;
  return update;
}

ProcessQuorum::Update ProcessQuorum::on_timer(TimePoint now) {
  Update update;
  if (!pending_ || now < *pending_) return update;
  pending_.reset();
  const bool want = in_quorum(count_);
  if (want != up_) {
    up_ = want;
    update.changed = want;
  }
  return update;
}

}  // namespace halo::track
