// Every vrrp_track_process, counted from one /proc scan and then from process events (L1).
//
// The tracker keeps a table of the processes that at least one tracker counts: pid -> the
// trackers that count it. Each event moves entries in and out of that table, and a tracker's
// count is the number of entries that name it, so applying the same news twice (a process
// seen by the scan and then by its queued exec event) never counts anything twice:
//
//   Fork (a new process, pid == tgid): the child runs its parent's program until it execs, so
//     it is counted by the trackers that count the parent, and by none when the parent is not
//     in the table. No /proc read: most forks on a host are of processes nobody tracks.
//   Exec, and Comm of a thread-group leader: the identity is read again from /proc/PID/comm
//     and, when a tracker matches on the command line, /proc/PID/cmdline; the entry becomes
//     what the trackers match now. (The scan reads /proc/PID/stat instead, for the state:
//     a zombie it finds has no exit event to come.)
//   Exit of a thread-group leader: the entry goes. Threads (pid != tgid) change nothing.
//
// A process may be gone by the time its files are read: its exit event is on the way, so it
// is simply not counted, counted in stats().vanished, and logged at debug. That is the normal
// life of a short process on a busy host, not an error (L1). The socket is subscribed before
// the scan starts (open_process_connector() runs before start()), so nothing that happens
// during the scan is missed; events about what the scan already saw are applied again
// harmlessly.
//
// Counts go to one ProcessQuorum per tracker, whose deadlines run on one steady_timer per
// tracker. After the connector lost events (a full receive buffer) the table is rebuilt from a
// fresh scan and the new counts go through the same quorum logic, delays included.
//
// Lifetime: timer completions hold a weak reference to a token the tracker owns, and stop when
// it has expired; a change handler may destroy the tracker (a reload), so the code that calls
// it checks the token before it touches anything else.
#include "track/process_tracker.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "common/errno_text.h"
#include "common/log.h"
#include "track/process_match.h"

namespace halo::track {
namespace {

using Members = std::vector<std::uint32_t>;  // tracker indices, ascending

spdlog::logger& logger() {
  return log::get("track");
}

ProcessQuorum::Settings quorum_settings(const config::TrackProcess& t) {
  ProcessQuorum::Settings s;
  s.quorum = t.quorum;
  if (t.quorum_max) s.quorum_max = *t.quorum_max;
  if (t.fork_delay) s.fork_delay = std::chrono::duration_cast<Clock::duration>(*t.fork_delay);
  if (t.terminate_delay) {
    s.terminate_delay = std::chrono::duration_cast<Clock::duration>(*t.terminate_delay);
  }
  return s;
}

// Reads at most `limit` bytes of a file into `*out`; 0 or the errno.
int read_small_file(const std::string& path, std::size_t limit, std::string* out) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  out->resize(limit);
  std::size_t got = 0;
  int error = 0;
  while (got < limit) {
    const ssize_t n = read(fd, out->data() + got, limit - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
    // /proc's small files come whole in one read; a short one is the end (saves a read per
    // file, for every exec on the host).
    if (static_cast<std::size_t>(n) < limit - (got - static_cast<std::size_t>(n))) break;
  }
  close(fd);
  out->resize(got);
  return error;
}

bool is_gone(int error) {
  return error == ENOENT || error == ESRCH;
}

// argv from /proc/PID/cmdline: NUL-terminated words (a last word without its NUL is kept: the
// read was cut short or the process rewrote its arguments).
std::vector<std::string> split_cmdline(std::string_view bytes) {
  std::vector<std::string> words;
  while (!bytes.empty()) {
    const auto nul = bytes.find('\0');
    words.emplace_back(bytes.substr(0, nul));
    if (nul == std::string_view::npos) break;
    bytes.remove_prefix(nul + 1);
  }
  return words;
}

}  // namespace

struct ProcessTracker::Impl {
  Impl(boost::asio::io_context& io_context, std::vector<config::TrackProcess> trackers_in,
       ChangeHandler handler, std::string root)
      : io(io_context),
        trackers(std::move(trackers_in)),
        changed(std::move(handler)),
        proc_root(std::move(root)),
        counts(trackers.size(), 0) {
    quorums.reserve(trackers.size());
    timers.reserve(trackers.size());
    for (const auto& t : trackers) {
      quorums.emplace_back(quorum_settings(t));
      timers.emplace_back(io);
      if (needs_cmdline(t)) {
        // Enough to see that a command line is longer than any configured one (see
        // read_identity).
        std::size_t length = 1;
        for (const auto& word : t.process) length += word.size() + 1;
        cmdline_limit = std::max(cmdline_limit, length);
      }
    }
  }

  enum class Read { Ok, Gone, Failed };

  // `scanning`: from the /proc scan (reads stat, to leave zombies out) rather than an event.
  Read read_identity(pid_t pid, bool scanning, ProcessIdentity* identity);
  Members match(pid_t pid, bool scanning);
  // Makes `members` the trackers that count `pid`; marks the trackers whose count moved.
  void set_members(pid_t pid, Members members);
  void scan(std::unordered_map<pid_t, Members>* table);
  // Feeds every touched tracker's count to its quorum; false when a handler destroyed us.
  bool settle();
  // Performs a quorum update; false when the change handler destroyed the tracker.
  bool apply(std::size_t index, const ProcessQuorum::Update& update);
  void arm(std::size_t index, TimePoint deadline);
  // Rebuilds the table from a fresh scan; the count changes go through the quorums.
  void rescan();

