// NotifyFifo against real FIFOs and real reader scripts: it never blocks, drops only past its
// bound and counts what it drops, hands the script the FIFO path, and stops it politely.
#include "notify/notify_fifo.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "notify/notify_test_support.h"
#include "process/supervisor.h"

namespace halo::notify {
namespace {

using namespace std::chrono_literals;
using testing::read_file;
using testing::run_for;
using testing::run_until;
using testing::write_script;

std::string numbered_line(int i) {
  return "INSTANCE \"VI_" + std::to_string(i) + "\" MASTER 100\n";
}

// Everything readable now from a non-blocking read end.
std::string drain(int fd) {
  std::string out;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

class NotifyFifoTest : public ::testing::Test {
 protected:
  std::unique_ptr<NotifyFifo> make(std::optional<config::Script> script = std::nullopt,
                                   std::size_t max_pending = NotifyFifo::kDefaultMaxPendingBytes) {
    return std::make_unique<NotifyFifo>(io_, supervisor_, config::FifoSpec{fifo_path_, {}, {}},
                                        std::move(script), process::Credentials{}, max_pending);
  }
  static config::Script script(std::string command) {
    config::Script s;
    s.command = std::move(command);
    return s;
  }
  // Stops `fifo` and runs the loop until its `done` ran.
  void stop(NotifyFifo& fifo, process::Duration grace = 1s) {
    bool done = false;
    fifo.stop(grace, [&] { done = true; });
    ASSERT_TRUE(run_until(io_, [&] { return done; }));
  }

  testing::TempDir dir_;
  std::string fifo_path_ = dir_ / "fifo";
  boost::asio::io_context io_;
  process::Supervisor supervisor_{io_};
};

TEST_F(NotifyFifoTest, CreatesTheFifoMode0600AndRemovesItAtStop) {
  auto fifo = make();
  ASSERT_TRUE(fifo->open()) << fifo->open().error().message;
  struct stat st {};
  ASSERT_EQ(::stat(fifo_path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  stop(*fifo);
  EXPECT_NE(::access(fifo_path_.c_str(), F_OK), 0);
}

TEST_F(NotifyFifoTest, GivesTheFifoToTheConfiguredUser) {
  const passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  NotifyFifo fifo(io_, supervisor_, config::FifoSpec{fifo_path_, "nobody", {}}, std::nullopt, {});
  ASSERT_TRUE(fifo.open());
  struct stat st {};
  ASSERT_EQ(::stat(fifo_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, nobody->pw_uid);
  EXPECT_EQ(st.st_gid, nobody->pw_gid);
}

TEST_F(NotifyFifoTest, LeavesAnOperatorsFifoInPlace) {
  ASSERT_EQ(::mkfifo(fifo_path_.c_str(), 0640), 0);
  auto fifo = make();
  ASSERT_TRUE(fifo->open());
  stop(*fifo);
  EXPECT_EQ(::access(fifo_path_.c_str(), F_OK), 0);
}

TEST_F(NotifyFifoTest, RefusesAPathThatIsNotAFifo) {
  std::ofstream(fifo_path_) << "x";
  auto fifo = make();
  auto opened = fifo->open();
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find(fifo_path_), std::string::npos);
  EXPECT_NE(opened.error().message.find("not a FIFO"), std::string::npos);
}

TEST_F(NotifyFifoTest, LinesReachAReaderByteForByte) {
  auto fifo = make();
  ASSERT_TRUE(fifo->open());
  testing::UniqueReader reader(fifo_path_);
  fifo->write("GROUP \"G1\" BACKUP 0\n");
  fifo->write("INSTANCE \"VI_1\" MASTER 150\n");
  EXPECT_EQ(drain(reader.fd), "GROUP \"G1\" BACKUP 0\nINSTANCE \"VI_1\" MASTER 150\n");
  EXPECT_EQ(fifo->lines_written(), 2u);
  EXPECT_EQ(fifo->lines_dropped(), 0u);
}

TEST_F(NotifyFifoTest, NeverBlocksWithoutAReaderAndCountsWhatItDrops) {
  constexpr std::size_t kBound = 4096;
  auto fifo = make(std::nullopt, kBound);
  ASSERT_TRUE(fifo->open());
  constexpr int kLines = 10000;  // ~300 KiB: far more than the pipe and the bound hold
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kLines; ++i) fifo->write(numbered_line(i));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_GT(fifo->lines_dropped(), 0u);
  EXPECT_LE(fifo->pending_bytes(), kBound);

  // A reader that comes late gets a gap-free prefix of what was written, in order.
  testing::UniqueReader reader(fifo_path_);
  std::string got;
  ASSERT_TRUE(run_until(io_, [&] {
    got += drain(reader.fd);
    return fifo->pending_bytes() == 0;
  }));
  got += drain(reader.fd);
  std::string expected;
  for (std::uint64_t i = 0; i < fifo->lines_written(); ++i) expected += numbered_line(int(i));
  EXPECT_EQ(got, expected);
  EXPECT_EQ(fifo->lines_written() + fifo->lines_dropped(), std::uint64_t{kLines});
}

TEST_F(NotifyFifoTest, ASlowReaderGetsEverythingWithinTheBound) {
  auto fifo = make();
  ASSERT_TRUE(fifo->open());
  constexpr int kLines = 4000;  // ~120 KiB: more than the pipe, less than the bound
  for (int i = 0; i < kLines; ++i) fifo->write(numbered_line(i));
  EXPECT_GT(fifo->pending_bytes(), 0u);
  testing::UniqueReader reader(fifo_path_);
  std::string got;
  char buffer[512];  // small reads: the reader is slow
  ASSERT_TRUE(run_until(io_, [&] {
    const ssize_t n = ::read(reader.fd, buffer, sizeof buffer);
    if (n > 0) got.append(buffer, static_cast<std::size_t>(n));
    return fifo->pending_bytes() == 0 && n <= 0;
  }));
  std::string expected;
  for (int i = 0; i < kLines; ++i) expected += numbered_line(i);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(fifo->lines_dropped(), 0u);
  EXPECT_EQ(fifo->lines_written(), std::uint64_t{kLines});
}

// The reader script: its arguments in OUT.args once it has the FIFO open (stop() removes the
// path at once: a reader that had not opened it yet would find nothing), each line read in
// OUT, then "TERM" when SIGTERM ends it (after the line being handled, never instead of it).
std::string reader_script(const testing::TempDir& dir) {
  return write_script(dir / "reader.sh",
                      "out=$1; fifo=$2\n"
                      "exec 3< \"$fifo\"\n"
                      "printf '%s\\n' \"$*\" > \"$out.args\"\n"
                      "trap 'stop=1' TERM\n"
                      "while :; do\n"
                      "  if IFS= read -r line <&3; then printf '%s\\n' \"$line\" >> \"$out\"; fi\n"
                      "  if [ -n \"$stop\" ]; then echo TERM >> \"$out\"; exit 0; fi\n"
                      "done\n");
}

TEST_F(NotifyFifoTest, ScriptGetsThePathLastAndTheFinalLinesBeforeSigterm) {
  const std::string out = dir_ / "out";
  auto fifo = make(script(reader_script(dir_) + " " + out));
  ASSERT_TRUE(fifo->open());
  ASSERT_TRUE(fifo->script_id());
  ASSERT_TRUE(run_until(io_, [&] { return !read_file(out + ".args").empty(); }));
  EXPECT_EQ(read_file(out + ".args"), out + " " + fifo_path_ + "\n");

  fifo->write("INSTANCE \"VI_1\" MASTER 150\n");
  // The final lines are written right before stop(), as the daemon does at shutdown.
  fifo->write("INSTANCE \"VI_1\" STOP 150\n");
  fifo->write("GROUP \"G1\" STOP 0\n");
  stop(*fifo);
  EXPECT_EQ(read_file(out),
            "INSTANCE \"VI_1\" MASTER 150\n"
            "INSTANCE \"VI_1\" STOP 150\n"
            "GROUP \"G1\" STOP 0\n"
            "TERM\n");
  EXPECT_FALSE(fifo->script_id());
}

TEST_F(NotifyFifoTest, ScriptIgnoringSigtermIsKilledAfterTheGraceAndNotBefore) {
  const std::string started = dir_ / "started";
  auto fifo = make(script(write_script(dir_ / "stubborn.sh",
                                       "trap '' TERM\n"
                                       "touch \"$1\"\n"
                                       "exec sleep 60\n") +
                          " " + started));
  ASSERT_TRUE(fifo->open());
  ASSERT_TRUE(run_until(io_, [&] { return ::access(started.c_str(), F_OK) == 0; }));
  const auto pid = supervisor_.pid_of(*fifo->script_id());
  ASSERT_TRUE(pid);

  constexpr auto kGrace = 1000ms;
  bool done = false;
  const auto start = std::chrono::steady_clock::now();
  fifo->stop(kGrace, [&] { done = true; });
  run_for(io_, 600ms);
  EXPECT_FALSE(done);
  EXPECT_EQ(::kill(*pid, 0), 0) << "killed before the grace ended";
  ASSERT_TRUE(run_until(
      io_, [&] { return done; }, 5s));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, kGrace);
  EXPECT_LT(elapsed, kGrace + 1500ms);
  EXPECT_TRUE(testing::no_children()) << testing::children();
}

TEST_F(NotifyFifoTest, LinesAfterStopAreDropped) {
  auto fifo = make();
  ASSERT_TRUE(fifo->open());
  stop(*fifo);
  fifo->write("INSTANCE \"VI_1\" MASTER 150\n");
  EXPECT_EQ(fifo->lines_dropped(), 1u);
}

}  // namespace
}  // namespace halo::notify
