// vrrp_script runs with real processes: a shell that exits with the code written in a file the
// test changes between runs, folded through rise and fall like keepalived 2.2.7; the initial
// state with and without init_fail; timeouts as failures; no overlapping runs.
#include "track/script_tracker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "support/run_loop.h"

namespace halo::track {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using halo::testing::run_until;

class ScriptTrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = "/tmp/halo_script_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    code_file_ = dir_ + "/code";
    set_code(0);
  }
  void TearDown() override {
    tracker_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void set_code(int code) { std::ofstream(code_file_) << code << "\n"; }

  config::VrrpScript script(std::uint32_t rise, std::uint32_t fall, bool init_fail = false) {
    config::VrrpScript s;
    s.name = "chk";
    s.script.command = "/bin/sh -c 'exit $(cat " + code_file_ + ")'";
    s.interval = 30ms;
    s.rise = rise;
    s.fall = fall;
    s.init_fail = init_fail;
    return s;
  }

  void make(config::VrrpScript s) {
    tracker_ = std::make_unique<ScriptTracker>(io_, supervisor_, std::move(s),
                                               process::Credentials{}, [this](bool up) {
                                                 changes_.push_back(up);
                                                 runs_at_change_.push_back(tracker_->stats().runs);
                                               });
  }

  // Runs until the tracker has finished `runs` runs in all.
  void run_to(std::uint64_t runs) {
    ASSERT_TRUE(run_until(io_, [&] { return tracker_->stats().runs >= runs; }))
        << "stuck at " << tracker_->stats().runs << " runs";
    ASSERT_EQ(tracker_->stats().runs, runs);
  }

  boost::asio::io_context io_;
  process::Supervisor supervisor_{io_};
  std::string dir_;
  std::string code_file_;
  std::unique_ptr<ScriptTracker> tracker_;
  std::vector<bool> changes_;
  std::vector<std::uint64_t> runs_at_change_;
};

TEST_F(ScriptTrackerTest, WithoutInitFailTheFirstSuccessIsEnough) {
  make(script(/*rise=*/3, /*fall=*/2));
  EXPECT_TRUE(tracker_->initialising());
  EXPECT_FALSE(tracker_->up());
  tracker_->start();
  run_to(1);
  EXPECT_FALSE(tracker_->initialising());
  EXPECT_TRUE(tracker_->up());
  EXPECT_EQ(changes_, std::vector<bool>{true});
}

TEST_F(ScriptTrackerTest, WithoutInitFailTheFirstFailureIsReported) {
  set_code(1);
  make(script(/*rise=*/1, /*fall=*/3));
  tracker_->start();
  run_to(1);
  EXPECT_FALSE(tracker_->up());
  EXPECT_FALSE(tracker_->initialising());
  EXPECT_EQ(changes_, std::vector<bool>{false});
  run_to(3);
  EXPECT_EQ(changes_, std::vector<bool>{false});  // still down: no more calls
  EXPECT_EQ(tracker_->stats().failures, 3U);
  EXPECT_EQ(tracker_->stats().last_exit, 1);
}

TEST_F(ScriptTrackerTest, InitFailNeedsRiseSuccesses) {
  make(script(/*rise=*/2, /*fall=*/1, /*init_fail=*/true));
  EXPECT_FALSE(tracker_->initialising());
  EXPECT_FALSE(tracker_->up());
  tracker_->start();
  run_to(1);
  EXPECT_FALSE(tracker_->up());
  EXPECT_TRUE(changes_.empty());
  run_to(2);
  EXPECT_TRUE(tracker_->up());
  EXPECT_EQ(changes_, std::vector<bool>{true});
  EXPECT_EQ(runs_at_change_, std::vector<std::uint64_t>{2});
}

TEST_F(ScriptTrackerTest, InitFailAndFailuresReportNothing) {
  set_code(2);
  make(script(/*rise=*/1, /*fall=*/1, /*init_fail=*/true));
  tracker_->start();
  run_to(3);
  EXPECT_FALSE(tracker_->up());
  EXPECT_TRUE(changes_.empty());
}

