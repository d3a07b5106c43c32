// Every vrrp_track_process of the configuration, counted from one initial /proc scan and then
// from the process-events connector alone (L1).
//
// A process that exits while its /proc entries are read is normal: it is not counted and
// nothing is logged above debug. Fork: the child is counted like its parent until it execs
// (that is what fork_delay is for). Exec and comm events re-read the identity of the process.
// Exit of a thread-group leader uncounts it. Only thread-group leaders are counted, like
// pgrep. After a connector overrun the counts are rebuilt from a fresh scan.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/model.h"
#include "track/process_events.h"
#include "track/process_quorum.h"

namespace halo::track {

class ProcessTracker {
 public:
  // `changed(index, up)` runs when trackers[index]'s status changes, after its delays.
  using ChangeHandler = std::function<void(std::size_t index, bool up)>;

  // `proc_root` is "/proc" except in tests.
  ProcessTracker(boost::asio::io_context& io, std::vector<config::TrackProcess> trackers,
                 ChangeHandler changed, std::string proc_root = "/proc");
  ~ProcessTracker();
  ProcessTracker(const ProcessTracker&) = delete;
  ProcessTracker& operator=(const ProcessTracker&) = delete;

  // Scans /proc, sets every tracker's initial status (no delay, no ChangeHandler call), and
  // starts following `events` (opened and subscribed before, so nothing is missed during the
  // scan; null in tests that feed on_event() by hand). Call once.
  void start(std::unique_ptr<ProcessEventSocket> events);

  // For tests and replay: feed one event as the socket would.
  void on_event(const ProcessEvent& event);
  // Rebuilds the counts from a fresh scan (what a connector overrun does); count changes go
  // through the quorum logic, delays included.
  void rescan();

  bool up(std::size_t index) const;
  std::uint32_t count(std::size_t index) const;
  const std::vector<config::TrackProcess>& trackers() const;

  struct Stats {
    std::uint64_t events = 0;
    std::uint64_t vanished = 0;  // processes gone before their /proc entries were read
    std::uint64_t rescans = 0;   // after start(): overruns and rescan() calls
  };
  const Stats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace halo::track