  boost::asio::io_context& io;
  std::vector<config::TrackProcess> trackers;
  ChangeHandler changed;
  std::string proc_root;
  std::vector<ProcessQuorum> quorums;
  std::vector<boost::asio::steady_timer> timers;
  std::vector<std::uint32_t> counts;
  std::vector<bool> touched = std::vector<bool>(trackers.size(), false);
  std::size_t cmdline_limit = 0;  // 0: no tracker reads command lines
  std::unordered_map<pid_t, Members> table;
  std::unique_ptr<ProcessEventSocket> events;
  Stats stats;
  // shared_ptr: the only owner; completions and handler callers hold weak_ptrs.
  std::shared_ptr<char> alive = std::make_shared<char>();
  std::string buffer;  // reused for every read
};

ProcessTracker::Impl::Read ProcessTracker::Impl::read_identity(pid_t pid, bool scanning,
                                                               ProcessIdentity* identity) {
  const std::string dir = proc_root + "/" + std::to_string(pid);
  if (scanning) {
    // /proc/PID/stat: "PID (COMM) STATE ...". COMM may hold spaces and parentheses, so it
    // ends at the last ')'. The scan needs the state: a zombie found there exited before the
    // socket listened, so no exit event will come for it; it is not counted (like keepalived).
    int error = read_small_file(dir + "/stat", 512, &buffer);
    if (error != 0) {
      if (is_gone(error)) return Read::Gone;
      logger().warn("cannot read {}/stat: {}", dir, errno_text(error));
      return Read::Failed;
    }
    if (buffer.empty()) return Read::Gone;  // the task went while the file was produced
    const auto open = buffer.find('(');
    const auto close = buffer.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open ||
        close + 2 >= buffer.size()) {
      logger().warn("cannot parse {}/stat", dir);
      return Read::Failed;
    }
    const char state = buffer[close + 2];
    if (state == 'Z' || state == 'X' || state == 'x') return Read::Gone;
    identity->comm.assign(buffer, open + 1, close - open - 1);
  } else {
    // After an event, /proc/PID/comm (cheaper for the kernel to produce than stat). A process
    // that has become a zombie since is counted until its exit event, which is already queued.
    int error = read_small_file(dir + "/comm", 64, &buffer);
    if (error != 0) {
      if (is_gone(error)) return Read::Gone;
      logger().warn("cannot read {}/comm: {}", dir, errno_text(error));
      return Read::Failed;
    }
    if (buffer.empty()) return Read::Gone;
    if (buffer.back() == '\n') buffer.pop_back();
    identity->comm = buffer;
  }
  identity->cmdline.clear();
  if (cmdline_limit == 0) return Read::Ok;
  const int error = read_small_file(dir + "/cmdline", cmdline_limit, &buffer);
  if (error != 0) {
    if (is_gone(error)) return Read::Gone;
    logger().warn("cannot read {}/cmdline: {}", dir, errno_text(error));
    return Read::Failed;
  }
  identity->cmdline = split_cmdline(buffer);
  return Read::Ok;
}

Members ProcessTracker::Impl::match(pid_t pid, bool scanning) {
  Members members;
  ProcessIdentity identity;
  switch (read_identity(pid, scanning, &identity)) {
    case Read::Gone:
      ++stats.vanished;
      logger().debug("process {} ended before its /proc entries were read", pid);
      return members;
    case Read::Failed:
      return members;
    case Read::Ok:
      break;
  }
  for (std::size_t i = 0; i < trackers.size(); ++i) {
    if (process_matches(trackers[i], identity)) members.push_back(static_cast<std::uint32_t>(i));
  }
  return members;
}

void ProcessTracker::Impl::set_members(pid_t pid, Members members) {
  const auto it = table.find(pid);
  static const Members kNone;
  const Members& before = it == table.end() ? kNone : it->second;
  if (before == members) return;
  for (const auto i : before) {
    if (!std::binary_search(members.begin(), members.end(), i)) {
      --counts[i];
      touched[i] = true;
    }
  }
  for (const auto i : members) {
    if (!std::binary_search(before.begin(), before.end(), i)) {
      ++counts[i];
      touched[i] = true;
    }
  }
  if (members.empty()) {
    table.erase(it);
  } else if (it == table.end()) {
    table.emplace(pid, std::move(members));
  } else {
    it->second = std::move(members);
  }
}

