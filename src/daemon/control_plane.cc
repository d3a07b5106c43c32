// The control socket and the metrics listener, configured from the running configuration at
// start and again on every reload. Neither is needed to keep the VIPs where they belong: when
// one cannot be opened, halod says why and runs on without it.
#include <grp.h>
#include <pwd.h>

#include "common/log.h"
#include "daemon/daemon.h"
#include "metrics/prometheus.h"

namespace halo::daemon {
namespace {

spdlog::logger& logger() {
  return log::get("daemon");
}

}  // namespace

void Daemon::configure_control() {
  const auto& g = config_->global.defs;
  control::SocketSpec spec;
  spec.path = !options_.control_socket.empty()
                  ? options_.control_socket
                  : g.control_socket.value_or(options_.runtime_dir + "/halo.sock");
  spec.mode = g.control_socket_mode;
  // The configuration checked that they exist; they may have gone since.
  if (g.control_socket_owner) {
    if (const auto* pw = getpwnam(g.control_socket_owner->c_str())) spec.owner = pw->pw_uid;
  }
  if (g.control_socket_group) {
    if (const auto* gr = getgrnam(g.control_socket_group->c_str())) spec.group = gr->gr_gid;
  }
  control::Limits limits;
  limits.maxconn = g.control_maxconn;
  limits.idle_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(g.control_idle_timeout);
  limits.command_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(g.control_command_timeout);

  if (control_ && spec == control_spec_) {
    control_->set_limits(limits);
    return;
  }
  if (control_) {
    control::remove_listener(control_spec_, control_fd_);  // while the socket is still open
    control_->stop();
    control_.reset();
    control_fd_ = -1;
  }
  auto fd = control::open_listener(spec);
  if (!fd) {
    logger().error("control socket {}: {}; running without it", spec.path, fd.error().message);
    return;
  }
  control_fd_ = fd->get();
  control_spec_ = spec;
  control_ = control::Server::start(
      io_, std::move(*fd), limits,
      [this](const control::Command& command) { return execute(command); }, events_);
  logger().info("control socket {} (mode {:04o}, maxconn {})", spec.path, spec.mode,
                limits.maxconn);
}

void Daemon::configure_metrics() {
  const auto& wanted = config_->global.defs.metrics_listen;
  if (metrics_ && wanted == metrics_listen_) return;
  if (metrics_) {
    metrics_->stop();
    metrics_.reset();
  }
  metrics_listen_ = wanted;
  if (!wanted) return;
  auto server = metrics::HttpServer::start(io_, wanted->address, wanted->port,
                                           [this] { return metrics::prometheus_text(snapshot()); });
  if (!server) {
    logger().error("metrics on {} port {}: {}; running without them", wanted->address.to_string(),
                   wanted->port, server.error().message);
    metrics_listen_.reset();
    return;
  }
  metrics_ = std::move(*server);
  logger().info("metrics on http://{}:{}/metrics", wanted->address.to_string(), metrics_->port());
}

}  // namespace halo::daemon
