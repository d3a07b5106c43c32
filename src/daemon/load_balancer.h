// The virtual servers of the running configuration: for each, its checkers, its pool and the
// back end that programs it. Checker reports go through the pool; what the pool decides goes
// to the back end (one transaction per change), the notify scripts and FIFOs, the event
// stream and the log.
//
// Reload keeps every virtual server whose configuration is unchanged (its checkers keep their
// state and counters, its pool is not touched). A changed one keeps, as keepalived does, the
// real servers that are checked the same way, with their running checkers and state (pool.h
// R10): an operator who changes the scheduler or the quorum hears nothing of them. The service
// is replaced in one transaction. New ones start afresh; removed ones are withdrawn from the
// back end (with their down notices).
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/model.h"
#include "notify/notifier.h"
#include "process/supervisor.h"
#include "status/event_log.h"
#include "status/snapshot.h"

namespace halo::daemon {

class LoadBalancer {
 public:
  LoadBalancer(boost::asio::io_context& io, process::Supervisor& supervisor,
               notify::Notifier& notifier, status::EventLog& events);
  ~LoadBalancer();
  LoadBalancer(const LoadBalancer&) = delete;
  LoadBalancer& operator=(const LoadBalancer&) = delete;

  // Takes the virtual servers of `config` (at start and on reload). The back end is opened
  // the first time there is a virtual server; when it cannot be (IPVS asked for on a kernel
  // without it), checks still run and every virtual server shows why nothing is programmed.
  void apply(const config::Config& config);

  // Gives the omega notices, withdraws every service from the back end and closes it. The
  // checkers stop; their scripts are cancelled.
  void stop();

  std::vector<status::VirtualServerView> views() const;
  // "ipvs", "nftables", or "none" (no virtual server yet); with why it failed, if it did.
  std::string backend_name() const;
  // `enable|disable check ID`.
  Result<void> set_check_enabled(std::string_view id, bool enabled);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Why the back end chosen for `config` cannot program some of its virtual servers: one
// message per refused virtual server, with its location, for load_for_run() to report as
// configuration errors before anything is applied.
struct BackendRefusal {
  config::SourceLoc loc;
  std::string message;
};
std::vector<BackendRefusal> backend_refusals(const config::Config& config);

}  // namespace halo::daemon
