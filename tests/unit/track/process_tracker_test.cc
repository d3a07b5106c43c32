// ProcessTracker: counts from a fake /proc tree fed events by hand, the quorum timers on a real
// io_context, and the real thing: real processes seen through the real connector, including
// the L1 race (20,000 short-lived processes beside a long-running one).
//
// The tests of the real connector run in the root network namespace without NetnsSandbox: the
// connector delivers events only there, and listening to it changes nothing in the network.
// They skip when not root or not in the initial namespace. The processes they start are
// copies of /bin/sleep and /bin/true under a name made with the test's pid, ended by pid.
#include "track/process_tracker.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "support/run_loop.h"

namespace halo::track {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using K = ProcessEvent::Kind;

fs::path make_temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "halo-proctrack-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return {};
  return tmpl;
}

// A /proc tree of PID/stat and PID/cmdline files in a temporary directory.
class FakeProc {
 public:
  FakeProc() : root_(make_temp_dir()) {}
  ~FakeProc() { fs::remove_all(root_); }

  void add(pid_t pid, const std::string& comm, const std::vector<std::string>& argv = {},
           char state = 'S') {
    const auto dir = root_ / std::to_string(pid);
    fs::create_directories(dir);
    std::ofstream(dir / "stat") << pid << " (" << comm << ") " << state
                                << " 1 1 1 0 -1 4194560 0 0 0 0\n";
    std::ofstream(dir / "comm") << comm << '\n';
    std::ofstream cmdline(dir / "cmdline", std::ios::binary);
    for (const auto& word : argv) cmdline << word << '\0';
  }
  void remove(pid_t pid) { fs::remove_all(root_ / std::to_string(pid)); }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

config::TrackProcess tracker(std::string name, std::vector<std::string> process) {
  config::TrackProcess t;
  t.name = std::move(name);
  t.process = std::move(process);
  return t;
}

ProcessEvent ev(K kind, pid_t pid, pid_t tgid = 0, pid_t parent = 0) {
  return ProcessEvent{kind, pid, tgid == 0 ? pid : tgid, parent, parent};
}

struct Change {
  std::size_t index;
  bool up;
  bool operator==(const Change&) const = default;
};

class ProcessTrackerFake : public ::testing::Test {
 protected:
  void make(std::vector<config::TrackProcess> trackers) {
    tracker_ = std::make_unique<ProcessTracker>(
        io_, std::move(trackers),
        [this](std::size_t index, bool up) {
          changes_.push_back({index, up});
        },
        proc_.root());
    tracker_->start(nullptr);
  }

