#include "daemon/load_balancer.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <map>
#include <optional>
#include <set>

#include "check/checker.h"
#include "check/file_check.h"
#include "check/misc_dynamic.h"
#include "common/log.h"
#include "daemon/checker_build.h"
#include "lvs/backend.h"
#include "lvs/notice_line.h"
#include "lvs/pool.h"
#include "track/file_tracker.h"

namespace halo::daemon {
namespace {

spdlog::logger& logger() {
  return log::get("check");
}

using config::LvsProtocol;

std::string address_port(const IpAddress& a, std::uint16_t port) {
  return a.is_v6() ? fmt::format("[{}]:{}", a.to_string(), port)
                   : fmt::format("{}:{}", a.to_string(), port);
}

// The short, typable part of a check id for a virtual server: "192.0.2.10:80",
// "192.0.2.10:53:udp", "fwm5", "group:NAME".
std::string vs_id(const config::VirtualServer& vs) {
  std::string id;
  switch (vs.kind) {
    case config::VirtualServerKind::Address:
      id = address_port(vs.address, vs.port);
      break;
    case config::VirtualServerKind::Fwmark:
      id = fmt::format("fwm{}", vs.fwmark);
      break;
    case config::VirtualServerKind::Group:
      id = "group:" + vs.group;
      break;
  }
  const auto protocol = vs.protocol.value_or(LvsProtocol::Tcp);
  if (protocol != LvsProtocol::Tcp) id += protocol == LvsProtocol::Udp ? ":udp" : ":sctp";
  return id;
}

// "tcp", "http", "ssl", "misc", ...: the kind in a check id.
std::string kind_id(std::string_view kind) {
  std::string out(kind.substr(0, kind.find('_')));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return out;
}

lvs::Service service_for(const config::Config& config, const config::VirtualServer& vs) {
  lvs::Service s;
  s.name = lvs::virtual_server_text(vs);
  s.protocol = vs.protocol.value_or(LvsProtocol::Tcp);
  s.scheduler = vs.scheduler.value_or(config::LvsScheduler::Wlc);
  // ipvsadm's -b flags: flag-1 is sh-fallback/mh-fallback, flag-2 sh-port/mh-port.
  const bool flag_1 = vs.flag_1 || vs.sh_fallback || vs.mh_fallback;
  const bool flag_2 = vs.flag_2 || vs.sh_port || vs.mh_port;
  s.scheduler_flags =
      static_cast<std::uint8_t>((flag_1 ? 1U : 0U) | (flag_2 ? 2U : 0U) | (vs.flag_3 ? 4U : 0U));
  // nftables hashes the source port too for sh-port, however it was written.
  s.sh_port = s.scheduler == config::LvsScheduler::Sh && flag_2;
  s.one_packet = vs.ops;
  s.hashed = vs.hashed;
  s.persistence_timeout = vs.persistence_timeout;
  s.persistence_granularity = vs.persistence_granularity;
  switch (vs.kind) {
    case config::VirtualServerKind::Address:
      s.family = vs.address.family();
      s.frontends.push_back({vs.address, vs.address, vs.port});
      break;
    case config::VirtualServerKind::Fwmark:
      s.family = vs.ip_family.value_or(Family::V4);
      s.fwmarks.push_back(vs.fwmark);
      break;
    case config::VirtualServerKind::Group:
      s.family = vs.ip_family.value_or(Family::V4);
      for (const auto& g : config.lvs.virtual_server_groups) {
        if (g.name != vs.group) continue;
        for (const auto& r : g.ranges) {
          s.family = r.first.family();
          s.frontends.push_back({r.first, r.last, r.port != 0 ? r.port : vs.port});
        }
        for (const auto& f : g.fwmarks) s.fwmarks.push_back(f.mark);
      }
      break;
  }
  return s;
}

const config::TrackFile* find_track_file(const config::Config& config, const std::string& name) {
  for (const auto& f : config.vrrp.track_files) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// What a real server's checkers take from their virtual server (checker_build.cc). A reload
// that changes none of it, nor the real server's own checking, carries the real server over
// with its checkers (pool.h R10).
bool same_inherited(const config::VirtualServer& a, const config::VirtualServer& b) {
  return a.port == b.port && a.protocol == b.protocol && a.ip_family == b.ip_family &&
         a.delay_loop == b.delay_loop && a.retry == b.retry &&
         a.delay_before_retry == b.delay_before_retry && a.warmup == b.warmup &&
         a.connect_timeout == b.connect_timeout && a.alpha == b.alpha &&
         a.virtualhost == b.virtualhost;
}

// The same real server, checked the same way; its weight, thresholds, forwarding method,
// inhibit_on_failure, notify scripts and smtp_alert may differ.
bool same_checking(const config::RealServer& a, const config::RealServer& b) {
  const auto& x = a.options.get();
  const auto& y = b.options.get();
  return a.address == b.address && a.port == b.port && a.checkers == b.checkers &&
         x.alpha == y.alpha && x.retry == y.retry && x.delay_before_retry == y.delay_before_retry &&
         x.warmup == y.warmup && x.connect_timeout == y.connect_timeout &&
         x.delay_loop == y.delay_loop && x.virtualhost == y.virtualhost;
}

// lb_backend, else IPVS when the kernel has it, else nftables.
lvs::BackendKind backend_kind_for(const config::Config& config) {
  using L = config::GlobalDefs::LbBackend;
  switch (config.global.defs.lb_backend) {
    case L::Ipvs:
      return lvs::BackendKind::Ipvs;
    case L::Nftables:
      return lvs::BackendKind::Nftables;
    case L::Auto:
      break;
  }
  return lvs::default_backend_kind();
}

}  // namespace

struct LoadBalancer::Impl {
  struct CheckSlot {
    status::CheckView view;  // configuration part; the live part is filled in views()
    std::unique_ptr<check::Checker> checker;
    std::unique_ptr<track::FileTracker> file;
    config::FileCheck file_check;
    config::TrackFile track_file;
    check::WeightContribution contribution;
    std::optional<check::Outcome> last_published;
    bool verdict_given = false;  // the pool has had this checker's first verdict (pool.h R3)
    std::string error;           // it cannot run: why (it counts as down)
  };
  struct RealServerSlot {
    status::RealServerView view;
    std::optional<config::Script> notify_up, notify_down;
    bool smtp_alert = true;  // a checker's verdict change is mailed (keepalived's default: on)
    std::vector<std::unique_ptr<CheckSlot>> checks;
  };
  struct VirtualServerSlot {
    config::VirtualServer config;
    std::string name;
    std::unique_ptr<lvs::Pool> pool;
    status::VirtualServerView view;
    std::optional<config::Script> quorum_up, quorum_down;
    bool smtp_alert = false;  // quorum changes (and real servers a reload removes) are mailed
    std::vector<RealServerSlot> real_servers;
    std::optional<lvs::Service> applied;  // what the back end holds
    bool dirty = false;                   // the pool changed since the last sync
    std::string backend_error;
  };

