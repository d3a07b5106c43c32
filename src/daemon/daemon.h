// The daemon's lifecycle: one io_context, the running configuration, and the signals that
// steer it (SIGTERM/SIGINT stop, SIGHUP reload, SIGUSR1/SIGUSR2/JSON dumps). Subsystems
// (VRRP, trackers, notify, the control socket, metrics) hang off this object.
//
// daemon.cc is the lifecycle, commands.cc the control socket's verbs, snapshot.cc what the
// daemon tells about itself (the status::Snapshot every reply, dump and metric is made from).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"
#include "config/model.h"
#include "control/listener.h"
#include "control/server.h"
#include "daemon/load_balancer.h"
#include "daemon/options.h"
#include "metrics/http_server.h"
#include "notify/notifier.h"
#include "process/supervisor.h"
#include "status/event_log.h"
#include "status/snapshot.h"
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
  // Reloads the configuration file; on errors keeps the running one and returns them (the
  // first line of each diagnostic).
  Result<void> reload();
  bool apply_config();
  void stop();
  void finish_stop();
  void write_pid_files();
  void remove_pid_files();
  void arm_watchdog();

  // Dumps (dumps.cc): keepalived.data, keepalived.stats, keepalived.json in the dump
  // directory. Each returns the file written, or why not.
  Result<std::string> write_data_dump();
  Result<std::string> write_check_dump();
  Result<std::string> write_stats_dump();
  Result<std::string> write_json_dump();

  // The control socket and the metrics listener, (re)configured from the running config.
  void configure_control();
  void configure_metrics();
  control::Reply execute(const control::Command& command);  // commands.cc
  // `with_servers`: also every virtual server, real server and check (10,000 real servers
  // take a tenth of a second); the replies that do not show them leave them out.
  status::Snapshot snapshot(bool with_servers = true) const;  // snapshot.cc
  void on_tracker_change(track::TrackerKind kind, const std::string& name);

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
  status::EventLog events_;
  std::unique_ptr<LoadBalancer> lb_;  // null with -P; after events_, which it publishes to
  std::unique_ptr<control::Server> control_;
  control::SocketSpec control_spec_;
  int control_fd_ = -1;  // the listening socket as opened (to remove only our own file)
  std::unique_ptr<metrics::HttpServer> metrics_;
  std::optional<config::GlobalDefs::MetricsListen> metrics_listen_;
  boost::asio::steady_timer watchdog_;
  std::chrono::microseconds watchdog_interval_{0};
  bool stopping_ = false;
  status::WallClock::time_point started_ = status::WallClock::now();
  std::uint64_t reloads_ = 0;
  std::uint64_t reload_failures_ = 0;
  bool last_reload_ok_ = true;
  status::WallClock::time_point last_reload_{};
};

// Loads a configuration for running or reloading, logging every diagnostic. Null when it has
// errors (an unknown keyword is an error only with --strict). At start-up, with no console
// log, the errors also go to stderr: whoever started halod should see why it did not start.
// `errors`, when given, receives the first line of each error.
std::unique_ptr<const config::Config> load_for_run(const Options& options, const std::string& path,
                                                   bool starting = false,
                                                   std::vector<std::string>* errors = nullptr);

}  // namespace halo::daemon
