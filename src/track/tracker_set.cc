#include "track/tracker_set.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <boost/asio/post.hpp>

#include "common/errno_text.h"
#include "common/log.h"
#include "config/lexer.h"
#include "process/credentials.h"

namespace halo::track {
namespace {

spdlog::logger& logger() {
  return log::get("track");
}

// Reload compares what a tracker does, not where it was written.
template <class T>
bool same_tracker(T a, T b) {
  a.loc = {};
  b.loc = {};
  return a == b;
}

struct Used {
  std::set<std::string> scripts;
  std::set<std::string> processes;
  std::set<std::string> files;
};

void collect(const config::Tracking& track, Used& used) {
  for (const auto& r : track.scripts) used.scripts.insert(r.name);
  for (const auto& r : track.processes) used.processes.insert(r.name);
  for (const auto& r : track.files) used.files.insert(r.name);
}

Used used_trackers(const config::Config& config) {
  Used used;
  for (const auto& v : config.vrrp.instances) collect(v.track, used);
  for (const auto& g : config.vrrp.sync_groups) collect(g.track, used);
  return used;
}

// Who a vrrp_script runs as; an error says why it cannot run (its user does not exist, or
// enable_script_security refuses it).
Result<process::Credentials> script_identity(const config::VrrpScript& s,
                                             const config::GlobalDefs& g) {
  const auto argv = config::split_command(s.script.command);
  return process::script_identity(argv.empty() ? std::string() : argv[0],
                                  {s.script.user, s.script.group, g.script_user, g.script_group},
                                  g.enable_script_security);
}

}  // namespace

TrackerSet::TrackerSet(boost::asio::io_context& io, process::Supervisor& supervisor,
                       Result<UniqueFd> connector, bool open_on_demand, ChangeHandler changed)
    : io_(io),
      supervisor_(supervisor),
      open_on_demand_(open_on_demand),
      changed_(std::move(changed)),
      alive_(std::make_shared<bool>(true)) {
  if (connector) {
    connector_ = std::move(*connector);
  } else {
    connector_error_ = connector.error().message;
  }
}

TrackerSet::~TrackerSet() {
  *alive_ = false;
}

void TrackerSet::apply(const config::Config& config) {
  const auto used = used_trackers(config);
  apply_processes(config, used.processes);
  apply_scripts(config, used.scripts);
  apply_files(config, used.files);
  applied_ = true;
  // `disable tracker` lasts while the tracker runs: one the reload stopped starts enabled if
  // it comes back.
  std::erase_if(disabled_, [this](const auto& key) { return !raw_status(key.first, key.second); });
}

void TrackerSet::apply_processes(const config::Config& config, const std::set<std::string>& used) {
  std::vector<config::TrackProcess> wanted;
  for (const auto& p : config.vrrp.track_processes) {
    if (used.contains(p.name)) wanted.push_back(p);
  }
  if (processes_) {
    const auto& running = processes_->trackers();
    const bool same = running.size() == wanted.size() &&
                      std::equal(running.begin(), running.end(), wanted.begin(),
                                 [](const auto& a, const auto& b) { return same_tracker(a, b); });
    if (same) return;
  }
  // Statuses before the rebuild: a tracker whose status the fresh scan changes is reported.
  std::map<std::string, bool> before;
  for (const auto& [name, index] : process_index_) before[name] = processes_->up(index);
  processes_.reset();
  process_index_.clear();
  if (wanted.empty()) return;
  if (!connector_.valid() && open_on_demand_) {
    if (auto opened = open_process_connector()) {
      connector_ = std::move(*opened);
      connector_error_.clear();
    } else {
      connector_error_ = opened.error().message;
    }
  }
  if (!connector_.valid()) {
    logger().error(
        "vrrp_track_process cannot run: {}",
        connector_error_.empty() ? "the process-events connector is not open" : connector_error_);
    return;
  }
  UniqueFd fd(fcntl(connector_.get(), F_DUPFD_CLOEXEC, 0));
  if (!fd.valid()) {
    connector_error_ = "cannot duplicate the connector socket: " + errno_text(errno);
    logger().error("vrrp_track_process cannot run: {}", connector_error_);
    return;
  }
  for (std::size_t i = 0; i < wanted.size(); ++i) process_index_[wanted[i].name] = i;
  processes_ = std::make_unique<ProcessTracker>(
      io_, wanted,
      [this, alive = std::weak_ptr<bool>(alive_)](std::size_t index,
                                                  bool /*up: the tracker logs it*/) {
        auto token = alive.lock();
        if (!token || !*token || !processes_) return;
        report(TrackerKind::Process, processes_->trackers()[index].name);
      });
  processes_->start(std::make_unique<ProcessEventSocket>(io_, std::move(fd)));
  for (const auto& [name, index] : process_index_) {
    const bool up = processes_->up(index);
    if (auto it = before.find(name); it != before.end() && it->second != up) {
      // Reported after apply() returns: the engine applies the new instances first.
      boost::asio::post(io_, [this, tracker = name, alive = std::weak_ptr<bool>(alive_)] {
        auto token = alive.lock();
        if (token && *token) report(TrackerKind::Process, tracker);
      });
    }
  }
}

void TrackerSet::apply_scripts(const config::Config& config, const std::set<std::string>& used) {
  std::map<std::string, std::unique_ptr<ScriptTracker>> next;
  script_errors_.clear();
  std::map<std::string, process::Credentials> next_credentials;
  for (const auto& s : config.vrrp.scripts) {
    if (!used.contains(s.name)) continue;
    // The identity is resolved again on every reload: a new script_user, or a script that
    // enable_script_security now refuses, restarts or stops a script whose block is unchanged.
    auto identity = script_identity(s, config.global.defs);
    if (!identity) {
      script_errors_[s.name] = identity.error().message;
      logger().error("vrrp_script {} cannot run: {}", s.name, identity.error().message);
      continue;
    }
    next_credentials[s.name] = *identity;
    if (auto it = scripts_.find(s.name); it != scripts_.end() &&
                                         same_tracker(it->second->config(), s) &&
                                         script_credentials_[s.name] == *identity) {
      next.emplace(s.name, std::move(it->second));
      continue;
    }
    auto tracker =
        std::make_unique<ScriptTracker>(io_, supervisor_, s, *identity,
                                        [this, name = s.name, alive = std::weak_ptr<bool>(alive_)](
                                            bool /*up: the tracker logs it*/) {
                                          auto token = alive.lock();
                                          if (!token || !*token) return;
                                          report(TrackerKind::Script, name);
                                        });
    tracker->start();
    next.emplace(s.name, std::move(tracker));
  }
  scripts_ = std::move(next);  // the ones left behind stop here
  script_credentials_ = std::move(next_credentials);
}

void TrackerSet::apply_files(const config::Config& config, const std::set<std::string>& used) {
  std::map<std::string, std::unique_ptr<FileTracker>> next;
  file_errors_.clear();
  for (const auto& f : config.vrrp.track_files) {
    if (!used.contains(f.name)) continue;
    if (auto it = files_.find(f.name);
        it != files_.end() && same_tracker(it->second->config(), f)) {
      next.emplace(f.name, std::move(it->second));
      continue;
    }
    auto tracker = std::make_unique<FileTracker>(
        io_, f, [this, name = f.name, alive = std::weak_ptr<bool>(alive_)](std::int64_t value) {
          auto token = alive.lock();
          if (!token || !*token) return;
          logger().info("track_file {} reads {}", name, value);
          report(TrackerKind::File, name);
        });
    // On reload keepalived leaves an existing file alone even with `init_file overwrite`.
    if (auto started = tracker->start(/*reload=*/applied_); !started) {
      file_errors_[f.name] = started.error().message;
      logger().error("{}", started.error().message);
      continue;
    }
    next.emplace(f.name, std::move(tracker));
  }
  files_ = std::move(next);
}

void TrackerSet::stop() {
  processes_.reset();
  process_index_.clear();
  scripts_.clear();
  script_credentials_.clear();
  files_.clear();
}

std::optional<TrackerStatus> TrackerSet::status(TrackerKind kind, const std::string& name) const {
  auto status = raw_status(kind, name);
  // A disabled tracker reports the neutral status: it adjusts nothing and faults nothing.
  if (status && disabled_.count({kind, name}) != 0) return TrackerStatus{};
  return status;
}

std::optional<TrackerStatus> TrackerSet::raw_status(TrackerKind kind,
                                                    const std::string& name) const {
  switch (kind) {
    case TrackerKind::Process:
      if (auto it = process_index_.find(name); it != process_index_.end() && processes_) {
        return TrackerStatus{processes_->up(it->second), 0};
      }
      return std::nullopt;
    case TrackerKind::Script:
      if (auto it = scripts_.find(name); it != scripts_.end()) {
        return TrackerStatus{it->second->up(), 0, it->second->initialising()};
      }
      return std::nullopt;
    case TrackerKind::File:
      if (auto it = files_.find(name); it != files_.end()) {
        const auto value = it->second->value();
        return TrackerStatus{value == 0, value};
      }
      return std::nullopt;
    case TrackerKind::Interface:
    case TrackerKind::Bfd:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> TrackerSet::unavailable(TrackerKind kind,
                                                   const std::string& name) const {
  if (raw_status(kind, name)) return std::nullopt;
  switch (kind) {
    case TrackerKind::Process:
      return connector_error_.empty()
                 ? std::string("the process-events connector is not open")
                 : "the process-events connector is not available: " + connector_error_;
    case TrackerKind::Script:
      if (auto it = script_errors_.find(name); it != script_errors_.end()) return it->second;
      break;
    case TrackerKind::File:
      if (auto it = file_errors_.find(name); it != file_errors_.end()) return it->second;
      break;
    case TrackerKind::Interface:
      return std::nullopt;
    case TrackerKind::Bfd:
      return std::string("BFD is not implemented");
  }
  return fmt::format("{} {} is not running", to_string(kind), name);
}

// Field names as in keepalived 2.2.7's keepalived.data, plus halo's run counters.
void TrackerSet::dump(std::ostream& out) const {
  if (!scripts_.empty()) {
    out << "------< VRRP Scripts >------\n";
    for (const auto& [name, s] : scripts_) {
      const auto& c = s->config();
      const auto& stats = s->stats();
      const auto seconds = [](config::Duration d) {
        return std::chrono::duration_cast<std::chrono::seconds>(d).count();
      };
      out << " VRRP Script = " << name << "\n";
      out << "   Command = " << c.script.command << "\n";
      out << "   Interval = " << seconds(c.interval) << " sec\n";
      out << "   Timeout = " << seconds(c.timeout.value_or(c.interval)) << " sec\n";
      out << "   Weight = " << c.weight << (c.weight_reverse ? " reverse" : "") << "\n";
      out << "   Rise = " << c.rise << "\n";
      out << "   Fall = " << c.fall << "\n";
      out << "   Status = " << (s->up() ? "GOOD" : "BAD") << "\n";
      out << "   Runs = " << stats.runs << "\n";
      out << "   Failures = " << stats.failures << "\n";
      out << "   Timeouts = " << stats.timeouts << "\n";
      out << "   Last exit status = " << stats.last_exit << "\n";
    }
  }
  if (!files_.empty()) {
    out << "------< VRRP Track files >------\n";
    for (const auto& [name, f] : files_) {
      out << " Track file = " << name << "\n";
      out << "   File = " << f->config().file << "\n";
      out << "   Status = " << f->value() << "\n";
      out << "   Weight = " << f->config().weight << (f->config().weight_reverse ? " reverse" : "")
          << "\n";
    }
  }
  if (processes_) {
    out << "------< VRRP Track processes >------\n";
    const auto& trackers = processes_->trackers();
    for (std::size_t i = 0; i < trackers.size(); ++i) {
      const auto& p = trackers[i];
      std::string process;
      for (const auto& word : p.process) process += (process.empty() ? "" : " ") + word;
      const auto delay = [](const std::optional<config::Duration>& d) {
        return fmt::format("{:.6f}s", d ? std::chrono::duration<double>(*d).count() : 0.0);
      };
      out << " VRRP Track process = " << p.name << "\n";
      out << "   Process = " << process << "\n";
      out << "   Min processes = " << p.quorum << "\n";
      if (p.quorum_max) out << "   Max processes = " << *p.quorum_max << "\n";
      out << "   Current processes = " << processes_->count(i) << "\n";
      out << "   Have quorum = " << (processes_->up(i) ? "true" : "false") << "\n";
      out << "   Weight = " << p.weight << (p.weight_reverse ? " reverse" : "") << "\n";
      out << "   Terminate delay = " << delay(p.terminate_delay) << "\n";
      out << "   Fork delay = " << delay(p.fork_delay) << "\n";
      out << "   Full command = " << (p.full_command ? "true" : "false") << "\n";
    }
  }
}

void TrackerSet::report(TrackerKind kind, const std::string& name) {
  auto& h = history_[{kind, name}];
  ++h.transitions;
  h.last_change = status::WallClock::now();
  changed_(kind, name);
}

Result<void> TrackerSet::set_enabled(TrackerKind kind, const std::string& name, bool enabled) {
  if (!raw_status(kind, name)) {
    return fail(fmt::format("{} {} is not running", to_string(kind), name));
  }
  const std::pair key{kind, name};
  const bool was = disabled_.count(key) == 0;
  if (was == enabled) return {};
  if (enabled) {
    disabled_.erase(key);
  } else {
    disabled_.insert(key);
  }
  changed_(kind, name);
  return {};
}

std::vector<status::TrackerView> TrackerSet::views() const {
  std::vector<status::TrackerView> out;
  auto add = [&](TrackerKind kind, const std::string& name) {
    status::TrackerView v;
    v.kind = std::string(to_string(kind));
    v.name = name;
    const auto raw = raw_status(kind, name);
    v.running = raw.has_value();
    if (!raw) v.unavailable_reason = unavailable(kind, name).value_or("");
    v.enabled = disabled_.count({kind, name}) == 0;
    if (raw) {
      v.up = raw->up;
      v.pending = raw->pending;
      v.value = raw->value;
    } else {
      v.up = false;
    }
    if (auto it = history_.find({kind, name}); it != history_.end()) {
      v.transitions = it->second.transitions;
      v.last_change = it->second.last_change;
    }
    out.push_back(std::move(v));
  };
  if (processes_) {
    for (const auto& [name, index] : process_index_) add(TrackerKind::Process, name);
  }
  for (const auto& [name, tracker] : scripts_) add(TrackerKind::Script, name);
  for (const auto& [name, why] : script_errors_) add(TrackerKind::Script, name);
  for (const auto& [name, tracker] : files_) add(TrackerKind::File, name);
  for (const auto& [name, why] : file_errors_) add(TrackerKind::File, name);
  return out;
}

}  // namespace halo::track
