// When a VRRP instance sends gratuitous ARPs (IPv4) / unsolicited NAs (IPv6) for its VIPs, as
// keepalived.conf(5) describes: pure, time injected, no I/O. See garp_schedule.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace halo::vrrp {

// Plain configuration; defaults are keepalived.conf(5)'s. Negative values count as 0
// (validation with file:line messages is the config layer's job).
struct GarpConfig {
  using Duration = std::chrono::microseconds;

  Duration master_delay = std::chrono::seconds(5);  // garp_master_delay; 0 = no second burst
  int master_repeat = 5;                            // garp_master_repeat
  std::optional<Duration> lower_prio_delay;         // garp_lower_prio_delay; unset = master_delay
  std::optional<int> lower_prio_repeat;  // garp_lower_prio_repeat; unset = master_repeat; 0 = off
  Duration master_refresh{0};            // garp_master_refresh; 0 = no refreshing
  int master_refresh_repeat = 1;         // garp_master_refresh_repeat
  Duration garp_interval{0};             // min gap between GARPs on the interface; 0 = none
  Duration gna_interval{0};              // min gap between unsolicited NAs on the interface

  // keepalived's `vrrp_min_garp`: one message, no second burst.
  static GarpConfig min_garp();

  friend bool operator==(const GarpConfig&, const GarpConfig&) = default;
};

// Which announcement the instance sends: selects garp_interval or gna_interval.
enum class GarpFamily : std::uint8_t { Ipv4, Ipv6 };

// The schedule of one instance. The shell calls due(now) at (or after) next_deadline() and
// sends that many announcements (each one covers all the instance's VIPs).
class GarpSchedule {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  GarpSchedule(const GarpConfig& config, GarpFamily family);

  // Became MASTER: a burst of garp_master_repeat now, another after garp_master_delay, and
  // (if garp_master_refresh) a refresh burst every garp_master_refresh from now on.
  void on_become_master(TimePoint now);
  // As MASTER, received a lower-priority advert: a burst of garp_lower_prio_repeat after
  // garp_lower_prio_delay. Ignored when not MASTER, or while one is already pending.
  void on_lower_priority_advert(TimePoint now);
  // Left MASTER (or stopped): cancels all pending sends and timers.
  void on_leave_master();

  // When due() next has something to do; nullopt when idle.
  [[nodiscard]] std::optional<TimePoint> next_deadline() const;
  // Fires matured timers and returns how many announcements to send now, honouring the
  // minimum spacing between consecutive sends (with spacing, at most 1 per call).
  [[nodiscard]] int due(TimePoint now);

  [[nodiscard]] bool is_master() const { return master_; }
  // Sends queued but held back by the spacing (or not yet collected by due()).
  [[nodiscard]] int pending() const { return pending_; }

 private:
  struct Burst {
    TimePoint at;
    int count = 0;
  };

  void enqueue(TimePoint at, int count);

  GarpConfig::Duration master_delay_;
  int master_repeat_;
  GarpConfig::Duration lower_prio_delay_;
  int lower_prio_repeat_;
  GarpConfig::Duration refresh_;
  int refresh_repeat_;
  GarpConfig::Duration spacing_;

  bool master_ = false;
  int pending_ = 0;                        // sends waiting to go out
  TimePoint next_send_at_{};               // earliest time of the next pending send
  std::optional<TimePoint> last_send_;     // kept across mastership (interface gap)
  std::optional<Burst> second_burst_;      // garp_master_delay burst
  std::optional<Burst> lower_prio_burst_;  // garp_lower_prio_delay burst
  std::optional<TimePoint> refresh_at_;    // next garp_master_refresh burst
};

}  // namespace halo::vrrp
