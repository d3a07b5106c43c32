#include "daemon/daemon.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "config/load.h"
#include "daemon/sd_notify.h"

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
    if (d.severity == config::Severity::Error && d.impact != config::Impact::ScriptSecurity) {
      logger().error("{}", text);
    } else {
      logger().warn("{}", text);
    }
  }
}

// keepalived runs scripts as root without enable_script_security, logging a security
// violation (its -t exits 6); halod does the same, so existing configurations keep working.
bool runnable(const config::Loaded& loaded) {
  const auto& all = loaded.diagnostics.all();
  return std::none_of(all.begin(), all.end(), [](const config::Diagnostic& d) {
    return d.severity == config::Severity::Error && d.impact != config::Impact::ScriptSecurity;
  });
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
  if (!runnable(loaded)) {
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
               std::unique_ptr<const config::Config> config, Result<UniqueFd> connector,
               bool connector_on_demand)
    : options_(std::move(options)),
      config_path_(std::move(config_path)),
      config_(std::move(config)),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      supervisor_(io_) {
  signals_.add(SIGUSR1);
  notifier_ = std::make_unique<notify::Notifier>(io_, supervisor_);
  trackers_ = std::make_unique<track::TrackerSet>(
      io_, supervisor_, std::move(connector), connector_on_demand,
      [this](track::TrackerKind kind, const std::string& name) {
        if (vrrp_) vrrp_->on_tracker_change(kind, name);
      });
}

int Daemon::run() {
  write_pid_files();
  if (!apply_config()) {
    remove_pid_files();
    return 1;
  }
  wait_for_signal();
  logger().info("halod {} started with {}", HALO_VERSION, config_path_);
  notify_systemd("READY=1");
  io_.run();
  notify_systemd("STOPPING=1");
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
      stop();
      return;
    case SIGHUP:
      reload();
      break;
    case SIGUSR1:
      write_data_dump();
      break;
    default:
      break;
  }
  wait_for_signal();
}

void Daemon::reload() {
  notify_systemd("RELOADING=1");
  logger().info("reloading {}", config_path_);
  if (auto next = load_for_run(options_, config_path_)) {
    if (next->global.net_namespace != config_->global.net_namespace) {
      // As in keepalived: the namespace is chosen once, at start-up.
      logger().warn("net_namespace cannot change on reload; still running in '{}'",
                    config_->global.net_namespace.value_or(""));
    }
    config_ = std::move(next);
    // Removed and changed instances stop while their old notify scripts are still known.
    if (vrrp_) vrrp_->retire(*config_);
    apply_config();
    if (vrrp_) notifier_->write_states(vrrp_->current_notices());
    ++reloads_;
    logger().info("configuration reloaded (reload {})", reloads_);
  } else {
    logger().error("reload failed; the running configuration is kept");
  }
  notify_systemd("READY=1");
}

// Notify scripts and FIFOs first (so the first transitions are heard), then the trackers (so
// instances start with their statuses known), then the VRRP engine, which it starts the first
// time the configuration has instances (not with -C).
bool Daemon::apply_config() {
  if (options_.check_only) return true;
  notifier_->configure(*config_);
  trackers_->apply(*config_);
  if (!vrrp_ && !config_->vrrp.instances.empty()) {
    auto engine = vrrp::Engine::create(io_);
    if (!engine) {
      logger().error("cannot start VRRP: {}", engine.error().message);
      return false;
    }
    vrrp_ = std::move(*engine);
    vrrp_->set_trackers(trackers_.get());
    vrrp_->set_notice_handler(
        [this](const notify::VrrpNotice& notice) { notifier_->notify(notice); });
  }
  if (vrrp_) vrrp_->apply(*config_);
  return true;
}

// Priority-0 adverts go out and the addresses are removed first: the backups take over after
// Skew_Time instead of Master_Down_Interval (RFC 5798 §6.4.3). The STOP notices that produces
// reach the scripts and FIFOs before the FIFO scripts are told to stop (L3); the loop runs on
// until every child is gone.
void Daemon::stop() {
  if (stopping_) return;
  stopping_ = true;
  signals_.cancel();
  if (vrrp_) vrrp_->stop();
  trackers_->stop();
  notifier_->stop([this] { finish_stop(); });
}

void Daemon::finish_stop() {
  // What is left (a vrrp_script run cut short) has had its SIGTERM; give it a moment.
  supervisor_.shutdown(std::chrono::milliseconds(500), [this] { io_.stop(); });
}

// SIGUSR1: keepalived.data in the dump directory. Written to a temporary file and renamed, so
// a reader never sees half a dump.
void Daemon::write_data_dump() {
  std::ostringstream out;
  out << "------< Global definitions >------\n";
  out << " Configuration file = " << config_path_ << "\n";
  out << " Reloads = " << reloads_ << "\n";
  if (vrrp_) vrrp_->dump(out);
  trackers_->dump(out);
  const auto path = options_.dump_dir + "/keepalived.data";
  const auto temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << out.str();
    if (!file.flush()) {
      logger().error("cannot write {}", temporary);
      return;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    logger().error("cannot rename {} to {}", temporary, path);
    return;
  }
  logger().info("data dump written to {}", path);
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
