// The notify side of the VRRP engine: scripts in event order per subject, FIFO lines at once.
//
// configure() turns each configured script into a ready command (arguments split like
// keepalived, credentials from its own `user` or script_user, the enable_script_security
// verdict), so a refused script is logged once there and a notice only looks its scripts up.
// Every subject (an instance or a sync group) has a queue: a notice appends its commands and
// the queue starts the next when the previous one has been reaped, so "MASTER then BACKUP"
// can never reach a script as "BACKUP then MASTER", whatever the first one's run time. The
// timeout bounds each run, so one hanging script delays its subject by at most that much.
#include "notify/notifier.h"

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/host_name.h"
#include "common/log.h"
#include "config/lexer.h"
#include "notify/notify_fifo.h"
#include "process/credentials.h"

namespace halo::notify {

namespace {

spdlog::logger& logger() {
  return log::get("notify");
}

using Subject = VrrpNotice::Subject;
using What = VrrpNotice::What;
using Key = std::pair<Subject, std::string>;

// A script ready to run, or refused (then `refused` says why, already logged).
struct Prepared {
  std::vector<std::string> argv;
  process::Credentials credentials;
  std::string description;
  bool refused = false;
};

struct SubjectScripts {
  std::optional<Prepared> master, backup, fault, stop, deleted, rx_lower_pri, generic;
  bool mail = false;  // smtp_alert
};

struct Queue {
  std::deque<process::Command> waiting;
  bool running = false;
};

}  // namespace

struct Notifier::Impl {
  Impl(boost::asio::io_context& io_in, process::Supervisor& supervisor_in)
      : io(io_in), supervisor(supervisor_in) {}

  boost::asio::io_context& io;
  process::Supervisor& supervisor;
  config::GlobalDefs defs;  // of the last configure()

  std::map<Key, SubjectScripts> scripts;
  std::map<Key, Queue> queues;

  // Index 0: notify_fifo, 1: vrrp_notify_fifo, 2: lvs_notify_fifo.
  std::unique_ptr<NotifyFifo> fifos[3];
  // What each FIFO was made from: the configured script (also when refused) and the
  // credentials it resolved to, so a reload restarts a FIFO only when one of them changed.
  struct FifoOrigin {
    std::optional<config::Script> script;
    process::Credentials credentials;
  };
  FifoOrigin origins[3];
  std::list<std::unique_ptr<NotifyFifo>> retiring;  // stopping after a reload or stop()

  // smtp_alert: the alerter of the current settings (none without smtp_server and
  // notification_email), what earlier alerters counted, and the state last mailed per subject.
  std::optional<SmtpSettings> smtp;
  std::unique_ptr<SmtpAlerter> alerter;
  SmtpAlerter::Stats retired_mail;
  std::string router_id;
  std::map<Key, What> last_mailed;

  Stats stats;
  std::uint64_t retired_lines = 0;
  std::uint64_t retired_dropped = 0;

  bool stopping = false;
  std::size_t fifos_stopping = 0;
  std::function<void()> on_stopped;

  // Exit handlers and posted work may outlive this object; they check this token first.
  std::shared_ptr<Impl*> alive = std::make_shared<Impl*>(this);

