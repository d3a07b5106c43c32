// Runs the notify scripts and feeds the notify FIFOs of the VRRP side (and, later, of the
// checkers' lvs_notify_fifo).
//
// For a state change of an instance or sync group: the state's own script (notify_master,
// notify_backup, notify_fault, notify_stop, notify_deleted) runs first, then the generic
// `notify` with INSTANCE|GROUP, name, state and priority appended, exactly as keepalived
// calls them. The scripts of one subject run one after another in event order (the next
// starts when the previous one ended or was killed at notify_script_timeout); different
// subjects do not wait for each other. A FIFO line is written for every notice on
// notify_fifo and vrrp_notify_fifo, in event order, at once.
//
// A script refused by enable_script_security is logged once with the reason at configure()
// and never run.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "config/model.h"
#include "notify/vrrp_notice.h"
#include "process/supervisor.h"

namespace halo::notify {

class Notifier {
 public:
  Notifier(boost::asio::io_context& io, process::Supervisor& supervisor);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Takes the scripts and FIFOs of `config` (at start and on reload). A FIFO whose spec and
  // script are unchanged stays open with its script running; others are stopped/started.
  // Errors (a FIFO that cannot be created, a user that does not exist) are logged; what can
  // run, runs.
  void configure(const config::Config& config);

  void notify(const VrrpNotice& notice);
  // A line for lvs_notify_fifo and notify_fifo (checkers; the line is complete).
  void notify_lvs(std::string_view line);

  // Stops the FIFO scripts (SIGTERM, SIGKILL after the configured fifo_script_stop_grace)
  // after everything already notified was written; running notify scripts finish or hit
  // their timeout. `done` runs when no child of the notifier is left.
  void stop(std::function<void()> done);

  struct Stats {
    std::uint64_t scripts_run = 0;
    std::uint64_t scripts_failed = 0;  // non-zero exit, signal or timeout
    std::uint64_t scripts_timed_out = 0;
    std::uint64_t scripts_refused = 0;  // enable_script_security
    std::uint64_t fifo_lines = 0;
    std::uint64_t fifo_lines_dropped = 0;
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace halo::notify