TEST_F(ScriptTrackerTest, RiseAndFallSequence) {
  make(script(/*rise=*/2, /*fall=*/3));
  tracker_->start();
  run_to(1);  // initial: one success is enough
  EXPECT_EQ(changes_, std::vector<bool>{true});

  set_code(1);
  run_to(3);  // two failures: still up (fall 3)
  EXPECT_TRUE(tracker_->up());
  set_code(0);
  run_to(4);  // a success in between resets the fall count
  set_code(1);
  run_to(6);
  EXPECT_TRUE(tracker_->up());
  EXPECT_EQ(changes_.size(), 1U);
  run_to(7);  // the third consecutive failure
  EXPECT_FALSE(tracker_->up());
  EXPECT_EQ(changes_, (std::vector<bool>{true, false}));

  set_code(0);
  run_to(8);  // one success: not yet (rise 2)
  EXPECT_FALSE(tracker_->up());
  set_code(3);
  run_to(9);  // a failure restarts the rise count
  set_code(0);
  run_to(10);
  EXPECT_FALSE(tracker_->up());
  run_to(11);
  EXPECT_TRUE(tracker_->up());
  EXPECT_EQ(changes_, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(runs_at_change_, (std::vector<std::uint64_t>{1, 7, 11}));
  EXPECT_EQ(tracker_->stats().failures, 6U);
}

TEST_F(ScriptTrackerTest, TimeoutCountsAsFailure) {
  auto s = script(/*rise=*/1, /*fall=*/1);
  s.script.command = "sleep 5";
  s.interval = 1s;
  s.timeout = 100ms;
  make(s);
  tracker_->start();
  run_to(1);
  EXPECT_FALSE(tracker_->up());
  EXPECT_EQ(changes_, std::vector<bool>{false});
  EXPECT_EQ(tracker_->stats().timeouts, 1U);
  EXPECT_EQ(tracker_->stats().failures, 1U);
  EXPECT_EQ(tracker_->stats().last_exit, -SIGTERM);
}

TEST_F(ScriptTrackerTest, TimeoutDefaultsToTheInterval) {
  auto s = script(/*rise=*/1, /*fall=*/1);
  s.script.command = "sleep 5";
  s.interval = 150ms;
  make(s);
  const auto start = Clock::now();
  tracker_->start();
  run_to(1);
  const auto took = Clock::now() - start;
  EXPECT_EQ(tracker_->stats().timeouts, 1U);
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 1s);
}

TEST_F(ScriptTrackerTest, RunsNeverOverlap) {
  auto s = script(/*rise=*/1, /*fall=*/1);
  s.script.command = "sleep 0.1";
  s.interval = 20ms;
  s.timeout = 2s;
  make(s);
  tracker_->start();
  std::size_t most = 0;
  ASSERT_TRUE(run_until(io_, [&] {
    most = std::max(most, supervisor_.running());
    return tracker_->stats().runs >= 3;
  }));
  EXPECT_EQ(most, 1U);
  EXPECT_EQ(changes_, std::vector<bool>{true});
}

TEST_F(ScriptTrackerTest, MissingProgramIsAFailure) {
  auto s = script(/*rise=*/1, /*fall=*/1);
  s.script.command = "/nonexistent/halo-check";
  make(s);
  tracker_->start();
  run_to(2);
  EXPECT_FALSE(tracker_->up());
  EXPECT_EQ(changes_, std::vector<bool>{false});
  EXPECT_EQ(tracker_->stats().last_exit, 127);
}

TEST_F(ScriptTrackerTest, DestroyingStopsTheRunAndTheHandler) {
  auto s = script(/*rise=*/1, /*fall=*/1);
  s.script.command = "sleep 30";
  s.timeout = 10s;
  make(s);
  tracker_->start();
  ASSERT_TRUE(run_until(io_, [&] { return supervisor_.running() == 1; }));
  tracker_.reset();
  ASSERT_TRUE(run_until(io_, [&] { return supervisor_.running() == 0; }));
  EXPECT_TRUE(changes_.empty());
}

TEST_F(ScriptTrackerTest, HandlerMayDestroyTheTracker) {
  make(script(/*rise=*/1, /*fall=*/1));
  tracker_ = std::make_unique<ScriptTracker>(io_, supervisor_, script(1, 1), process::Credentials{},
                                             [this](bool up) {
                                               changes_.push_back(up);
                                               tracker_.reset();
                                             });
  tracker_->start();
  ASSERT_TRUE(run_until(io_, [&] { return !changes_.empty(); }));
  EXPECT_EQ(tracker_, nullptr);
  run_until(
      io_, [] { return false; }, 100ms);
  EXPECT_EQ(changes_.size(), 1U);
  EXPECT_EQ(supervisor_.running(), 0U);
}

}  // namespace
}  // namespace halo::track
