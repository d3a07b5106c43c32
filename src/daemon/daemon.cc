#include "daemon/daemon.h"

#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "common/log.h"
#include "config/load.h"

namespace halo::daemon {
namespace {

spdlog::logger& logger() {
  return log::get("daemon");
}

void log_diagnostics(const config::Loaded& loaded) {
  for (const auto& d : loaded.diagnostics.all()) {
    auto text = config::Diagnostics::render(d, loaded.sources);
    // One log record per diagnostic: the first line (file:line:col: message) is what matters
    // in a log; the source excerpt is for terminals.
    text = text.substr(0, text.find('\n'));
    if (d.severity == config::Severity::Error) {
      logger().error("{}", text);
    } else {
      logger().warn("{}", text);
    }
  }
}

}  // namespace

std::unique_ptr<const config::Config> load_for_run(const Options& options, const std::string& path,
                                                   bool starting) {
  config::LoadOptions lo;
  lo.config_id = options.config_id;
  lo.keywords = options.strict ? config::KeywordMode::Strict : config::KeywordMode::Lenient;
  lo.follow_net_namespace = options.network_namespace.empty();
  auto loaded = config::load_file(path, lo);
  log_diagnostics(loaded);
  if (!loaded.ok()) {
    if (starting && !options.log_console) {
      std::fputs(loaded.diagnostics.render(loaded.sources).c_str(), stderr);
    }
    logger().error("{}: {} error(s); configuration not applied", path,
                   loaded.diagnostics.error_count());
    return nullptr;
  }
  return std::move(loaded.config);
}

Daemon::Daemon(Options options, std::string config_path,
               std::unique_ptr<const config::Config> config)
    : options_(std::move(options)),
      config_path_(std::move(config_path)),
      config_(std::move(config)),
      signals_(io_, SIGTERM, SIGINT, SIGHUP) {}

int Daemon::run() {
  write_pid_files();
  wait_for_signal();
  logger().info("halod {} started with {}", HALO_VERSION, config_path_);
  sd_notify(0, "READY=1");
  io_.run();
  sd_notify(0, "STOPPING=1");
  remove_pid_files();
  logger().info("halod stopped");
  return 0;
}

void Daemon::wait_for_signal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    on_signal(signo);
  });
}

void Daemon::on_signal(int signo) {
  switch (signo) {
    case SIGTERM:
    case SIGINT:
      logger().info("received {}, stopping", signo == SIGTERM ? "SIGTERM" : "SIGINT");
      signals_.cancel();
      io_.stop();
      return;
    case SIGHUP:
      reload();
      break;
    default:
      break;
  }
  wait_for_signal();
}

void Daemon::reload() {
  sd_notify(0, "RELOADING=1");
  logger().info("reloading {}", config_path_);
  if (auto next = load_for_run(options_, config_path_)) {
    if (next->global.net_namespace != config_->global.net_namespace) {
      // As in keepalived: the namespace is chosen once, at start-up.
      logger().warn("net_namespace cannot change on reload; still running in '{}'",
                    config_->global.net_namespace.value_or(""));
    }
    config_ = std::move(next);
    ++reloads_;
    logger().info("configuration reloaded (reload {})", reloads_);
  } else {
    logger().error("reload failed; the running configuration is kept");
  }
  sd_notify(0, "READY=1");
}

void Daemon::write_pid_files() {
  const auto pid = std::to_string(getpid()) + "\n";
  for (const auto* file :
       {&options_.pid_file, &options_.vrrp_pid_file, &options_.checkers_pid_file}) {
    if (file->empty()) continue;
    std::ofstream out(*file, std::ios::trunc);
    out << pid;
    if (!out) logger().warn("cannot write pid file {}", *file);
  }
}

void Daemon::remove_pid_files() {
  for (const auto* file :
       {&options_.pid_file, &options_.vrrp_pid_file, &options_.checkers_pid_file}) {
    if (!file->empty()) ::unlink(file->c_str());
  }
}

}  // namespace halo::daemon