void ProcessTracker::Impl::scan(std::unordered_map<pid_t, Members>* out) {
  DIR* dir = opendir(proc_root.c_str());
  if (dir == nullptr) {
    logger().error("cannot list {}: {}", proc_root, errno_text(errno));
    return;
  }
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN) continue;
    const char* name = entry->d_name;
    if (*name < '1' || *name > '9') continue;
    pid_t pid = 0;
    bool numeric = true;
    for (const char* p = name; *p != '\0'; ++p) {
      if (*p < '0' || *p > '9') {
        numeric = false;
        break;
      }
      pid = pid * 10 + (*p - '0');
    }
    if (!numeric) continue;
    auto members = match(pid, true);
    if (!members.empty()) (*out)[pid] = std::move(members);
  }
  closedir(dir);
}

bool ProcessTracker::Impl::settle() {
  const TimePoint now = Clock::now();
  for (std::size_t i = 0; i < trackers.size(); ++i) {
    if (!touched[i]) continue;
    touched[i] = false;
    if (!apply(i, quorums[i].on_count(counts[i], now))) return false;
  }
  return true;
}

bool ProcessTracker::Impl::apply(std::size_t index, const ProcessQuorum::Update& update) {
  if (update.cancel_timer) timers[index].cancel();
  if (update.deadline) arm(index, *update.deadline);
  if (!update.changed) return true;
  logger().info("[{}] {} with {} process{} running", trackers[index].name,
                *update.changed ? "up" : "down", counts[index], counts[index] == 1 ? "" : "es");
  if (!changed) return true;
  const std::weak_ptr<char> token = alive;
  changed(index, *update.changed);
  return !token.expired();
}

void ProcessTracker::Impl::arm(std::size_t index, TimePoint deadline) {
  timers[index].expires_at(deadline);
  timers[index].async_wait(
      [this, index, token = std::weak_ptr<char>(alive)](boost::system::error_code ec) {
        if (token.expired() || ec) return;  // gone, or cancelled / re-armed
        apply(index, quorums[index].on_timer(Clock::now()));
      });
}

void ProcessTracker::Impl::rescan() {
  std::unordered_map<pid_t, Members> fresh;
  scan(&fresh);
  ++stats.rescans;
  // Move every entry to its fresh state through set_members, so counts and touched follow.
  std::vector<pid_t> old;
  old.reserve(table.size());
  for (const auto& [pid, members] : table) old.push_back(pid);
  for (const pid_t pid : old) {
    if (!fresh.contains(pid)) set_members(pid, {});
  }
  for (auto& [pid, members] : fresh) set_members(pid, std::move(members));
  settle();
}

ProcessTracker::ProcessTracker(boost::asio::io_context& io,
                               std::vector<config::TrackProcess> trackers, ChangeHandler changed,
                               std::string proc_root)
    : impl_(std::make_unique<Impl>(io, std::move(trackers), std::move(changed),
                                   std::move(proc_root))) {}

ProcessTracker::~ProcessTracker() = default;

void ProcessTracker::start(std::unique_ptr<ProcessEventSocket> events) {
  auto& d = *impl_;
  d.scan(&d.table);
  std::fill(d.counts.begin(), d.counts.end(), 0);
  for (const auto& [pid, members] : d.table) {
    for (const auto i : members) ++d.counts[i];
  }
  for (std::size_t i = 0; i < d.trackers.size(); ++i) {
    d.touched[i] = false;
    const auto update = d.quorums[i].initial(d.counts[i]);
    logger().info("[{}] {} with {} process{} running", d.trackers[i].name,
                  *update.changed ? "up" : "down", d.counts[i], d.counts[i] == 1 ? "" : "es");
  }
  d.events = std::move(events);
  if (d.events) {
    d.events->start([this](const ProcessEvent& event) { on_event(event); },
                    [this] {
                      logger().warn(
                          "the process-events connector lost events (receive buffer full); "
                          "rescanning {}",
                          impl_->proc_root);
                      impl_->rescan();
                    });
  }
}

void ProcessTracker::on_event(const ProcessEvent& event) {
  auto& d = *impl_;
  ++d.stats.events;
  if (d.trackers.empty()) return;
  switch (event.kind) {
    case ProcessEvent::Kind::Fork: {
      if (event.pid != event.tgid) return;  // a new thread
      const auto parent = d.table.find(event.parent_tgid);
      d.set_members(event.tgid, parent == d.table.end() ? Members{} : parent->second);
      break;
    }
    case ProcessEvent::Kind::Exec:
      d.set_members(event.tgid, d.match(event.tgid, false));
      break;
    case ProcessEvent::Kind::Comm:
      if (event.pid != event.tgid) return;  // a thread named itself; the process name stays
      d.set_members(event.tgid, d.match(event.tgid, false));
      break;
    case ProcessEvent::Kind::Exit:
      if (event.pid != event.tgid) return;  // a thread ended
      d.set_members(event.tgid, {});
      break;
  }
  d.settle();
}

void ProcessTracker::rescan() {
  impl_->rescan();
}

bool ProcessTracker::up(std::size_t index) const {
  return impl_->quorums.at(index).up();
}

std::uint32_t ProcessTracker::count(std::size_t index) const {
  return impl_->counts.at(index);
}

const std::vector<config::TrackProcess>& ProcessTracker::trackers() const {
  return impl_->trackers;
}

const ProcessTracker::Stats& ProcessTracker::stats() const {
  return impl_->stats;
}

}  // namespace halo::track
