// A vrrp_script: run every `interval`, its exit status folded through rise and fall.
//
// The script runs under the Supervisor with the vrrp_script's credentials; a run that outlives
// `timeout` (default: the interval) is killed and counts as a failure. Runs never overlap: the
// next starts `interval` after the previous one started, or when it ends if it ran longer.
// keepalived's initial state: with init_fail the script starts failed and needs `rise`
// successes; without it, it starts unknown (initialising()) and the first run decides: one
// success is enough to be up, one failure makes it down (then `rise` successes bring it up).
// The handler is called for that first verdict too, as keepalived adjusts priorities on it.
// An exit status of 0 is success; anything else (or a signal, or a timeout) a failure.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "config/model.h"
#include "process/supervisor.h"

namespace halo::track {

class ScriptTracker {
 public:
  using ChangeHandler = std::function<void(bool up)>;

  ScriptTracker(boost::asio::io_context& io, process::Supervisor& supervisor,
                config::VrrpScript script, process::Credentials credentials, ChangeHandler changed);
  ~ScriptTracker();  // terminates a run in progress; the handler is never called after this
  ScriptTracker(const ScriptTracker&) = delete;
  ScriptTracker& operator=(const ScriptTracker&) = delete;

  void start();  // the first run starts at once

  // Up: the last verdict was success. False while initialising().
  bool up() const;
  // True until the first run ends, for a script without init_fail: keepalived applies neither
  // a positive nor a negative weight yet, and holds a weight-0 instance in INIT.
  bool initialising() const;
  const config::VrrpScript& config() const;

  struct Stats {
    std::uint64_t runs = 0;
    std::uint64_t failures = 0;
    std::uint64_t timeouts = 0;
    int last_exit = 0;  // the last run's exit code (-signal if signalled)
  };
  const Stats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace halo::track
