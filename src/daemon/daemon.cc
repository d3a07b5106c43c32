#include "daemon/daemon.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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

// keepalived runs scripts as root without enable_script_security, logging a security
// violation (its -t exits 6); halod does the same, so existing configurations keep working.
bool blocks_running(const config::Diagnostic& d) {
  return d.severity == config::Severity::Error && d.impact != config::Impact::ScriptSecurity;
}

// One log record per diagnostic: the first line (file:line:col: message) is what matters in
// a log; the source excerpt is for terminals. Returns those lines of the diagnostics that
// keep the configuration from running.
std::vector<std::string> log_diagnostics(const config::Loaded& loaded) {
  std::vector<std::string> blocking;
  for (const auto& d : loaded.diagnostics.all()) {
    auto text = config::Diagnostics::render(d, loaded.sources);
    text = text.substr(0, text.find('\n'));
    if (blocks_running(d)) {
      logger().error("{}", text);
      blocking.push_back(std::move(text));
    } else {
      logger().warn("{}", text);
    }
  }
  return blocking;
}

}  // namespace

std::unique_ptr<const config::Config> load_for_run(const Options& options, const std::string& path,
                                                   bool starting,
                                                   std::vector<std::string>* errors) {
  config::LoadOptions lo;
  lo.config_id = options.config_id;
  lo.keywords = options.strict ? config::KeywordMode::Strict : config::KeywordMode::Lenient;
  lo.follow_net_namespace = options.network_namespace.empty();
  auto loaded = config::load_file(path, lo);
  // What the load-balancer back end cannot program is refused here, with its location, so a
  // configuration is taken whole or not at all.
  if (!options.vrrp_only) {
    for (auto& refusal : backend_refusals(*loaded.config)) {
      loaded.diagnostics.error(refusal.loc, std::move(refusal.message));
    }
  }
  auto blocking = log_diagnostics(loaded);
  if (!blocking.empty()) {
    if (errors != nullptr) *errors = std::move(blocking);
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
      supervisor_(io_),
      watchdog_(io_) {
  // keepalived's dump signals (halod --signum=DATA|STATS|STATS_CLEAR|JSON).
  for (const int signo : {SIGUSR1, SIGUSR2, SIGRTMIN + 2, SIGRTMAX - 1}) signals_.add(signo);
  notifier_ = std::make_unique<notify::Notifier>(io_, supervisor_);
  if (!options_.vrrp_only) {
    lb_ = std::make_unique<LoadBalancer>(io_, supervisor_, *notifier_, events_);
  }
  trackers_ = std::make_unique<track::TrackerSet>(
      io_, supervisor_, std::move(connector), connector_on_demand,
      [this](track::TrackerKind kind, const std::string& name) { on_tracker_change(kind, name); });
}

void Daemon::on_tracker_change(track::TrackerKind kind, const std::string& name) {
  if (vrrp_) vrrp_->on_tracker_change(kind, name);
  boost::json::object fields{{"kind", track::to_string(kind)}, {"name", name}};
  if (const auto status = trackers_->status(kind, name)) {
    fields["up"] = status->up;
    fields["pending"] = status->pending;
    if (kind == track::TrackerKind::File) fields["value"] = status->value;
  }
  events_.publish("tracker", fields);
}

int Daemon::run() {
  write_pid_files();
  if (!apply_config()) {
    remove_pid_files();
    return 1;
  }
  configure_control();
  configure_metrics();
  wait_for_signal();
  logger().info("halod {} started with {}", HALO_VERSION, config_path_);
  events_.publish("daemon", {{"event", "started"}, {"version", HALO_VERSION}});
  notify_systemd("READY=1");
  arm_watchdog();
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
      (void)reload();
      break;
    case SIGUSR1:
      (void)write_data_dump();
      if (lb_ && !config_->lvs.virtual_servers.empty()) (void)write_check_dump();
      break;
    case SIGUSR2:
      (void)write_stats_dump();
      break;
    default:
      if (signo == SIGRTMIN + 2) {
        (void)write_json_dump();
      } else if (signo == SIGRTMAX - 1) {
        // keepalived's STATS_CLEAR: the stats file, then the counters start again from zero.
        if (write_stats_dump() && vrrp_) vrrp_->clear_stats();
      }
      break;
  }
  wait_for_signal();
}

Result<void> Daemon::reload() {
  notify_systemd("RELOADING=1");
  logger().info("reloading {}", config_path_);
  last_reload_ = status::WallClock::now();
  std::vector<std::string> errors;
  if (auto next = load_for_run(options_, config_path_, false, &errors)) {
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
    configure_control();
    configure_metrics();
    ++reloads_;
    last_reload_ok_ = true;
    logger().info("configuration reloaded (reload {})", reloads_);
    events_.publish("reload", {{"result", "success"}, {"reloads", reloads_}});
    notify_systemd("READY=1");
    return {};
  }
  ++reload_failures_;
  last_reload_ok_ = false;
  logger().error("reload failed; the running configuration is kept");
  events_.publish("reload", {{"result", "failure"}, {"errors", errors.size()}});
  notify_systemd("READY=1");
  std::string message = fmt::format("{}: {} error(s); the running configuration is kept",
                                    config_path_, errors.size());
  for (const auto& e : errors) message += "\n" + e;
  return fail(std::move(message));
}

// Notify scripts and FIFOs first (so the first transitions are heard), then the virtual
// servers (not with -P), then the trackers (so
// instances start with their statuses known), then the VRRP engine, which it starts the first
// time the configuration has instances (not with -C).
bool Daemon::apply_config() {
  notifier_->configure(*config_);
  if (lb_) lb_->apply(*config_);
  if (options_.check_only) return true;
  trackers_->apply(*config_);
  if (!vrrp_ && !config_->vrrp.instances.empty()) {
    auto engine = vrrp::Engine::create(io_);
    if (!engine) {
      logger().error("cannot start VRRP: {}", engine.error().message);
      return false;
    }
    vrrp_ = std::move(*engine);
    vrrp_->set_trackers(trackers_.get());
    vrrp_->set_event_log(&events_);
    vrrp_->set_notice_handler([this](const notify::VrrpNotice& notice) {
      notifier_->notify(notice);
      // Instances publish their own transitions (with the state they left and why); a sync
      // group's state is only known here.
      if (notice.subject == notify::VrrpNotice::Subject::Group && notify::is_state(notice.what)) {
        events_.publish("group_state", {{"group", notice.name}, {"to", to_string(notice.what)}});
      }
    });
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
  watchdog_.cancel();
  if (vrrp_) vrrp_->stop();
  // The omega notices reach the scripts and FIFOs before those stop, like the VRRP ones.
  if (lb_) lb_->stop();
  trackers_->stop();
  notifier_->stop([this] { finish_stop(); });
}

void Daemon::finish_stop() {
  // The control socket closes last, so event followers see the instances stop. Its file is
  // removed while the socket is still open (remove_listener checks that it is ours).
  if (control_) {
    control::remove_listener(control_spec_, control_fd_);
    control_->stop();
  }
  if (metrics_) metrics_->stop();
  // What is left (a vrrp_script run cut short) has had its SIGTERM; give it a moment.
  supervisor_.shutdown(std::chrono::milliseconds(500), [this] { io_.stop(); });
}

// systemd's watchdog (WatchdogSec=): WATCHDOG=1 at half the interval, from the event loop, so
// a loop that stops turning is restarted. $WATCHDOG_PID, when set, must be ours.
void Daemon::arm_watchdog() {
  if (watchdog_interval_.count() == 0) {
    const char* usec = std::getenv("WATCHDOG_USEC");
    const char* pid = std::getenv("WATCHDOG_PID");
    if (usec == nullptr) return;
    if (pid != nullptr && std::to_string(getpid()) != pid) return;
    const auto value = std::strtoull(usec, nullptr, 10);
    if (value == 0) return;
    watchdog_interval_ = std::chrono::microseconds(value / 2);
    logger().info("systemd watchdog: WATCHDOG=1 every {} ms", watchdog_interval_.count() / 1000);
  }
  notify_systemd("WATCHDOG=1");
  watchdog_.expires_after(watchdog_interval_);
  watchdog_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopping_) arm_watchdog();
  });
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
