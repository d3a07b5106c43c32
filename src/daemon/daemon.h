// The daemon's lifecycle: one io_context, the running configuration, and the signals that
// steer it (SIGTERM/SIGINT stop, SIGHUP reload). Subsystems (VRRP, trackers, checkers, the
// control socket) hang off this object as they land.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <memory>
#include <string>

#include "config/model.h"
#include "daemon/options.h"
#include "vrrp/engine.h"

namespace halo::daemon {

class Daemon {
 public:
  Daemon(Options options, std::string config_path, std::unique_ptr<const config::Config> config);

  // Runs until stopped; returns the process exit code.
  int run();

 private:
  void wait_for_signal();
  void on_signal(int signo);
  void reload();
  bool apply_vrrp();
  void stop();
  void write_data_dump();
  void write_pid_files();
  void remove_pid_files();

  Options options_;
  std::string config_path_;
  std::unique_ptr<const config::Config> config_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  std::unique_ptr<vrrp::Engine> vrrp_;  // null with -C or without vrrp_instance blocks
  unsigned reloads_ = 0;
};

// Loads a configuration for running or reloading, logging every diagnostic. Null when it has
// errors (an unknown keyword is an error only with --strict). At start-up, with no console
// log, the errors also go to stderr: whoever started halod should see why it did not start.
std::unique_ptr<const config::Config> load_for_run(const Options& options, const std::string& path,
                                                   bool starting = false);

}  // namespace halo::daemon