  boost::asio::io_context io_;
  FakeProc proc_;
  std::vector<Change> changes_;
  std::unique_ptr<ProcessTracker> tracker_;
};

TEST_F(ProcessTrackerFake, ScanCountsLiveMatchingProcesses) {
  proc_.add(100, "nginx", {"nginx: master"});
  proc_.add(101, "nginx", {}, 'Z');  // a zombie has exited
  proc_.add(102, "sshd", {"sshd"});
  proc_.add(103, "haproxy", {"haproxy", "-f", "/etc/h.cfg"});
  proc_.add(104, "haproxy", {"haproxy", "-f", "/etc/other.cfg"});
  proc_.add(105, "my prog (x)", {"a"});       // a name with spaces and parentheses
  std::ofstream file(proc_.root() + "/106");  // a file, not a process directory
  file.close();
  fs::create_directories(proc_.root() + "/self");
  make({tracker("web", {"nginx"}), tracker("lb", {"haproxy", "-f", "/etc/h.cfg"}),
        tracker("odd", {"my prog (x)"})});
  EXPECT_EQ(tracker_->count(0), 1u);
  EXPECT_EQ(tracker_->count(1), 1u);
  EXPECT_EQ(tracker_->count(2), 1u);
  EXPECT_TRUE(tracker_->up(0));
  EXPECT_TRUE(tracker_->up(1));
  EXPECT_TRUE(changes_.empty());  // the initial status is not a change
  EXPECT_EQ(tracker_->trackers().size(), 3u);
}

TEST_F(ProcessTrackerFake, ForkCountsTheChildOfACountedProcessOnly) {
  proc_.add(100, "nginx");
  proc_.add(200, "bash");
  make({tracker("web", {"nginx"})});
  tracker_->on_event(ev(K::Fork, 101, 101, 100));  // no /proc entry needed
  EXPECT_EQ(tracker_->count(0), 2u);
  tracker_->on_event(ev(K::Fork, 102, 100, 100));  // a thread of nginx
  EXPECT_EQ(tracker_->count(0), 2u);
  tracker_->on_event(ev(K::Fork, 201, 201, 200));  // a child of bash
  EXPECT_EQ(tracker_->count(0), 2u);
  // The forked child execs something else: it is read again and no longer counted.
  proc_.add(101, "logger");
  tracker_->on_event(ev(K::Exec, 101));
  EXPECT_EQ(tracker_->count(0), 1u);
  EXPECT_TRUE(changes_.empty());
  EXPECT_EQ(tracker_->stats().events, 4u);
}

TEST_F(ProcessTrackerFake, ExecReadsTheNewIdentity) {
  make({tracker("web", {"nginx"})});
  EXPECT_FALSE(tracker_->up(0));
  proc_.add(300, "nginx");
  tracker_->on_event(ev(K::Exec, 300));
  EXPECT_EQ(tracker_->count(0), 1u);
  // The same news twice (the scan saw it, then its queued event comes): counted once.
  tracker_->on_event(ev(K::Exec, 300));
  EXPECT_EQ(tracker_->count(0), 1u);
  EXPECT_EQ(changes_, (std::vector<Change>{{0, true}}));
}

TEST_F(ProcessTrackerFake, AProcessGoneBeforeItIsReadIsNotCounted) {
  proc_.add(100, "nginx");
  make({tracker("web", {"nginx"})});
  tracker_->on_event(ev(K::Exec, 400));  // no /proc/400
  EXPECT_EQ(tracker_->count(0), 1u);
  EXPECT_EQ(tracker_->stats().vanished, 1u);
  // A zombie after an event is counted until its exit event, which is already queued.
  proc_.add(401, "nginx", {}, 'Z');
  tracker_->on_event(ev(K::Exec, 401));
  EXPECT_EQ(tracker_->count(0), 2u);
  tracker_->on_event(ev(K::Exit, 401));
  EXPECT_EQ(tracker_->count(0), 1u);
  // A counted process whose exec is read after it died stops being counted.
  tracker_->on_event(ev(K::Fork, 402, 402, 100));
  EXPECT_EQ(tracker_->count(0), 2u);
  tracker_->on_event(ev(K::Exec, 402));
  EXPECT_EQ(tracker_->count(0), 1u);
  tracker_->on_event(ev(K::Exit, 402));
  EXPECT_EQ(tracker_->count(0), 1u);
  EXPECT_TRUE(changes_.empty());
}

TEST_F(ProcessTrackerFake, CommEventsFollowRenames) {
  proc_.add(100, "nginx");
  make({tracker("web", {"nginx"})});
  proc_.add(100, "renamed");
  tracker_->on_event(ev(K::Comm, 101, 100));  // a thread named itself: the process keeps it
  EXPECT_EQ(tracker_->count(0), 1u);
  tracker_->on_event(ev(K::Comm, 100));
  EXPECT_EQ(tracker_->count(0), 0u);
  proc_.add(100, "nginx");
  tracker_->on_event(ev(K::Comm, 100));
  EXPECT_EQ(tracker_->count(0), 1u);
  EXPECT_EQ(changes_, (std::vector<Change>{{0, false}, {0, true}}));
}

TEST_F(ProcessTrackerFake, ExitOfALeaderUncounts) {
  proc_.add(100, "nginx");
  proc_.add(101, "nginx");
  auto t = tracker("web", {"nginx"});
  t.quorum = 2;
  make({t});
  EXPECT_TRUE(tracker_->up(0));
  tracker_->on_event(ev(K::Exit, 102, 100));  // a thread ends
  tracker_->on_event(ev(K::Exit, 555));       // someone else
  EXPECT_EQ(tracker_->count(0), 2u);
  EXPECT_TRUE(changes_.empty());
  tracker_->on_event(ev(K::Exit, 100));
  EXPECT_EQ(tracker_->count(0), 1u);
  EXPECT_FALSE(tracker_->up(0));
  EXPECT_EQ(changes_, (std::vector<Change>{{0, false}}));
}

TEST_F(ProcessTrackerFake, CommandLineTrackers) {
  proc_.add(100, "python3", {"/usr/bin/python3", "/srv/app.py", "--port", "80"});
  auto partial = tracker("app", {"/usr/bin/python3", "/srv/app.py"});
  partial.param_match = config::ParamMatch::Partial;
  make({partial, tracker("exact", {"/usr/bin/python3", "/srv/app.py"})});
  EXPECT_EQ(tracker_->count(0), 1u);
  EXPECT_EQ(tracker_->count(1), 0u);
}

TEST_F(ProcessTrackerFake, RescanRebuildsTheCounts) {
  proc_.add(100, "nginx");
  make({tracker("web", {"nginx"})});
  proc_.remove(100);
  proc_.add(300, "nginx");
  proc_.add(301, "nginx");
  tracker_->rescan();
  EXPECT_EQ(tracker_->count(0), 2u);
  EXPECT_EQ(tracker_->stats().rescans, 1u);
  proc_.remove(300);
  proc_.remove(301);
  tracker_->rescan();
  EXPECT_EQ(tracker_->count(0), 0u);
  EXPECT_EQ(changes_, (std::vector<Change>{{0, false}}));
}

using halo::testing::run_until;

TEST_F(ProcessTrackerFake, ForkDelayRaisesOnceAfterTheDelay) {
  auto t = tracker("web", {"nginx"});
  t.fork_delay = milliseconds(150);
  make({t});
  const auto start = std::chrono::steady_clock::now();
  proc_.add(100, "nginx");
  tracker_->on_event(ev(K::Exec, 100));
  EXPECT_FALSE(tracker_->up(0));
  EXPECT_TRUE(changes_.empty());
  ASSERT_TRUE(run_until(
      io_, [&] { return !changes_.empty(); }, milliseconds(3000)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(150));
  io_.restart();
  io_.run_for(milliseconds(100));
  EXPECT_EQ(changes_, (std::vector<Change>{{0, true}}));
  EXPECT_TRUE(tracker_->up(0));
}

TEST_F(ProcessTrackerFake, RestartWithinTerminateDelayChangesNothing) {
  proc_.add(100, "nginx");
  auto t = tracker("web", {"nginx"});
  t.terminate_delay = milliseconds(150);
  make({t});
  tracker_->on_event(ev(K::Exit, 100));
  proc_.remove(100);
  io_.run_for(milliseconds(50));
  proc_.add(101, "nginx");
  tracker_->on_event(ev(K::Exec, 101));
  io_.restart();
  io_.run_for(milliseconds(300));
  EXPECT_TRUE(changes_.empty());
  EXPECT_TRUE(tracker_->up(0));
}

TEST_F(ProcessTrackerFake, AHandlerMayDestroyTheTracker) {
  proc_.add(100, "nginx");
  tracker_ = std::make_unique<ProcessTracker>(
      io_, std::vector{tracker("a", {"nginx"}), tracker("b", {"nginx"})},
      [this](std::size_t, bool) { tracker_.reset(); }, proc_.root());
  tracker_->start(nullptr);
  tracker_->on_event(ev(K::Exit, 100));
  EXPECT_EQ(tracker_, nullptr);
}

// ---- the real host --------------------------------------------------------------------------

bool can_use_connector() {
  struct stat st {};
  // PROC_NET_INIT_INO: the initial network namespace (linux/proc_ns.h).
  return geteuid() == 0 && stat("/proc/self/ns/net", &st) == 0 && st.st_ino == 0xEFFFFFF9U;
}

// A copy of a system binary under a unique name, in a directory of its own.
class NamedBinary {
 public:
  NamedBinary(const char* original, const std::string& name)
      : dir_(make_temp_dir()), path_((dir_ / name).string()) {
    fs::copy_file(original, path_);
    fs::permissions(path_, fs::perms::owner_all);
  }
  ~NamedBinary() { fs::remove_all(dir_); }
  const std::string& path() const { return path_; }

 private:
  fs::path dir_;
  std::string path_;
};

pid_t spawn(const std::string& path, std::vector<std::string> args) {
  std::vector<char*> argv;
  std::string arg0 = path;
  argv.push_back(arg0.data());
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

void kill_and_reap(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

std::string unique_name() {
  return "halotrk" + std::to_string(getpid());
}

TEST(ProcessTrackerReal, CountsRealProcessesThroughTheConnector) {
  if (!can_use_connector()) GTEST_SKIP() << "needs root in the initial network namespace";
  const NamedBinary sleeper("/bin/sleep", unique_name());
  std::vector<pid_t> pids{spawn(sleeper.path(), {"60"}), spawn(sleeper.path(), {"60"})};
  ASSERT_GT(pids[0], 0);
  ASSERT_GT(pids[1], 0);

  boost::asio::io_context io;
  std::vector<Change> changes;
  ProcessTracker tracker(io, {halo::track::tracker("sleepers", {unique_name()})},
                         [&](std::size_t i, bool up) {
                           changes.push_back({i, up});
                         });
  auto fd = open_process_connector();
  ASSERT_TRUE(fd) << fd.error().message;
  // The spawned processes may not have exec'd yet: the scan or their exec events count them.
  tracker.start(std::make_unique<ProcessEventSocket>(io, std::move(*fd)));
  EXPECT_TRUE(run_until(
      io, [&] { return tracker.count(0) == 2; }, milliseconds(5000)));

  pids.push_back(spawn(sleeper.path(), {"60"}));
  EXPECT_TRUE(run_until(
      io, [&] { return tracker.count(0) == 3; }, milliseconds(5000)));
  kill_and_reap(pids[0]);
  EXPECT_TRUE(run_until(
      io, [&] { return tracker.count(0) == 2; }, milliseconds(5000)));
  kill_and_reap(pids[1]);
  kill_and_reap(pids[2]);
  EXPECT_TRUE(run_until(
      io, [&] { return tracker.count(0) == 0; }, milliseconds(5000)));
  EXPECT_EQ(changes, (std::vector<Change>{{0, false}}));
  EXPECT_FALSE(tracker.up(0));
}

// Events lost to a full receive buffer: the tracker rescans /proc and the count is right.
TEST(ProcessTrackerReal, RescansAfterLostEvents) {
  if (!can_use_connector()) GTEST_SKIP() << "needs root in the initial network namespace";
  const NamedBinary sleeper("/bin/sleep", unique_name());
  const pid_t before = spawn(sleeper.path(), {"60"});
  ASSERT_GT(before, 0);

  boost::asio::io_context io;
  ProcessTracker tracker(io, {halo::track::tracker("lost", {unique_name()})}, nullptr);
  auto fd = open_process_connector();
  ASSERT_TRUE(fd) << fd.error().message;
  const int tiny = 1;  // the kernel's minimum: a few events
  ASSERT_EQ(setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny), 0);
  tracker.start(std::make_unique<ProcessEventSocket>(io, std::move(*fd)));
  EXPECT_EQ(tracker.count(0), 1u);

  // While the loop does not run: one more tracked process, and enough others to overflow.
  const pid_t during = spawn(sleeper.path(), {"60"});
  ASSERT_GT(during, 0);
  for (int i = 0; i < 50; ++i) waitpid(spawn("/bin/true", {}), nullptr, 0);
  kill_and_reap(before);

  EXPECT_TRUE(run_until(
      io, [&] { return tracker.stats().rescans > 0; }, milliseconds(5000)));
  EXPECT_TRUE(run_until(
      io, [&] { return tracker.count(0) == 1; }, milliseconds(5000)));
  kill_and_reap(during);
  EXPECT_TRUE(run_until(
      io, [&] { return tracker.count(0) == 0; }, milliseconds(5000)));
}

// L1: 20,000 processes with the tracked name start and end in a tight loop beside one that
// keeps running. At the end the count is exactly 1, the status never moved, and nothing above
// debug was logged (a process that ends before its /proc entries are read is normal).
TEST(ProcessTrackerReal, ShortLivedProcessesDoNotDisturbTheCount) {
  if (!can_use_connector()) GTEST_SKIP() << "needs root in the initial network namespace";
  const NamedBinary sleeper("/bin/sleep", unique_name());
  const NamedBinary quick("/bin/true", unique_name());
  const pid_t long_running = spawn(sleeper.path(), {"120"});
  ASSERT_GT(long_running, 0);

  boost::asio::io_context io;
  int changes = 0;
  ProcessTracker tracker(io, {halo::track::tracker("race", {unique_name()})},
                         [&](std::size_t, bool) { ++changes; });
  auto fd = open_process_connector();
  ASSERT_TRUE(fd) << fd.error().message;
  tracker.start(std::make_unique<ProcessEventSocket>(io, std::move(*fd)));
  ASSERT_TRUE(run_until(
      io, [&] { return tracker.count(0) == 1; }, milliseconds(5000)));
  ASSERT_TRUE(tracker.up(0));

  // Everything from here on goes to a file, debug included.
  const fs::path log_dir = make_temp_dir();
  const std::string log_file = (log_dir / "log").string();
  log::Options capture;
  capture.syslog = false;
  capture.file = log_file;
  capture.detail = true;
  log::init(capture);

  constexpr int kProcesses = 20000;
  constexpr int kThreads = 2;
  std::atomic<int> started{0};
  std::atomic<int> spawned_ok{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> spawners;
  spawners.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    spawners.emplace_back([&] {
      while (started.fetch_add(1) < kProcesses) {
        const pid_t pid = spawn(quick.path(), {});
        if (pid > 0) {
          waitpid(pid, nullptr, 0);
          spawned_ok.fetch_add(1);
        }
      }
    });
  }
  std::thread joiner([&] {
    for (auto& s : spawners) s.join();
    done = true;
  });
  const auto begin = std::chrono::steady_clock::now();
  while (!done) {
    io.restart();
    io.run_for(milliseconds(10));
    EXPECT_GE(tracker.count(0), 1u);
  }
  joiner.join();
  const auto spawn_time = std::chrono::steady_clock::now() - begin;
  // Every process has exited; let the events that are still queued drain.
  EXPECT_TRUE(run_until(
      io, [&] { return tracker.count(0) == 1; }, milliseconds(10000)));
  io.restart();
  io.run_for(milliseconds(300));

  log::Options quiet;
  quiet.syslog = false;
  log::init(quiet);

  EXPECT_EQ(spawned_ok.load(), kProcesses);
  EXPECT_EQ(tracker.count(0), 1u);
  EXPECT_TRUE(tracker.up(0));
  EXPECT_EQ(changes, 0);
  EXPECT_GE(tracker.stats().events, static_cast<std::uint64_t>(3 * kProcesses));
  EXPECT_EQ(tracker.stats().rescans, 0u);

  std::ifstream in(log_file);
  std::string line;
  int debug_lines = 0;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string date, time, level;
    words >> date >> time >> level;
    EXPECT_EQ(level, "debug") << line;
    ++debug_lines;
  }
  std::cout << "[ INFO     ] " << kProcesses << " processes in "
            << std::chrono::duration_cast<milliseconds>(spawn_time).count() << " ms; "
            << tracker.stats().events << " events, " << tracker.stats().vanished << " vanished, "
            << debug_lines << " debug lines\n";
  fs::remove_all(log_dir);
  kill_and_reap(long_running);
}

}  // namespace
}  // namespace halo::track
