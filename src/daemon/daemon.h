// The daemon's lifecycle: one io_context, the running configuration, and the signals that
// steer it (SIGTERM/SIGINT stop, SIGHUP reload). Subsystems (VRRP, trackers, checkers, the
// control socket) hang off this object as they land.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"
#include "config/model.h"
#include "daemon/options.h"
#include "notify/notifier.h"
#include "process/supervisor.h"
#include "track/tracker_set.h"
#include "vrrp/engine.h"

namespace halo::daemon {

class Daemon {
 public:
  // `connector`: the process-events connector as main() opened it in the initial network
  // namespace (or why it did not); `connector_on_demand`: halod still runs in the initial
  // namespace, so the connector can be opened later (a reload that adds vrrp_track_process).
  Daemon(Options options, std::string config_path, std::unique_ptr<const config::Config> config,
         Result<UniqueFd> connector, bool connector_on_demand);

  // Runs until stopped; returns the process exit code.
  int run();

 private:
  void wait_for_signal();
  void on_signal(int signo);
  void reload();
  bool apply_config();
  void stop();
  void finish_stop();
  void write_data_dump();
  void write_pid_files();
  void remove_pid_files();

  Options options_;
  std::string config_path_;
  std::unique_ptr<const config::Config> config_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  // Declared before everything that starts children, so it outlives them all.
  process::Supervisor supervisor_;
  std::unique_ptr<notify::Notifier> notifier_;
  std::unique_ptr<track::TrackerSet> trackers_;
  std::unique_ptr<vrrp::Engine> vrrp_;  // null with -C or without vrrp_instance blocks
  bool stopping_ = false;
  unsigned reloads_ = 0;
};

// Loads a configuration for running or reloading, logging every diagnostic. Null when it has
// errors (an unknown keyword is an error only with --strict). At start-up, with no console
// log, the errors also go to stderr: whoever started halod should see why it did not start.
std::unique_ptr<const config::Config> load_for_run(const Options& options, const std::string& path,
                                                   bool starting = false);

}  // namespace halo::daemon
