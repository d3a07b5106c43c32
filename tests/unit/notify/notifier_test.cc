// The Notifier with real scripts and FIFOs: keepalived's arguments and lines (as recorded from
// keepalived 2.2.7, see src/notify/vrrp_notice.cc), event order per subject, timeouts, script
// security, the FIFO scripts' stop, reloads, and no leaks over many runs.
#include "notify/notifier.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "notify/notify_test_support.h"
#include "process/supervisor.h"

namespace halo::notify {
namespace {

using namespace std::chrono_literals;
using testing::read_file;
using testing::run_until;
using testing::write_script;
using What = VrrpNotice::What;
using Subject = VrrpNotice::Subject;

config::Script script(std::string command) {
  config::Script s;
  s.command = std::move(command);
  return s;
}

VrrpNotice instance(std::string name, What what, int priority) {
  return VrrpNotice{Subject::Instance, std::move(name), what, priority};
}

VrrpNotice group(std::string name, What what) {
  return VrrpNotice{Subject::Group, std::move(name), what, 0};
}

std::string drain(int fd) {
  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

class NotifierTest : public ::testing::Test {
 protected:
  NotifierTest() { log_ = testing::write_log_script(dir_); }

  // `log.sh OUT TAG extra...` as a notify command.
  std::string logs(const std::string& tag, const std::string& extra = "") const {
    return log_ + " " + out_ + " " + tag + (extra.empty() ? "" : " " + extra);
  }
  config::VrrpInstance& add_instance(const std::string& name) {
    config::VrrpInstance vi;
    vi.name = name;
    config_.vrrp.instances.push_back(vi);
    return config_.vrrp.instances.back();
  }
  config::VrrpSyncGroup& add_group(const std::string& name) {
    config::VrrpSyncGroup g;
    g.name = name;
    config_.vrrp.sync_groups.push_back(g);
    return config_.vrrp.sync_groups.back();
  }
  std::string out() const { return read_file(out_); }
  bool wait_lines(std::size_t n) {
    return run_until(io_,
                     [&] { return count_lines(out()) >= n && notifier_.scripts_pending() == 0; });
  }
  void stop() {
    bool done = false;
    notifier_.stop([&] { done = true; });
    ASSERT_TRUE(run_until(io_, [&] { return done; }));
  }

  testing::TempDir dir_;
  std::string log_;
  std::string out_ = dir_ / "out";
  config::Config config_;
  boost::asio::io_context io_;
  process::Supervisor supervisor_{io_};
  Notifier notifier_{io_, supervisor_};
};

TEST_F(NotifierTest, InstanceScriptsGetKeepalivedsArguments) {
  auto& vi = add_instance("VI_1");
  vi.notify_master = script(logs("VI_1-master", "a 'b c'"));
  vi.notify = script(logs("VI_1-notify"));
  notifier_.configure(config_);
  notifier_.notify(instance("VI_1", What::Master, 150));
  ASSERT_TRUE(wait_lines(2));
  // The state's script first, with its own words only; then `notify` with four more.
  EXPECT_EQ(out(),
            "VI_1-master [a] [b c]\n"
            "VI_1-notify [INSTANCE] [VI_1] [MASTER] [150]\n");
  EXPECT_EQ(notifier_.stats().scripts_run, 2u);
  EXPECT_EQ(notifier_.stats().scripts_failed, 0u);
}

TEST_F(NotifierTest, EveryStateRunsItsOwnScript) {
  auto& vi = add_instance("VI_1");
  vi.notify_master = script(logs("master"));
  vi.notify_backup = script(logs("backup"));
  vi.notify_fault = script(logs("fault"));
  vi.notify_stop = script(logs("stop"));
  vi.notify_deleted_script = script(logs("deleted"));
  vi.notify_master_rx_lower_pri = script(logs("rxlower"));
  vi.notify = script(logs("notify"));
  notifier_.configure(config_);
  notifier_.notify(instance("VI_1", What::Backup, 100));
  notifier_.notify(instance("VI_1", What::Master, 100));
  notifier_.notify(instance("VI_1", What::MasterPriority, 110));  // FIFO only
  notifier_.notify(instance("VI_1", What::MasterRxLowerPri, 110));
  notifier_.notify(instance("VI_1", What::Fault, 85));
  notifier_.notify(instance("VI_1", What::Deleted, 85));
  notifier_.notify(instance("VI_1", What::Stop, 85));
  ASSERT_TRUE(wait_lines(11));
  EXPECT_EQ(out(),
            "backup\n"
            "notify [INSTANCE] [VI_1] [BACKUP] [100]\n"
            "master\n"
            "notify [INSTANCE] [VI_1] [MASTER] [100]\n"
            "rxlower\n"
            "fault\n"
            "notify [INSTANCE] [VI_1] [FAULT] [85]\n"
            "deleted\n"
            "notify [INSTANCE] [VI_1] [DELETED] [85]\n"
            "stop\n"
            "notify [INSTANCE] [VI_1] [STOP] [85]\n");
}

TEST_F(NotifierTest, GroupScriptsGetPriorityZero) {
  auto& g = add_group("G1");
  g.notify_master = script(logs("G1-master", "a 'b c'"));
  g.notify = script(logs("G1-notify"));
  notifier_.configure(config_);
  notifier_.notify(group("G1", What::Master));
  ASSERT_TRUE(wait_lines(2));
  EXPECT_EQ(out(), "G1-master [a] [b c]\nG1-notify [GROUP] [G1] [MASTER] [0]\n");
}

TEST_F(NotifierTest, ScriptsOfOneSubjectRunInEventOrderEvenWhenTheFirstIsSlow) {
  auto& vi = add_instance("VI_1");
  vi.notify_master = script(write_script(dir_ / "slow.sh",
                                         "sleep 0.3\n"
                                         "echo master >> \"$1\"\n") +
                            " " + out_);
  vi.notify_backup = script(logs("backup"));
  vi.notify_fault = script(logs("fault"));
  notifier_.configure(config_);
  notifier_.notify(instance("VI_1", What::Master, 100));
  notifier_.notify(instance("VI_1", What::Backup, 100));
  notifier_.notify(instance("VI_1", What::Fault, 100));
  ASSERT_TRUE(wait_lines(3));
  EXPECT_EQ(out(), "master\nbackup\nfault\n");
}

TEST_F(NotifierTest, OtherSubjectsDoNotWaitForASlowOne) {
  auto& vi1 = add_instance("VI_1");
  vi1.notify_master = script("sleep 2");
  auto& vi2 = add_instance("VI_2");
  vi2.notify_master = script(logs("VI_2"));
  notifier_.configure(config_);
  notifier_.notify(instance("VI_1", What::Master, 100));
  notifier_.notify(instance("VI_2", What::Master, 100));
  // VI_2's script ran and was reaped while VI_1's sleep still runs.
  ASSERT_TRUE(run_until(
      io_, [&] { return out() == "VI_2\n" && notifier_.scripts_pending() == 1; }, 1500ms));
  EXPECT_EQ(notifier_.stats().scripts_run, 2u);
}

TEST_F(NotifierTest, AHangingScriptIsKilledAtTheTimeoutAndCounted) {
  config_.global.defs.notify_script_timeout = 200ms;
  auto& vi = add_instance("VI_1");
  vi.notify_master = script("sleep 30");
  vi.notify_backup = script(logs("backup"));
  notifier_.configure(config_);
  const auto start = std::chrono::steady_clock::now();
  notifier_.notify(instance("VI_1", What::Master, 100));
  notifier_.notify(instance("VI_1", What::Backup, 100));
  ASSERT_TRUE(wait_lines(1));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 5s);
  EXPECT_EQ(out(), "backup\n");  // the next one ran after the kill
  const auto stats = notifier_.stats();
  EXPECT_EQ(stats.scripts_timed_out, 1u);
  EXPECT_EQ(stats.scripts_failed, 1u);
  EXPECT_EQ(stats.scripts_run, 2u);
}

TEST_F(NotifierTest, FailingScriptIsCounted) {
  auto& vi = add_instance("VI_1");
  vi.notify_master = script("/bin/false");
  vi.notify_backup = script(dir_ / "does-not-exist");
  notifier_.configure(config_);
  notifier_.notify(instance("VI_1", What::Master, 100));
  notifier_.notify(instance("VI_1", What::Backup, 100));
  ASSERT_TRUE(run_until(io_, [&] { return notifier_.scripts_pending() == 0; }));
  EXPECT_EQ(notifier_.stats().scripts_failed, 2u);
}

TEST_F(NotifierTest, ScriptSecurityRefusesAWritableScriptAndNeverRunsIt) {
  // A root script in a directory anyone can write to (no sticky bit).
  const std::string open_dir = dir_ / "open";
  ASSERT_EQ(::mkdir(open_dir.c_str(), 0777), 0);
  ASSERT_EQ(::chmod(open_dir.c_str(), 0777), 0);
  const std::string unsafe = write_script(open_dir + "/unsafe.sh", "echo ran >> \"$1\"\n");
  config_.global.defs.enable_script_security = true;
  config_.global.defs.script_user = "root";
  auto& vi = add_instance("VI_1");
  vi.notify_master = script(unsafe + " " + out_);
  vi.notify_backup = script(logs("backup"));  // safe: it runs
  notifier_.configure(config_);
  notifier_.notify(instance("VI_1", What::Master, 100));
  notifier_.notify(instance("VI_1", What::Backup, 100));
  ASSERT_TRUE(wait_lines(1));
  EXPECT_EQ(out(), "backup\n");
  EXPECT_EQ(notifier_.stats().scripts_refused, 1u);
  EXPECT_EQ(notifier_.stats().scripts_run, 1u);
}

TEST_F(NotifierTest, AScriptOfAnUnknownUserIsRefused) {
  auto& vi = add_instance("VI_1");
  vi.notify_master = script(logs("master"));
  vi.notify_master->user = "no-such-user-halo";
  vi.notify_backup = script(logs("backup"));
  notifier_.configure(config_);
  notifier_.notify(instance("VI_1", What::Master, 100));
  notifier_.notify(instance("VI_1", What::Backup, 100));
  ASSERT_TRUE(wait_lines(1));
  EXPECT_EQ(out(), "backup\n");
  EXPECT_EQ(notifier_.stats().scripts_refused, 1u);
}

class NotifierFifoTest : public NotifierTest {
 protected:
  std::string all_ = dir_ / "all";
  std::string vrrp_ = dir_ / "vrrp";
  std::string lvs_ = dir_ / "lvs";
};

TEST_F(NotifierFifoTest, LinesAsKeepalivedOnTheRightFifos) {
  config_.global.defs.notify_fifo = config::FifoSpec{all_, {}, {}};
  config_.global.defs.vrrp_notify_fifo = config::FifoSpec{vrrp_, {}, {}};
  config_.global.defs.lvs_notify_fifo = config::FifoSpec{lvs_, {}, {}};
  add_instance("VI_1");
  add_group("G1");
  notifier_.configure(config_);
  testing::UniqueReader all(all_), vrrp(vrrp_), lvs(lvs_);
  // The sequence keepalived 2.2.7 wrote for one sync group going BACKUP then MASTER.
  notifier_.notify(group("G1", What::Backup));
  notifier_.notify(instance("VI_1", What::Backup, 150));
  notifier_.notify(instance("VI_1", What::Master, 150));
  notifier_.notify(group("G1", What::Master));
  notifier_.notify(instance("VI_3", What::MasterPriority, 110));
  notifier_.notify(instance("VI_3", What::MasterRxLowerPri, 85));
  notifier_.notify_lvs("VS [192.0.2.10]:tcp:80 UP");
  const std::string vrrp_lines =
      "GROUP \"G1\" BACKUP 0\n"
      "INSTANCE \"VI_1\" BACKUP 150\n"
      "INSTANCE \"VI_1\" MASTER 150\n"
      "GROUP \"G1\" MASTER 0\n"
      "INSTANCE \"VI_3\" MASTER_PRIORITY 110\n"
      "INSTANCE \"VI_3\" MASTER_RX_LOWER_PRI 85\n";
  EXPECT_EQ(drain(all.fd), vrrp_lines + "VS [192.0.2.10]:tcp:80 UP\n");
  EXPECT_EQ(drain(vrrp.fd), vrrp_lines);
  EXPECT_EQ(drain(lvs.fd), "VS [192.0.2.10]:tcp:80 UP\n");
  EXPECT_EQ(notifier_.stats().fifo_lines, 6u + 1u + 6u + 1u);
}

TEST_F(NotifierFifoTest, StatesOnReloadOnlyWhenAskedFor) {
  config_.global.defs.vrrp_notify_fifo = config::FifoSpec{vrrp_, {}, {}};
  notifier_.configure(config_);
  testing::UniqueReader vrrp(vrrp_);
  const std::vector<VrrpNotice> states{group("G1", What::Master),
                                       instance("VI_1", What::Master, 150)};
  notifier_.write_states(states);
  EXPECT_EQ(drain(vrrp.fd), "");
  config_.global.defs.fifo_write_vrrp_states_on_reload = true;
  notifier_.configure(config_);
  notifier_.write_states(states);
  EXPECT_EQ(drain(vrrp.fd), "GROUP \"G1\" MASTER 0\nINSTANCE \"VI_1\" MASTER 150\n");
}

// A FIFO script that says START once it has the FIFO open (a test that waits for START then
// knows the reader is there: stop() removes the FIFO's path at once, so a reader that had not
// opened it yet would find nothing), then copies each line and says TERM at its SIGTERM.
std::string fifo_reader(const testing::TempDir& dir) {
  return write_script(dir / "reader.sh",
                      "out=$1; fifo=$2\n"
                      "exec 3< \"$fifo\"\n"
                      "echo START >> \"$out\"\n"
                      "trap 'stop=1' TERM\n"
                      "while :; do\n"
                      "  if IFS= read -r line <&3; then printf '%s\\n' \"$line\" >> \"$out\"; fi\n"
                      "  if [ -n \"$stop\" ]; then echo TERM >> \"$out\"; exit 0; fi\n"
                      "done\n");
}

TEST_F(NotifierFifoTest, FifoScriptReadsTheStopLinesBeforeItsSigterm) {
  const std::string reader_out = dir_ / "reader.out";
  config_.global.defs.vrrp_notify_fifo = config::FifoSpec{vrrp_, {}, {}};
  config_.global.defs.vrrp_notify_fifo_script = script(fifo_reader(dir_) + " " + reader_out);
  add_instance("VI_1");
  add_group("G1");
  notifier_.configure(config_);
  ASSERT_TRUE(run_until(io_, [&] { return read_file(reader_out) == "START\n"; }));
  notifier_.notify(instance("VI_1", What::Master, 150));
  // Shutdown as keepalived orders it: instances, then groups.
  notifier_.notify(instance("VI_1", What::Stop, 150));
  notifier_.notify(group("G1", What::Stop));
  stop();
  EXPECT_EQ(read_file(reader_out),
            "START\n"
            "INSTANCE \"VI_1\" MASTER 150\n"
            "INSTANCE \"VI_1\" STOP 150\n"
            "GROUP \"G1\" STOP 0\n"
            "TERM\n");
  EXPECT_NE(::access(vrrp_.c_str(), F_OK), 0);  // halo made it, halo removed it
  EXPECT_TRUE(testing::no_children()) << testing::children();
}

TEST_F(NotifierFifoTest, ReloadKeepsAnUnchangedFifoAndRestartsAChangedOne) {
  const std::string reader_out = dir_ / "reader.out";
  const std::string reader = fifo_reader(dir_);
  config_.global.defs.notify_fifo = config::FifoSpec{all_, {}, {}};
  config_.global.defs.notify_fifo_script = script(reader + " " + reader_out);
  notifier_.configure(config_);
  ASSERT_TRUE(run_until(io_, [&] { return read_file(reader_out) == "START\n"; }));
  const auto started = supervisor_.started();

  notifier_.configure(config_);  // same FIFO, same script: nothing restarts
  notifier_.notify(group("G1", What::Master));
  ASSERT_TRUE(run_until(io_, [&] { return count_lines(read_file(reader_out)) == 2; }));
  EXPECT_EQ(supervisor_.started(), started);

  const std::string reader_out2 = dir_ / "reader2.out";
  config_.global.defs.notify_fifo_script = script(reader + " " + reader_out2);
  notifier_.configure(config_);  // changed script: the old one stops, a new one starts
  ASSERT_TRUE(run_until(io_, [&] {
    return read_file(reader_out2) == "START\n" &&
           read_file(reader_out) == "START\nGROUP \"G1\" MASTER 0\nTERM\n";
  }));
  notifier_.notify(group("G1", What::Backup));
  ASSERT_TRUE(
      run_until(io_, [&] { return read_file(reader_out2) == "START\nGROUP \"G1\" BACKUP 0\n"; }));
  stop();
}

TEST_F(NotifierFifoTest, ARefusedFifoScriptLeavesTheFifoOpenWithoutIt) {
  const std::string open_dir = dir_ / "open";
  ASSERT_EQ(::mkdir(open_dir.c_str(), 0777), 0);
  ASSERT_EQ(::chmod(open_dir.c_str(), 0777), 0);
  const std::string unsafe = write_script(open_dir + "/reader.sh", "exec cat \"$1\"\n");
  config_.global.defs.enable_script_security = true;
  config_.global.defs.script_user = "root";
  config_.global.defs.vrrp_notify_fifo = config::FifoSpec{vrrp_, {}, {}};
  config_.global.defs.vrrp_notify_fifo_script = script(unsafe);
  notifier_.configure(config_);
  EXPECT_EQ(supervisor_.started(), 0u);
  testing::UniqueReader reader(vrrp_);
  notifier_.configure(config_);  // unchanged, refused again: the FIFO is not remade
  notifier_.notify(group("G1", What::Master));
  EXPECT_EQ(drain(reader.fd), "GROUP \"G1\" MASTER 0\n");
  EXPECT_EQ(supervisor_.started(), 0u);
}

TEST_F(NotifierFifoTest, AFifoThatCannotBeMadeIsLoggedAndSkipped) {
  config_.global.defs.notify_fifo = config::FifoSpec{dir_ / "missing/fifo", {}, {}};
  config_.global.defs.vrrp_notify_fifo = config::FifoSpec{vrrp_, {}, {}};
  notifier_.configure(config_);
  testing::UniqueReader reader(vrrp_);
  notifier_.notify(group("G1", What::Master));
  EXPECT_EQ(drain(reader.fd), "GROUP \"G1\" MASTER 0\n");
}

TEST_F(NotifierTest, ThousandRunsLeaveNoZombieAndNoDescriptor) {
  auto& vi = add_instance("VI_1");
  vi.notify_master = script("/bin/true");
  vi.notify = script("/bin/true");
  notifier_.configure(config_);
  // Warm up once so lazily opened descriptors (loggers, epoll) are counted in the baseline.
  notifier_.notify(instance("VI_1", What::Master, 100));
  ASSERT_TRUE(run_until(io_, [&] { return notifier_.scripts_pending() == 0; }));
  const int fds = testing::open_fd_count();
  constexpr int kNotices = 500;  // two scripts each: 1,000 runs
  for (int i = 0; i < kNotices; ++i) notifier_.notify(instance("VI_1", What::Master, 100));
  ASSERT_TRUE(run_until(
      io_, [&] { return notifier_.scripts_pending() == 0; }, 120s));
  EXPECT_EQ(notifier_.stats().scripts_run, 2u + 2u * kNotices);
  EXPECT_EQ(notifier_.stats().scripts_failed, 0u);
  EXPECT_EQ(testing::open_fd_count(), fds);
  EXPECT_TRUE(testing::no_children()) << testing::children();
}

}  // namespace
}  // namespace halo::notify
