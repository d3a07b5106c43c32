// The gratuitous ARP / unsolicited NA schedule of one VRRP instance.
//
// RFC 5798 §6.4.1 / §6.4.2 (RFC 3768 §6.4 for v2): on becoming Master a router "MUST"
// broadcast a gratuitous ARP (IPv4) or send an unsolicited Neighbor Advertisement (IPv6) for
// each VIP. Keepalived goes further, and halo follows keepalived.conf(5) word for word:
//
//   garp_master_repeat  "number of gratuitous ARP messages to send at a time after
//                        transition to MASTER. (default: 5)"
//   garp_master_delay   "delay for second set of gratuitous ARPs after transition to MASTER.
//                        in seconds, 0 for no second set. (default: 5)"
//   garp_lower_prio_delay  "delay for second set of gratuitous ARPs after lower priority
//                        advert received when MASTER. (default: vrrp_garp_master_delay)"
//   garp_lower_prio_repeat "number of gratuitous ARP messages to send at a time after lower
//                        priority advert received when MASTER. (default: vrrp_garp_master_repeat)"
//   garp_master_refresh "minimum time interval for refreshing gratuitous ARPs while MASTER.
//                        (default: 0 (no refreshing))"
//   garp_master_refresh_repeat "number of gratuitous ARP messages to send at a time while
//                        MASTER (default: 1)"
//   garp_interval / gna_interval "Delay between gratuitous ARP [unsolicited NA] messages
//                        sent on an interface ... (default: 0)"
//   vrrp_min_garp       "causes only one ARP/NA message to be sent, with no repeat 5 seconds
//                        later."
//
// The model: timers (second burst, lower-priority burst, refresh) mature into a count of
// pending sends; pending sends go out no closer together than the interface spacing, the
// first one no sooner than `spacing` after the previous send (which may belong to an earlier
// burst or an earlier mastership: the gap is the interface's, not the burst's). With spacing
// 0 a whole burst goes out in one due() call. The shell calls due(now) at next_deadline().
//
// Choices where the man page is silent:
//  - a lower-priority advert while a lower-priority burst is already pending does not push it
//    back (a lower-priority master advertising every second would otherwise starve it);
//  - the refresh re-arms from the time it fires (no catch-up storm after a late wake-up).
#include "vrrp/garp_schedule.h"

#include <algorithm>

namespace halo::vrrp {
namespace {

int non_negative(int n) {
  return std::max(n, 0);
}
GarpConfig::Duration non_negative(GarpConfig::Duration d) {
  return std::max(d, GarpConfig::Duration::zero());
}

}  // namespace

GarpConfig GarpConfig::min_garp() {
  GarpConfig config;
  config.master_repeat = 1;
  config.master_delay = Duration::zero();
  return config;
}

GarpSchedule::GarpSchedule(const GarpConfig& config, GarpFamily family)
    : master_delay_(non_negative(config.master_delay)),
      master_repeat_(non_negative(config.master_repeat)),
      lower_prio_delay_(non_negative(config.lower_prio_delay.value_or(config.master_delay))),
      lower_prio_repeat_(non_negative(config.lower_prio_repeat.value_or(config.master_repeat))),
      refresh_(non_negative(config.master_refresh)),
      refresh_repeat_(non_negative(config.master_refresh_repeat)),
      spacing_(
          non_negative(family == GarpFamily::Ipv4 ? config.garp_interval : config.gna_interval)) {}

void GarpSchedule::enqueue(TimePoint at, int count) {
  if (count <= 0) return;
  if (pending_ == 0) {
    next_send_at_ = at;
    if (last_send_ && spacing_ > GarpConfig::Duration::zero()) {
      next_send_at_ = std::max(next_send_at_, *last_send_ + spacing_);
    }
  }
  pending_ += count;
}

void GarpSchedule::on_become_master(TimePoint now) {
  on_leave_master();
  master_ = true;
  enqueue(now, master_repeat_);
  if (master_delay_ > GarpConfig::Duration::zero() && master_repeat_ > 0) {
    second_burst_ = Burst{now + master_delay_, master_repeat_};
  }
  if (refresh_ > GarpConfig::Duration::zero() && refresh_repeat_ > 0) {
    refresh_at_ = now + refresh_;
  }
}

void GarpSchedule::on_lower_priority_advert(TimePoint now) {
  if (!master_ || lower_prio_repeat_ == 0 || lower_prio_burst_) return;
  if (lower_prio_delay_ == GarpConfig::Duration::zero()) {
    enqueue(now, lower_prio_repeat_);
  } else {
    lower_prio_burst_ = Burst{now + lower_prio_delay_, lower_prio_repeat_};
  }
}

void GarpSchedule::on_leave_master() {
  master_ = false;
  pending_ = 0;
  second_burst_.reset();
  lower_prio_burst_.reset();
  refresh_at_.reset();
}

std::optional<GarpSchedule::TimePoint> GarpSchedule::next_deadline() const {
  std::optional<TimePoint> next;
  auto consider = [&next](TimePoint t) { next = next ? std::min(*next, t) : t; };
  if (pending_ > 0) consider(next_send_at_);
  if (second_burst_) consider(second_burst_->at);
  if (lower_prio_burst_) consider(lower_prio_burst_->at);
  if (refresh_at_) consider(*refresh_at_);
  return next;
}

int GarpSchedule::due(TimePoint now) {
  if (second_burst_ && second_burst_->at <= now) {
    enqueue(second_burst_->at, second_burst_->count);
    second_burst_.reset();
  }
  if (lower_prio_burst_ && lower_prio_burst_->at <= now) {
    enqueue(lower_prio_burst_->at, lower_prio_burst_->count);
    lower_prio_burst_.reset();
  }
  if (refresh_at_ && *refresh_at_ <= now) {
    enqueue(*refresh_at_, refresh_repeat_);
    refresh_at_ = now + refresh_;
  }
  if (pending_ == 0 || next_send_at_ > now) return 0;

  last_send_ = now;
  if (spacing_ == GarpConfig::Duration::zero()) {
    const int sent = pending_;
    pending_ = 0;
    return sent;
  }
  --pending_;
  next_send_at_ = now + spacing_;
  return 1;
}

}  // namespace halo::vrrp