  std::optional<Prepared> prepare(const std::optional<config::Script>& script,
                                  std::string description) const;
  Result<process::Credentials> credentials_for(const config::Script& script,
                                               const std::string& description) const;
  void configure_fifo(int index, const std::optional<config::FifoSpec>& spec,
                      const std::optional<config::Script>& script, const char* keyword);
  void retire(std::unique_ptr<NotifyFifo> fifo);
  void configure_mail(const config::GlobalDefs& global);
  void mail_vrrp(const Key& key, const VrrpNotice& notice);
  void enqueue(const Key& key, const Prepared& script, std::vector<std::string> extra);
  void pump(const Key& key);
  void write_line(std::string_view line, bool vrrp);
  void check_stopped();
};

Result<process::Credentials> Notifier::Impl::credentials_for(const config::Script& script,
                                                             const std::string& description) const {
  const auto argv = config::split_command(script.command);
  auto credentials =
      process::script_identity(argv.empty() ? std::string() : argv[0],
                               {script.user, script.group, defs.script_user, defs.script_group},
                               defs.enable_script_security);
  if (!credentials) {
    return fail(fmt::format("{}: {}; it will not run", description, credentials.error().message));
  }
  return credentials;
}

std::optional<Prepared> Notifier::Impl::prepare(const std::optional<config::Script>& script,
                                                std::string description) const {
  if (!script) return std::nullopt;
  Prepared prepared;
  prepared.description = std::move(description);
  prepared.argv = config::split_command(script->command);
  if (prepared.argv.empty()) {
    logger().error("{}: empty command; it will not run", prepared.description);
    prepared.refused = true;
    return prepared;
  }
  auto credentials = credentials_for(*script, prepared.description);
  if (!credentials) {
    logger().error("{}", credentials.error().message);
    prepared.refused = true;
    return prepared;
  }
  prepared.credentials = std::move(*credentials);
  return prepared;
}

// Unchanged settings keep the alerter and what waits in it; an alerter that could not be made
// (a host name that did not resolve) is tried again at the next reload.
void Notifier::Impl::configure_mail(const config::GlobalDefs& global) {
  router_id = global.router_id ? *global.router_id : host_name();
  auto settings = smtp_settings(global);
  if (settings == smtp && (alerter || !settings)) return;
  if (alerter) {
    retired_mail.sent += alerter->stats().sent;
    retired_mail.failed += alerter->stats().failed;
    retired_mail.dropped += alerter->stats().dropped;
    alerter.reset();
  }
  smtp = std::move(settings);
  if (!smtp) return;
  auto made = SmtpAlerter::make(io, *smtp);
  if (!made) {
    logger().error("smtp_server {}: {}; no alert is mailed", smtp->server, made.error().message);
    return;
  }
  alerter = std::move(*made);
}

// keepalived's filters (vrrp_notify.c): no FAULT mail with no_email_faults, and no mail for
// the state last mailed about. No STOP mail: an instance stops when halod does, and
// keepalived's own STOP mails never leave (it exits before saying HELO), so none is promised.
void Notifier::Impl::mail_vrrp(const Key& key, const VrrpNotice& notice) {
  if (!alerter || !is_state(notice.what) || notice.what == What::Stop) return;
  if (notice.what == What::Fault && defs.no_email_faults) return;
  const auto last = last_mailed.find(key);
  if (last != last_mailed.end() && last->second == notice.what) return;
  auto message = vrrp_alert(router_id, notice);
  if (!message) return;
  last_mailed[key] = notice.what;
  alerter->send(std::move(*message));
}

void Notifier::Impl::retire(std::unique_ptr<NotifyFifo> fifo) {
  if (!fifo) return;
  NotifyFifo* raw = fifo.get();
  retiring.push_back(std::move(fifo));
  ++fifos_stopping;
  std::weak_ptr<Impl*> weak = alive;
  raw->stop(defs.fifo_script_stop_grace, [weak, raw] {
    auto self = weak.lock();
    if (!self) return;
    // Destroyed later: this runs inside the FIFO's own handler.
    boost::asio::post((**self).io, [weak, raw] {
      auto again = weak.lock();
      if (!again) return;
      Impl& impl = **again;
      for (auto it = impl.retiring.begin(); it != impl.retiring.end(); ++it) {
        if (it->get() != raw) continue;
        impl.retired_lines += raw->lines_written();
        impl.retired_dropped += raw->lines_dropped();
        impl.retiring.erase(it);
        break;
      }
      --impl.fifos_stopping;
      impl.check_stopped();
    });
  });
}

void Notifier::Impl::configure_fifo(int index, const std::optional<config::FifoSpec>& spec,
                                    const std::optional<config::Script>& script,
                                    const char* keyword) {
  std::unique_ptr<NotifyFifo>& slot = fifos[index];
  std::optional<config::Script> runnable = script;
  process::Credentials credentials;
  if (spec && script) {
    const std::string description = fmt::format("{}_script {}", keyword, script->command);
    auto resolved = credentials_for(*script, description);
    if (!resolved) {
      logger().error("{}", resolved.error().message);
      runnable.reset();
    } else {
      credentials = std::move(*resolved);
    }
  }
  FifoOrigin origin{script, credentials};
  if (slot && spec && slot->spec() == *spec && origins[index].script == origin.script &&
      origins[index].credentials == origin.credentials) {
    return;  // unchanged: the FIFO stays open and its script keeps running
  }
  retire(std::move(slot));
  if (!spec) return;

  auto fifo = std::make_unique<NotifyFifo>(io, supervisor, *spec, std::move(runnable),
                                           std::move(credentials));
  auto opened = fifo->open();
  if (!opened) {
    logger().error("{}: {}", keyword, opened.error().message);
    return;
  }
  slot = std::move(fifo);
  origins[index] = std::move(origin);
  logger().info("{} {} open{}", keyword, spec->path, slot->script_id() ? " with its script" : "");
}

void Notifier::Impl::enqueue(const Key& key, const Prepared& script,
                             std::vector<std::string> extra) {
  if (script.refused) {
    ++stats.scripts_refused;
    return;
  }
  process::Command command;
  command.argv = script.argv;
  command.argv.insert(command.argv.end(), std::make_move_iterator(extra.begin()),
                      std::make_move_iterator(extra.end()));
  command.credentials = script.credentials;
  command.timeout = defs.notify_script_timeout;
  command.description = script.description;
  queues[key].waiting.push_back(std::move(command));
  pump(key);
}

void Notifier::Impl::pump(const Key& key) {
  auto it = queues.find(key);
  if (it == queues.end()) return;
  Queue& queue = it->second;
  while (!queue.running && !queue.waiting.empty()) {
    process::Command command = std::move(queue.waiting.front());
    queue.waiting.pop_front();
    std::string description = command.description;
    std::weak_ptr<Impl*> weak = alive;
    auto started = supervisor.spawn(
        std::move(command), [weak, key, description](const process::ExitStatus& status) {
          auto self = weak.lock();
          if (!self) return;
          Impl& impl = **self;
          if (!status.success()) {
            ++impl.stats.scripts_failed;
            if (status.timed_out) {
              ++impl.stats.scripts_timed_out;
              logger().warn("{} timed out and was killed", description);
            } else if (status.how == process::ExitStatus::How::SpawnFailed) {
              logger().warn("{}: {}", description, status.error);
            } else if (status.how == process::ExitStatus::How::Signaled) {
              logger().warn("{} killed by signal {}", description, status.signal);
            } else {
              logger().warn("{} exited with {}", description, status.exit_code);
            }
          }
          auto found = impl.queues.find(key);
          if (found != impl.queues.end()) found->second.running = false;
          impl.pump(key);
          impl.check_stopped();
        });
    if (!started) {
      ++stats.scripts_failed;
      logger().error("cannot start {}: {}", description, started.error().message);
      continue;
    }
    ++stats.scripts_run;
    queue.running = true;
  }
  if (!queue.running && queue.waiting.empty()) queues.erase(it);
}

void Notifier::Impl::write_line(std::string_view line, bool vrrp) {
  if (fifos[0]) fifos[0]->write(line);
  if (vrrp) {
    if (fifos[1]) fifos[1]->write(line);
  } else if (fifos[2]) {
    fifos[2]->write(line);
  }
}

void Notifier::Impl::check_stopped() {
  if (!stopping || !on_stopped) return;
  if (fifos_stopping != 0 || !queues.empty()) return;
  auto done = std::exchange(on_stopped, nullptr);
  done();
}

Notifier::Notifier(boost::asio::io_context& io, process::Supervisor& supervisor)
    : impl_(std::make_unique<Impl>(io, supervisor)) {}

Notifier::~Notifier() = default;

void Notifier::configure(const config::Config& config) {
  Impl& impl = *impl_;
  impl.defs = config.global.defs;
  impl.scripts.clear();
  impl.configure_mail(config.global.defs);
  const bool vrrp_mail =
      config.global.defs.smtp_alert_vrrp.value_or(config.global.defs.smtp_alert.value_or(false));

  for (const config::VrrpInstance& instance : config.vrrp.instances) {
    auto name = [&](const char* keyword) {
      return fmt::format("{} of instance {}", keyword, instance.name);
    };
    SubjectScripts s;
    s.master = impl.prepare(instance.notify_master, name("notify_master"));
    s.backup = impl.prepare(instance.notify_backup, name("notify_backup"));
    s.fault = impl.prepare(instance.notify_fault, name("notify_fault"));
    s.stop = impl.prepare(instance.notify_stop, name("notify_stop"));
    s.deleted = impl.prepare(instance.notify_deleted_script, name("notify_deleted"));
    s.rx_lower_pri =
        impl.prepare(instance.notify_master_rx_lower_pri, name("notify_master_rx_lower_pri"));
    s.generic = impl.prepare(instance.notify, name("notify"));
    s.mail = instance.smtp_alert.value_or(vrrp_mail);
    impl.scripts[{Subject::Instance, instance.name}] = std::move(s);
  }
  for (const config::VrrpSyncGroup& group : config.vrrp.sync_groups) {
    auto name = [&](const char* keyword) {
      return fmt::format("{} of sync group {}", keyword, group.name);
    };
    SubjectScripts s;
    s.master = impl.prepare(group.notify_master, name("notify_master"));
    s.backup = impl.prepare(group.notify_backup, name("notify_backup"));
    s.fault = impl.prepare(group.notify_fault, name("notify_fault"));
    s.stop = impl.prepare(group.notify_stop, name("notify_stop"));
    s.generic = impl.prepare(group.notify, name("notify"));
    s.mail = group.smtp_alert.value_or(vrrp_mail);
    impl.scripts[{Subject::Group, group.name}] = std::move(s);
  }

  if (impl.stopping) return;  // no new FIFO scripts once stopping
  const config::GlobalDefs& global = config.global.defs;
  impl.configure_fifo(0, global.notify_fifo, global.notify_fifo_script, "notify_fifo");
  impl.configure_fifo(1, global.vrrp_notify_fifo, global.vrrp_notify_fifo_script,
                      "vrrp_notify_fifo");
  impl.configure_fifo(2, global.lvs_notify_fifo, global.lvs_notify_fifo_script, "lvs_notify_fifo");
}

void Notifier::notify(const VrrpNotice& notice) {
  Impl& impl = *impl_;
  impl.write_line(fifo_line(notice), true);

  const Key key{notice.subject, notice.name};
  auto it = impl.scripts.find(key);
  if (it == impl.scripts.end()) return;
  const SubjectScripts& s = it->second;
  const std::optional<Prepared>* own = nullptr;
  switch (notice.what) {
    case What::Master:
      own = &s.master;
      break;
    case What::Backup:
      own = &s.backup;
      break;
    case What::Fault:
      own = &s.fault;
      break;
    case What::Stop:
      own = &s.stop;
      break;
    case What::Deleted:
      own = &s.deleted;
      break;
    case What::MasterRxLowerPri:
      own = &s.rx_lower_pri;
      break;
    case What::MasterPriority:
    case What::BackupPriority:
      break;
  }
  if (own && *own) impl.enqueue(key, **own, {});
  if (is_state(notice.what) && s.generic) impl.enqueue(key, *s.generic, notify_arguments(notice));
  if (s.mail) impl.mail_vrrp(key, notice);
}

void Notifier::mail(SmtpMessage message) {
  if (impl_->alerter) impl_->alerter->send(std::move(message));
}

bool Notifier::can_mail() const {
  return impl_->alerter != nullptr;
}

const std::string& Notifier::router_id() const {
  return impl_->router_id;
}

void Notifier::write_states(std::span<const VrrpNotice> states) {
  Impl& impl = *impl_;
  if (!impl.defs.fifo_write_vrrp_states_on_reload) return;
  for (const VrrpNotice& notice : states) impl.write_line(fifo_line(notice), true);
}

void Notifier::notify_lvs(std::string_view line) {
  if (!line.empty() && line.back() == '\n') {
    impl_->write_line(line, false);
    return;
  }
  std::string complete(line);
  complete += '\n';
  impl_->write_line(complete, false);
}

void Notifier::run_lvs_script(const config::Script& script, std::string description,
                              const std::string& subject) {
  Impl& impl = *impl_;
  auto prepared = impl.prepare(script, std::move(description));
  if (!prepared) return;
  // The checkers' subjects share the queue map with the VRRP ones; the \x01 prefix cannot
  // start a configured instance or group name, so the two never meet.
  impl.enqueue(Key{Subject::Instance, "\x01lvs " + subject}, *prepared, {});
}

void Notifier::stop(std::function<void()> done) {
  Impl& impl = *impl_;
  impl.stopping = true;
  impl.on_stopped = done ? std::move(done) : [] {};
  for (auto& fifo : impl.fifos) impl.retire(std::move(fifo));
  impl.check_stopped();
}

Notifier::Stats Notifier::stats() const {
  const Impl& impl = *impl_;
  Stats out = impl.stats;
  out.fifo_lines = impl.retired_lines;
  out.fifo_lines_dropped = impl.retired_dropped;
  auto add = [&](const NotifyFifo& fifo) {
    out.fifo_lines += fifo.lines_written();
    out.fifo_lines_dropped += fifo.lines_dropped();
  };
  for (const auto& fifo : impl.fifos) {
    if (fifo) add(*fifo);
  }
  for (const auto& fifo : impl.retiring) add(*fifo);
  out.mails_sent = impl.retired_mail.sent;
  out.mails_failed = impl.retired_mail.failed;
  out.mails_dropped = impl.retired_mail.dropped;
  if (impl.alerter) {
    out.mails_sent += impl.alerter->stats().sent;
    out.mails_failed += impl.alerter->stats().failed;
    out.mails_dropped += impl.alerter->stats().dropped;
  }
  return out;
}

std::size_t Notifier::scripts_pending() const {
  std::size_t n = 0;
  for (const auto& [key, queue] : impl_->queues)
    n += queue.waiting.size() + (queue.running ? 1 : 0);
  return n;
}

}  // namespace halo::notify
