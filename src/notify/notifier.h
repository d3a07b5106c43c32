// Runs the notify scripts and feeds the notify FIFOs of the VRRP side (and, later, of the
// checkers' lvs_notify_fifo).
//
// For a state change of an instance or sync group: the state's own script (notify_master,
// notify_backup, notify_fault, notify_stop, notify_deleted's script) runs first, with no extra
// arguments, then the generic `notify` with INSTANCE|GROUP, name, state and priority appended,
// exactly as keepalived calls them. MASTER_RX_LOWER_PRI runs notify_master_rx_lower_pri (no
// extra arguments) and no generic notify; a priority change runs no script. The scripts of
// one subject run one after another in event order (the next starts when the previous one
// ended or was killed at global_defs notify_script_timeout); different subjects do not wait
// for each other (keepalived starts them all at once, in no defined order). A FIFO line is
// written for every notice on notify_fifo and vrrp_notify_fifo, in event order, at once.
//
// A script refused by enable_script_security (or whose user does not exist) is logged once
// with the reason at configure() and never run.
//
// E-mail (smtp_alert): with global_defs smtp_server and notification_email, a state change
// of an instance or sync group whose smtp_alert is on (default: global smtp_alert_vrrp, else
// global smtp_alert, else off) is mailed through one SmtpAlerter (smtp_alert.h), as keepalived
// does: not FAULT with no_email_faults, and not the state last mailed for that subject again;
// never STOP (halod is stopping: keepalived's STOP mails never leave either).
// The checkers' mails are built by the load balancer and handed to mail().
//
// Notices about instances that a reload removes (DELETED, or FAULT without notify_deleted)
// must be given before configure() takes the new configuration: configure() forgets the
// scripts of subjects that are gone.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/model.h"
#include "notify/smtp_alert.h"
#include "notify/vrrp_notice.h"
#include "process/supervisor.h"
#include "status/snapshot.h"

namespace halo::notify {

class Notifier {
 public:
  Notifier(boost::asio::io_context& io, process::Supervisor& supervisor);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Takes the scripts and FIFOs of `config` (at start and on reload). A FIFO whose spec and
  // script are unchanged stays open with its script running (keepalived restarts them on
  // every reload); others are stopped (with fifo_script_stop_grace) and started. Errors (a
  // FIFO that cannot be created, a user that does not exist) are logged; what can run, runs.
  void configure(const config::Config& config);

  void notify(const VrrpNotice& notice);
  // fifo_write_vrrp_states_on_reload: after a reload the daemon passes the current state of
  // every instance and group; their lines are written to the VRRP FIFOs (no script runs)
  // when the option is set, and nothing happens otherwise. keepalived 2.2.7 writes only the
  // GROUP lines; halo writes what it is given (the option's documented intent).
  void write_states(std::span<const VrrpNotice> states);
  // A line for lvs_notify_fifo and notify_fifo (checkers), newline included (one is added
  // when missing).
  void notify_lvs(std::string_view line);
  // Runs a checker-side script (notify_up, notify_down, quorum_up, quorum_down) as configured,
  // with no extra arguments (keepalived passes none). Scripts of one `subject` (a virtual
  // server) run one after another in call order, like the VRRP scripts of one instance.
  void run_lvs_script(const config::Script& script, std::string description,
                      const std::string& subject);

  // Sends an alert through smtp_server, if one is configured (the caller has decided that the
  // subject's smtp_alert is on). Returns at once.
  void mail(SmtpMessage message);
  bool can_mail() const;
  // global_defs router_id, else the host name: the "[...]" of every alert's subject.
  const std::string& router_id() const;

  // Stops the FIFO scripts after everything already notified was written and read (see
  // NotifyFifo::stop; SIGTERM, SIGKILL after fifo_script_stop_grace); notify scripts already
  // queued still run and finish or hit their timeout. `done` runs when no child of the
  // notifier is left.
  void stop(std::function<void()> done);

  // The status model's counters (show stats, metrics); mails_dropped: more than
  // SmtpAlerter::kMaxPending waiting.
  using Stats = status::NotifyCounters;
  Stats stats() const;
  // Notify scripts running or waiting, over all subjects.
  std::size_t scripts_pending() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace halo::notify