  Impl(boost::asio::io_context& io_in, process::Supervisor& supervisor_in,
       notify::Notifier& notifier_in, status::EventLog& events_in)
      : io(io_in), supervisor(supervisor_in), notifier(notifier_in), events(events_in) {}

  boost::asio::io_context& io;
  process::Supervisor& supervisor;
  notify::Notifier& notifier;
  status::EventLog& events;
  std::unique_ptr<lvs::Backend> backend;
  std::optional<lvs::BackendKind> backend_kind;
  std::string backend_error;       // opening failed: why
  bool no_checker_emails = false;  // mail a verdict only when its real server changed
  bool flush_on_stop = false;      // global_defs lvs_flush_on_stop
  bool flush_everything = false;   // ... without VS: the whole table, not only halo's services
  std::vector<std::unique_ptr<VirtualServerSlot>> servers;

  std::unique_ptr<VirtualServerSlot> build(const config::Config& config,
                                           const config::VirtualServer& vs);
  void start(VirtualServerSlot& slot);
  // Starts the checkers and file trackers of `slot`, except the checkers of the real servers
  // carried over from an old one (already running).
  void start_checks(VirtualServerSlot& slot,
                    const std::vector<std::optional<std::size_t>>& carried = {});
  // A reload changed `old` into `slot` (same name): real servers checked the same way keep
  // their running checkers and pool state (pool.h R10); the others leave (R9) or start.
  void carry_over(VirtualServerSlot& slot, VirtualServerSlot& old);
  // Where checker (r, c) of `slot` reports.
  check::Checker::ReportHandler report_handler(VirtualServerSlot& slot, std::size_t r,
                                               std::size_t c);
  void on_report(VirtualServerSlot& slot, std::size_t r, std::size_t c,
                 const check::CheckerReport& report);
  void on_file_value(VirtualServerSlot& slot, std::size_t r, std::size_t c, std::int64_t value);
  // What a notice is mailed with (smtp_alert): quorum changes and, for a reload, the real
  // servers it removes; nothing at shutdown (keepalived's mails never leave then either).
  enum class Mail : std::uint8_t { Start, Changes, Removal, None };
  void handle(VirtualServerSlot& slot, const std::vector<lvs::PoolNotice>& notices,
              Mail mail = Mail::Changes);
  void mail_verdict(const VirtualServerSlot& slot, std::size_t r, std::size_t c,
                    const check::Outcome& outcome, bool alive_before);
  // The fields every "check" event has (status/event_log.h).
  static boost::json::object check_event(const VirtualServerSlot& slot, std::size_t r,
                                         std::size_t c, bool up, bool changed,
                                         std::string_view reason);
  void sync_backend(VirtualServerSlot& slot);
  // sync_backend() at the end of this turn of the loop: the changes of one turn (a switch that
  // takes 500 real servers down at once) become one transaction per virtual server.
  void sync_soon(VirtualServerSlot& slot);
  bool sync_posted = false;
  std::shared_ptr<Impl*> alive = std::make_shared<Impl*>(this);  // for posted work
  // Takes a virtual server out of the back end, with its notices: at shutdown (omega,
  // pool.h R8) or because a reload removed it (R9). A changed one is not withdrawn:
  // carry_over() hands it to its successor, whose first sync replaces the service in one
  // transaction (no moment without the service).
  void withdraw(VirtualServerSlot& slot, bool shutdown);
  void ensure_backend(const config::Config& config);
};

std::unique_ptr<LoadBalancer::Impl::VirtualServerSlot> LoadBalancer::Impl::build(
    const config::Config& config, const config::VirtualServer& vs) {
  auto slot = std::make_unique<VirtualServerSlot>();
  slot->config = vs;
  slot->name = lvs::virtual_server_text(vs);
  slot->quorum_up = vs.quorum_up;
  slot->quorum_down = vs.quorum_down;
  // smtp_alert (keepalived.conf(5)): a virtual server's is off and a real server's on by
  // default, unless the global smtp_alert_checker, else smtp_alert, says otherwise.
  const auto& defs = config.global.defs;
  const std::optional<bool> checker_mail =
      defs.smtp_alert_checker ? defs.smtp_alert_checker : defs.smtp_alert;
  slot->smtp_alert = vs.smtp_alert.value_or(checker_mail.value_or(false));
  const auto protocol = vs.protocol.value_or(LvsProtocol::Tcp);
  const auto vs_method = vs.lvs_method.value_or(config::ForwardingMethod{});

  lvs::PoolSpec spec;
  spec.service = service_for(config, vs);
  spec.quorum = vs.quorum;
  spec.hysteresis = vs.hysteresis;
  spec.omega = vs.omega;
  spec.rs_init_notifies = config.global.defs.rs_init_notifies;
  if (vs.sorry_server) {
    lvs::Destination d;
    d.address = vs.sorry_server->address;
    d.port = vs.sorry_server->port != 0 ? vs.sorry_server->port : vs.port;
    d.method = vs.sorry_server->lvs_method.value_or(vs_method);
    spec.sorry_server = d;
    spec.sorry_server_inhibit = vs.sorry_server->inhibit;
  }

  status::VirtualServerView& v = slot->view;
  v.name = slot->name;
  // keepalived_check.data writes "protocol = TCP".
  for (const char ch : lvs::protocol_name(protocol)) {
    v.protocol += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  v.scheduler = std::string(lvs::scheduler_name(spec.service.scheduler));
  v.method = std::string(lvs::method_name(vs_method.method));
  v.delay_loop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(vs.delay_loop).count();
  v.quorum = vs.quorum;
  v.hysteresis = vs.hysteresis;
  v.alpha = vs.alpha;
  v.omega = vs.omega;
  v.inhibit_on_failure = vs.inhibit_on_failure;
  v.persistence_timeout = vs.persistence_timeout;
  if (spec.sorry_server) {
    v.sorry_server = lvs::server_text(
        spec.sorry_server->address, lvs::server_protocol(vs, config.lvs), spec.sorry_server->port);
  }
  if (vs.quorum_up) v.quorum_up_script = vs.quorum_up->command;
  if (vs.quorum_down) v.quorum_down_script = vs.quorum_down->command;

  const std::string vsid = vs_id(vs);
  for (const auto& rs : vs.real_servers) {
    const auto& ro = rs.options.get();
    const std::uint16_t port = real_server_port(vs, rs);
    RealServerSlot rslot;
    rslot.notify_up = ro.notify_up;
    rslot.notify_down = ro.notify_down;
    rslot.smtp_alert = ro.smtp_alert.value_or(checker_mail.value_or(true));
    lvs::RealServerSpec rspec;
    rspec.name = lvs::real_server_text(vs, rs, config.lvs);
    rspec.destination.address = rs.address;
    rspec.destination.port = port;
    rspec.destination.weight = rs.weight;
    rspec.destination.method = ro.lvs_method.value_or(vs_method);
    rspec.destination.upper_threshold = ro.uthreshold;
    rspec.destination.lower_threshold = ro.lthreshold;
    rspec.inhibit_on_failure = ro.inhibit_on_failure.value_or(vs.inhibit_on_failure);

    status::RealServerView& rv = rslot.view;
    rv.name = rspec.name;
    rv.address = rs.address.to_string();
    rv.port = port;
    rv.weight = rs.weight;
    rv.inhibit_on_failure = rspec.inhibit_on_failure;
    rv.method = std::string(lvs::method_name(rspec.destination.method.method));
    if (ro.notify_up) rv.notify_up = ro.notify_up->command;
    if (ro.notify_down) rv.notify_down = ro.notify_down->command;

    std::map<std::string, int> seen;  // kind -> how many so far, for unique ids
    for (const auto& checker : rs.checkers) {
      auto cslot = std::make_unique<CheckSlot>();
      std::string kid = kind_id(checker_kind_name(checker));
      if (const int n = ++seen[kid]; n > 1) kid += fmt::format("#{}", n);
      const std::string id = fmt::format("{}/{}/{}", vsid, address_port(rs.address, port), kid);
      auto made = build_check(io, supervisor, config, vs, rs, checker, id);
      bool starts_up = true;
      if (made) {
        cslot->view = std::move(made->view);
        starts_up = !made->schedule.alpha;
        const std::size_t r = slot->real_servers.size();
        const std::size_t c = rslot.checks.size();
        VirtualServerSlot* owner = slot.get();
        if (made->probe) {
          cslot->checker = std::make_unique<check::Checker>(
              io, std::move(made->probe), made->schedule, id, report_handler(*slot, r, c));
        } else if (const auto* fc = std::get_if<config::FileCheck>(&checker.kind)) {
          cslot->file_check = *fc;
          cslot->track_file = *find_track_file(config, fc->track_file);
          cslot->file = std::make_unique<track::FileTracker>(
              io, cslot->track_file,
              [this, owner, r, c](std::int64_t value) { on_file_value(*owner, r, c, value); });
        }
      } else {
        cslot->view.kind = std::string(checker_kind_name(checker));
        cslot->view.id = id;
        cslot->error = made.error().message;
        starts_up = false;
        logger().error("{} cannot run: {}; it counts as failed", id, cslot->error);
      }
      rspec.checker_starts_up.push_back(starts_up);
      rslot.checks.push_back(std::move(cslot));
    }
    spec.real_servers.push_back(std::move(rspec));
    slot->real_servers.push_back(std::move(rslot));
  }
  slot->pool = std::make_unique<lvs::Pool>(std::move(spec));
  return slot;
}

void LoadBalancer::Impl::start(VirtualServerSlot& slot) {
  handle(slot, slot.pool->start(), Mail::Start);
  start_checks(slot);
  sync_backend(slot);
}

void LoadBalancer::Impl::start_checks(VirtualServerSlot& slot,
                                      const std::vector<std::optional<std::size_t>>& carried) {
  for (std::size_t r = 0; r < slot.real_servers.size(); ++r) {
    auto& rslot = slot.real_servers[r];
    const bool running = r < carried.size() && carried[r].has_value();
    for (std::size_t c = 0; c < rslot.checks.size(); ++c) {
      CheckSlot& cslot = *rslot.checks[c];
      if (cslot.checker && !running) cslot.checker->start();
      if (cslot.file) {
        if (auto started = cslot.file->start(); !started) {
          cslot.error = started.error().message;
          logger().error("{}: {}", cslot.view.id, cslot.error);
          handle(slot, slot.pool->set_checker(r, c, false));
        } else {
          on_file_value(slot, r, c, cslot.file->value());
        }
      }
    }
  }
}

check::Checker::ReportHandler LoadBalancer::Impl::report_handler(VirtualServerSlot& slot,
                                                                 std::size_t r, std::size_t c) {
  return [this, owner = &slot, r, c](const check::CheckerReport& report) {
    on_report(*owner, r, c, report);
  };
}

void LoadBalancer::Impl::carry_over(VirtualServerSlot& slot, VirtualServerSlot& old) {
  std::vector<std::optional<std::size_t>> carried(slot.real_servers.size());
  std::vector<bool> kept(old.real_servers.size(), false);
  if (same_inherited(slot.config, old.config)) {
    for (std::size_t r = 0; r < slot.real_servers.size(); ++r) {
      for (std::size_t o = 0; o < old.real_servers.size(); ++o) {
        if (kept[o] || !same_checking(slot.config.real_servers[r], old.config.real_servers[o])) {
          continue;
        }
        carried[r] = o;
        kept[o] = true;
        break;
      }
    }
  }
  // The real servers that leave, or change how they are checked: what a removal says of them
  // (R9); nothing of the quorum, which the new pool evaluates below.
  auto leaving = old.pool->remove();
  std::erase_if(leaving, [&](const lvs::PoolNotice& n) {
    return n.kind != lvs::PoolNotice::Kind::RealServerDown || kept[n.real_server];
  });
  handle(old, leaving, Mail::Removal);

  std::size_t count = 0;
  for (std::size_t r = 0; r < slot.real_servers.size(); ++r) {
    if (!carried[r]) continue;
    ++count;
    auto& to = slot.real_servers[r].checks;
    auto& from = old.real_servers[*carried[r]].checks;
    for (std::size_t c = 0; c < to.size() && c < from.size(); ++c) {
      CheckSlot& t = *to[c];
      CheckSlot& f = *from[c];
      if (t.checker && f.checker) {
        t.checker = std::move(f.checker);
        t.checker->set_report_handler(report_handler(slot, r, c));
      }
      t.contribution = f.contribution;
      t.last_published = f.last_published;
      t.verdict_given = f.verdict_given;
    }
  }
  logger().info("VS {} changed: {} of {} real servers carried over with their checkers", slot.name,
                count, slot.real_servers.size());
  handle(slot, slot.pool->carry_over(*old.pool, carried));
  start_checks(slot, carried);
}

void LoadBalancer::Impl::on_report(VirtualServerSlot& slot, std::size_t r, std::size_t c,
                                   const check::CheckerReport& report) {
  RealServerSlot& rslot = slot.real_servers[r];
  CheckSlot& cslot = *rslot.checks[c];
  const check::Outcome& o = report.outcome;
  cslot.view.last_attempt = status::WallClock::now();
  // L2: a new result is news even when the verdict holds (MISC_CHECK 2 -> 1 both fail).
  const bool news =
      report.changed || !cslot.last_published || cslot.last_published->success != o.success ||
      cslot.last_published->reason != o.reason || cslot.last_published->exit_code != o.exit_code;
  if (news) {
    cslot.last_published = o;
    auto fields = check_event(slot, r, c, report.up, report.changed.has_value(), o.reason);
    if (o.exit_code) fields["exit_code"] = *o.exit_code;
    if (report.retrying) fields["retrying"] = true;
    events.publish("check", fields);
    if (report.changed) {
      logger().info("{} {}: {}", cslot.view.id, report.up ? "succeeded" : "failed", o.reason);
    } else if (!o.success) {
      logger().info("{} {}: {}", cslot.view.id, report.retrying ? "failed, retrying" : "failing",
                    o.reason);
    }
  } else if (!o.success && report.up && cslot.view.log_all_failures) {
    // log_all_failures: a failure while the checker is still up (a retry) is logged even when
    // it repeats the last one; without it only a new reason is.
    logger().info("{} failed, retrying: {}", cslot.view.id, o.reason);
  }
  std::vector<lvs::PoolNotice> notices;
  const std::int64_t before = cslot.contribution.value();
  cslot.contribution.apply(o, rslot.view.weight);
  if (cslot.contribution.value() != before) {
    notices = slot.pool->set_contribution(r, c, cslot.contribution.value());
  }
  // The pool hears the first verdict and every change (an alpha checker's first failure is
  // news to it even though the verdict did not move, pool.h R3).
  const bool alive_before = slot.pool->alive(r);
  if (report.changed || !cslot.verdict_given) {
    cslot.verdict_given = true;
    auto more = slot.pool->set_checker(r, c, report.up);
    notices.insert(notices.end(), more.begin(), more.end());
  }
  if (report.changed) mail_verdict(slot, r, c, o, alive_before);
  handle(slot, notices);
  // Only a notice can change what the back end must hold: with 1,000 real servers in a virtual
  // server, building and comparing the wanted service on every check result would be most
  // of the daemon's work.
  if (!notices.empty()) sync_soon(slot);
}

void LoadBalancer::Impl::on_file_value(VirtualServerSlot& slot, std::size_t r, std::size_t c,
                                       std::int64_t value) {
  CheckSlot& cslot = *slot.real_servers[r].checks[c];
  const auto effect = check::file_check_effect(value, cslot.file_check, cslot.track_file);
  const bool was_up = cslot.view.up;
  cslot.view.up = effect.up;
  cslot.view.has_result = true;
  cslot.view.last_reason = fmt::format("value {}", value);
  cslot.view.weight_contribution = effect.weight_contribution;
  ++cslot.view.attempts;
  if (was_up != effect.up) {
    ++cslot.view.transitions;
    cslot.view.last_change = status::WallClock::now();
  }
  events.publish("check",
                 check_event(slot, r, c, effect.up, was_up != effect.up, cslot.view.last_reason));
  auto notices = slot.pool->set_contribution(r, c, effect.weight_contribution);
  auto more = slot.pool->set_checker(r, c, effect.up);
  notices.insert(notices.end(), more.begin(), more.end());
  handle(slot, notices);
  sync_soon(slot);
}

boost::json::object LoadBalancer::Impl::check_event(const VirtualServerSlot& slot, std::size_t r,
                                                    std::size_t c, bool up, bool changed,
                                                    std::string_view reason) {
  const RealServerSlot& rslot = slot.real_servers[r];
  const CheckSlot& cslot = *rslot.checks[c];
  return {{"id", cslot.view.id},
          {"virtual_server", slot.name},
          {"real_server", rslot.view.name},
          {"kind", cslot.view.kind},
          {"up", up},
          {"changed", changed},
          {"reason", reason}};
}

// A checker's verdict changed (keepalived's check_*.c epilogues): mailed when its real
// server's smtp_alert is on, unless no_checker_emails and the real server stayed as it was.
void LoadBalancer::Impl::mail_verdict(const VirtualServerSlot& slot, std::size_t r, std::size_t c,
                                      const check::Outcome& outcome, bool alive_before) {
  const RealServerSlot& rslot = slot.real_servers[r];
  if (!rslot.smtp_alert || !notifier.can_mail()) return;
  const bool alive_now = slot.pool->alive(r);
  if (no_checker_emails && alive_now == alive_before) return;
  const std::string& kind = rslot.checks[c]->view.kind;
  std::string detail;
  if (kind == "SMTP_CHECK" && !outcome.success) detail = outcome.reason;
  if (kind == "MISC_CHECK" && outcome.timed_out) detail = "timed out";
  notifier.mail(
      notify::real_server_alert(notifier.router_id(), rslot.view.name, slot.name, alive_now,
                                notify::checker_alert_body(kind, outcome.success, detail)));
}

void LoadBalancer::Impl::handle(VirtualServerSlot& slot,
                                const std::vector<lvs::PoolNotice>& notices, Mail mail) {
  using Kind = lvs::PoolNotice::Kind;
  for (const auto& n : notices) {
    const std::string line = lvs::fifo_line(n, slot.pool->spec(), slot.name);
    if (!line.empty()) notifier.notify_lvs(line);
    switch (n.kind) {
      case Kind::RealServerUp:
      case Kind::RealServerDown: {
        const bool up = n.kind == Kind::RealServerUp;
        RealServerSlot& rslot = slot.real_servers[n.real_server];
        logger().info(
            "{} {} {}", up ? "Adding" : "Removing", rslot.view.name,
            up ? fmt::format("to VS {}", slot.name) : fmt::format("from VS {}", slot.name));
        events.publish("real_server", {{"virtual_server", slot.name},
                                       {"real_server", rslot.view.name},
                                       {"up", up},
                                       {"weight", slot.pool->effective_weight(n.real_server)}});
        if (mail == Mail::Removal && !up && rslot.smtp_alert && notifier.can_mail()) {
          notifier.mail(notify::real_server_alert(notifier.router_id(), rslot.view.name, slot.name,
                                                  false, notify::kRealServerRemovedBody));
        }
        const auto& script = up ? rslot.notify_up : rslot.notify_down;
        if (script) {
          notifier.run_lvs_script(
              *script, fmt::format("{} of {}", up ? "notify_up" : "notify_down", rslot.view.name),
              slot.name);
        }
        break;
      }
      case Kind::RealServerWeight:
        events.publish("real_server", {{"virtual_server", slot.name},
                                       {"real_server", slot.real_servers[n.real_server].view.name},
                                       {"up", true},
                                       {"weight", n.weight}});
        break;
      case Kind::QuorumUp:
      case Kind::QuorumDown: {
        const bool up = n.kind == Kind::QuorumUp;
        logger().info("{} quorum {}/{} for VS {}", up ? "Gained" : "Lost", n.weight_sum,
                      n.threshold, slot.name);
        events.publish("quorum", {{"virtual_server", slot.name},
                                  {"up", up},
                                  {"weight_sum", n.weight_sum},
                                  {"threshold", n.threshold}});
        if ((mail == Mail::Changes || mail == Mail::Start) && slot.smtp_alert &&
            notifier.can_mail()) {
          using Event = notify::QuorumEvent;
          const Event event = mail == Mail::Start ? (up ? Event::StartingUp : Event::StartingDown)
                                                  : (up ? Event::Gained : Event::Lost);
          notifier.mail(notify::quorum_alert(notifier.router_id(), slot.name, event,
                                             slot.pool->spec().quorum, slot.pool->spec().hysteresis,
                                             static_cast<long>(n.weight_sum)));
        }
        const auto& script = up ? slot.quorum_up : slot.quorum_down;
        if (script) {
          notifier.run_lvs_script(
              *script, fmt::format("{} of {}", up ? "quorum_up" : "quorum_down", slot.name),
              slot.name);
        }
        break;
      }
      case Kind::SorryServerIn:
      case Kind::SorryServerOut:
        events.publish("sorry_server", {{"virtual_server", slot.name},
                                        {"sorry_server", slot.view.sorry_server},
                                        {"active", n.kind == Kind::SorryServerIn}});
        break;
    }
  }
}

// Not const, though the compiler would allow it: it changes the kernel through `backend`.
void LoadBalancer::Impl::sync_backend(  // NOLINT(readability-make-member-function-const)
    VirtualServerSlot& slot) {
  slot.dirty = false;
  if (!backend) {
    slot.backend_error = backend_error;
    return;
  }
  lvs::Service wanted = slot.pool->desired();
  if (slot.applied && *slot.applied == wanted) return;
  if (auto done = backend->apply(wanted); !done) {
    slot.backend_error = done.error().message;
    logger().error("{}: cannot program VS {}: {}", backend->name(), slot.name, slot.backend_error);
    return;
  }
  slot.backend_error.clear();
  slot.applied = std::move(wanted);
}

void LoadBalancer::Impl::sync_soon(VirtualServerSlot& slot) {
  slot.dirty = true;
  if (sync_posted) return;
  sync_posted = true;
  boost::asio::post(io, [weak = std::weak_ptr<Impl*>(alive)] {
    auto self = weak.lock();
    if (!self) return;
    Impl& impl = **self;
    impl.sync_posted = false;
    for (auto& server : impl.servers) {
      if (server && server->dirty) impl.sync_backend(*server);
    }
  });
}

void LoadBalancer::Impl::withdraw(VirtualServerSlot& slot, bool shutdown) {
  auto notices = shutdown ? slot.pool->stop() : slot.pool->remove();
  if (shutdown && flush_on_stop) {
    // lvs_flush_on_stop: keepalived drops the whole table at once and reports only the
    // virtual server.
    std::erase_if(notices, [](const lvs::PoolNotice& n) {
      return n.kind == lvs::PoolNotice::Kind::RealServerUp ||
             n.kind == lvs::PoolNotice::Kind::RealServerDown;
    });
  }
  handle(slot, notices, shutdown ? Mail::None : Mail::Removal);
  // At shutdown stop() closes the back end, which removes everything halo installed at once
  // (nftables: one transaction deleting its table), instead of one transaction per service.
  if (backend && slot.applied && !shutdown) {
    if (auto done = backend->remove(slot.applied->name); !done) {
      logger().error("{}: cannot remove VS {}: {}", backend->name(), slot.name,
                     done.error().message);
    }
  }
  slot.applied.reset();
}

void LoadBalancer::Impl::ensure_backend(const config::Config& config) {
  const lvs::BackendKind kind = backend_kind_for(config);
  // A back end that could not open (IPVS before `modprobe ip_vs`) is tried again at reload.
  if (backend_kind == kind && backend) return;
  if (backend) {
    for (auto& slot : servers) slot->applied.reset();
    (void)backend->close();
    backend.reset();
  }
  backend_kind = kind;
  auto made = lvs::make_backend(kind, config.global.defs.lvs_flush);
  if (auto opened = made->open(); !opened) {
    backend_error = opened.error().message;
    logger().error("load balancer: {}; virtual servers are checked but not programmed",
                   backend_error);
    return;
  }
  backend_error.clear();
  backend = std::move(made);
  logger().info("load balancer: {} back end", backend->name());
}

LoadBalancer::LoadBalancer(boost::asio::io_context& io, process::Supervisor& supervisor,
                           notify::Notifier& notifier, status::EventLog& events)
    : impl_(std::make_unique<Impl>(io, supervisor, notifier, events)) {}

LoadBalancer::~LoadBalancer() = default;

void LoadBalancer::apply(const config::Config& config) {
  Impl& impl = *impl_;
  impl.flush_on_stop = config.global.defs.lvs_flush_on_stop.has_value();
  impl.flush_everything = impl.flush_on_stop && !*config.global.defs.lvs_flush_on_stop;
  impl.no_checker_emails = config.global.defs.no_checker_emails;
  if (!config.lvs.virtual_servers.empty() || impl.backend_kind) impl.ensure_backend(config);
  std::vector<std::unique_ptr<Impl::VirtualServerSlot>> next;
  std::vector<Impl::VirtualServerSlot*> fresh;
  std::map<Impl::VirtualServerSlot*, Impl::VirtualServerSlot*> changed;  // old -> its successor
  for (const auto& vs : config.lvs.virtual_servers) {
    auto kept = std::find_if(impl.servers.begin(), impl.servers.end(),
                             [&](const auto& slot) { return slot && slot->config == vs; });
    if (kept != impl.servers.end()) {
      next.push_back(std::move(*kept));
      continue;
    }
    next.push_back(impl.build(config, vs));
    const std::string& name = next.back()->name;
    auto predecessor = std::find_if(impl.servers.begin(), impl.servers.end(), [&](const auto& s) {
      return s && s->name == name && !changed.contains(s.get());
    });
    if (predecessor != impl.servers.end()) {
      changed[predecessor->get()] = next.back().get();
    } else {
      fresh.push_back(next.back().get());
    }
  }
  for (auto& old : impl.servers) {
    if (!old) continue;
    if (auto successor = changed.find(old.get()); successor != changed.end()) {
      impl.carry_over(*successor->second, *old);
      continue;
    }
    impl.withdraw(*old, false);
  }
  impl.servers = std::move(next);
  for (auto* slot : fresh) impl.start(*slot);
  for (auto& slot : impl.servers) impl.sync_backend(*slot);  // a back end opened just now
}

void LoadBalancer::stop() {
  Impl& impl = *impl_;
  for (auto& slot : impl.servers) {
    for (auto& rs : slot->real_servers) {
      for (auto& c : rs.checks) {
        c->checker.reset();
        c->file.reset();
      }
    }
    impl.withdraw(*slot, true);
  }
  impl.servers.clear();
  if (impl.backend) {
    if (auto closed = impl.flush_everything ? impl.backend->flush() : impl.backend->close();
        !closed) {
      logger().error("{}: cannot close: {}", impl.backend->name(), closed.error().message);
    }
    impl.backend.reset();
  }
}

std::vector<status::VirtualServerView> LoadBalancer::views() const {
  std::vector<status::VirtualServerView> out;
  for (const auto& slot : impl_->servers) {
    status::VirtualServerView v = slot->view;
    const lvs::Pool& pool = *slot->pool;
    v.quorum_up = pool.quorum_up();
    v.alive_weight_sum = pool.alive_weight_sum();
    v.sorry_server_active = pool.sorry_server_active();
    v.backend_error = slot->backend_error;
    std::set<std::pair<IpAddress, std::uint16_t>> held;  // what the back end must hold
    for (const auto& d : pool.desired().destinations) held.emplace(d.address, d.port);
    for (std::size_t r = 0; r < slot->real_servers.size(); ++r) {
      const auto& rslot = slot->real_servers[r];
      status::RealServerView rv = rslot.view;
      rv.alive = pool.alive(r);
      rv.effective_weight = pool.effective_weight(r);
      const auto& destination = slot->pool->spec().real_servers[r].destination;
      rv.in_pool = held.contains({destination.address, destination.port});
      for (const auto& cslot : rslot.checks) {
        status::CheckView cv = cslot->view;
        if (const auto* checker = cslot->checker.get()) {
          cv.enabled = checker->enabled();
          cv.up = checker->up();
          const auto& last = checker->last_outcome();
          cv.has_result = last.has_value();
          if (last) {
            cv.last_reason = last->reason;
            cv.last_exit_code = last->exit_code;
          }
          cv.weight_contribution = cslot->contribution.value();
          const auto& stats = checker->stats();
          cv.attempts = stats.attempts;
          cv.failures = stats.failures;
          cv.timeouts = stats.timeouts;
          cv.transitions = stats.transitions;
          cv.last_change = checker->last_change();
        } else if (!cslot->error.empty()) {
          cv.up = false;
          cv.has_result = true;
          cv.last_reason = cslot->error;
        }
        rv.checks.push_back(std::move(cv));
      }
      v.real_servers.push_back(std::move(rv));
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::string LoadBalancer::backend_name() const {
  if (impl_->backend) return std::string(impl_->backend->name());
  if (!impl_->backend_error.empty()) return "none (" + impl_->backend_error + ")";
  return "none";
}

Result<void> LoadBalancer::set_check_enabled(std::string_view id, bool enabled) {
  Impl& impl = *impl_;
  for (auto& slot : impl.servers) {
    for (std::size_t r = 0; r < slot->real_servers.size(); ++r) {
      auto& rslot = slot->real_servers[r];
      for (std::size_t c = 0; c < rslot.checks.size(); ++c) {
        Impl::CheckSlot& cslot = *rslot.checks[c];
        if (cslot.view.id != id) continue;
        if (!cslot.checker) {
          return fail(
              fmt::format("check '{}' cannot be {}: {}", id, enabled ? "enabled" : "disabled",
                          cslot.error.empty() ? "it is driven by its track_file" : cslot.error));
        }
        cslot.checker->set_enabled(enabled);
        impl.events.publish("check", impl.check_event(*slot, r, c, cslot.checker->up(), false,
                                                      enabled ? "enabled" : "disabled"));
        impl.handle(*slot, slot->pool->set_checker(r, c, cslot.checker->up()));
        impl.sync_soon(*slot);
        return {};
      }
    }
  }
  return fail(fmt::format("no check '{}' (see 'show checks')", id));
}

std::vector<BackendRefusal> backend_refusals(const config::Config& config) {
  std::vector<BackendRefusal> out;
  for (const auto& vs : config.lvs.virtual_servers) {
    for (const auto& rs : vs.real_servers) {
      for (const auto& c : rs.checkers) {
        if (std::holds_alternative<config::BfdCheck>(c.kind)) {
          out.push_back({c.loc(),
                         "BFD_CHECK is not supported: halo has no BFD yet (remove the "
                         "checker, or use another kind)"});
        }
      }
    }
  }
  if (config.lvs.virtual_servers.empty()) return out;
  const lvs::BackendKind kind = backend_kind_for(config);
  const auto backend = lvs::make_backend(kind);
  for (const auto& vs : config.lvs.virtual_servers) {
    if (auto why = backend->refuse(vs)) {
      out.push_back({vs.loc, fmt::format("the {} back end cannot program this virtual server: {}",
                                         backend->name(), *why)});
    }
  }
  return out;
}

}  // namespace halo::daemon
