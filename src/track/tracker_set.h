// Every tracker the running configuration uses: one ProcessTracker for the vrrp_track_process
// blocks, one ScriptTracker per vrrp_script and one FileTracker per track_file, each only if
// some vrrp_instance or vrrp_sync_group refers to it (keepalived runs nothing unwatched).
//
// apply() is called at start and on reload: a tracker whose configuration is unchanged keeps
// running with its status; one that changed restarts; one no longer used stops. The process
// connector was opened by main() in the initial network namespace; without it, the process
// trackers are unavailable and say why, and the instances that use them do not start.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "config/model.h"
#include "process/supervisor.h"
#include "status/snapshot.h"
#include "track/file_tracker.h"
#include "track/process_tracker.h"
#include "track/script_tracker.h"
#include "track/status.h"

namespace halo::track {

class TrackerSet {
 public:
  // Runs after a tracker's status changed (never from within apply()).
  using ChangeHandler = std::function<void(TrackerKind kind, const std::string& name)>;

  // `connector`: the result of open_process_connector() in main (an error when it could not
  // be opened or was not opened). `open_on_demand`: the daemon runs in the initial network
  // namespace, so a connector that is not open yet can be opened when first needed.
  TrackerSet(boost::asio::io_context& io, process::Supervisor& supervisor,
             Result<UniqueFd> connector, bool open_on_demand, ChangeHandler changed);
  ~TrackerSet();
  TrackerSet(const TrackerSet&) = delete;
  TrackerSet& operator=(const TrackerSet&) = delete;

  void apply(const config::Config& config);
  void stop();

  // The tracker's status; empty when it does not run (unknown, or unavailable()).
  std::optional<TrackerStatus> status(TrackerKind kind, const std::string& name) const;
  // Why a tracker that the configuration uses cannot run; empty when it runs.
  std::optional<std::string> unavailable(TrackerKind kind, const std::string& name) const;

  // `disable tracker`: a disabled tracker keeps running but reports the neutral status (up,
  // value 0) to the instances, until enabled again or a reload removes it. The instances that
  // use it recompute their priority at once.
  Result<void> set_enabled(TrackerKind kind, const std::string& name, bool enabled);
  // Every tracker the configuration uses, running or not, with its status as measured
  // (disabled ones too) and how often it changed.
  std::vector<status::TrackerView> views() const;

  // keepalived.data's "VRRP Scripts", "VRRP Track processes" and "VRRP Track files" parts.
  void dump(std::ostream& out) const;

 private:
  std::optional<TrackerStatus> raw_status(TrackerKind kind, const std::string& name) const;
  // A tracker's status changed: count it and tell the owner.
  void report(TrackerKind kind, const std::string& name);
  void apply_processes(const config::Config& config, const std::set<std::string>& used);
  void apply_scripts(const config::Config& config, const std::set<std::string>& used);
  void apply_files(const config::Config& config, const std::set<std::string>& used);

  boost::asio::io_context& io_;
  process::Supervisor& supervisor_;
  UniqueFd connector_;
  std::string connector_error_;
  bool open_on_demand_ = false;
  bool applied_ = false;  // apply() ran before: this is a reload
  ChangeHandler changed_;
  // A handler queued by a tracker that apply() has since replaced must not run.
  std::shared_ptr<bool> alive_;

  std::unique_ptr<ProcessTracker> processes_;
  std::map<std::string, std::size_t> process_index_;  // name -> index in processes_
  std::map<std::string, std::unique_ptr<ScriptTracker>> scripts_;
  std::map<std::string, std::string> script_errors_;                // name -> why it cannot run
  std::map<std::string, process::Credentials> script_credentials_;  // what each runs as
  std::map<std::string, std::unique_ptr<FileTracker>> files_;
  std::map<std::string, std::string> file_errors_;
  std::set<std::pair<TrackerKind, std::string>> disabled_;
  struct History {
    std::uint64_t transitions = 0;
    status::WallClock::time_point last_change{};
  };
  std::map<std::pair<TrackerKind, std::string>, History> history_;
};

}  // namespace halo::track
