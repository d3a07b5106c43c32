// MISC_CHECK's probe with real scripts under the real supervisor: exit codes with and without
// misc_dynamic, a sleep killed at its timeout, a missing program, cancel() (the child is
// stopped, `done` never runs) and a probe destroyed from inside its own `done`.
#include "check/misc_probe.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "support/run_loop.h"

namespace halo::check {
namespace {

using namespace std::chrono_literals;
using halo::testing::run_for;
using halo::testing::run_until;

class MiscProbeTest : public ::testing::Test {
 protected:
  std::unique_ptr<Probe> probe(std::vector<std::string> argv, bool dynamic = false,
                               std::chrono::microseconds timeout = 5s) {
    MiscOptions options;
    options.command.argv = std::move(argv);
    options.command.timeout = timeout;
    options.command.kill_grace = 200ms;
    options.command.description = "MISC_CHECK of 192.0.2.10:80";
    options.dynamic = dynamic;
    return make_misc_probe(io, supervisor, std::move(options));
  }

  static std::vector<std::string> shell(const std::string& script) {
    return {"/bin/sh", "-c", script};
  }

  // Starts `p` and runs the loop until its outcome arrives.
  std::optional<Outcome> run(Probe& p, std::chrono::steady_clock::duration limit = 5s) {
    std::optional<Outcome> got;
    p.start([&](Outcome o) { got = std::move(o); });
    EXPECT_FALSE(got) << "done ran inside start()";
    EXPECT_TRUE(run_until(
        io, [&] { return got.has_value(); }, limit));
    return got;
  }

  boost::asio::io_context io;
  process::Supervisor supervisor{io};
};

TEST_F(MiscProbeTest, ExitZeroSucceeds) {
  auto p = probe(shell("exit 0"));
  EXPECT_EQ(p->kind(), "MISC_CHECK");
  const auto o = run(*p);
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->success);
  EXPECT_EQ(o->exit_code, 0);
  EXPECT_EQ(o->reason, "exit code 0");
}

TEST_F(MiscProbeTest, ExitTwoWithAndWithoutDynamic) {
  auto plain = probe(shell("exit 2"));
  auto o = run(*plain);
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->success);
  EXPECT_EQ(o->exit_code, 2);
  EXPECT_EQ(o->reason, "exit code 2");
  EXPECT_EQ(o->dynamic_weight, std::nullopt);

  auto dynamic = probe(shell("exit 2"), true);
  o = run(*dynamic);
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->success);
  EXPECT_EQ(o->exit_code, 2);
  EXPECT_EQ(o->dynamic_weight, 0);

  auto twelve = probe(shell("exit 12"), true);
  o = run(*twelve);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->dynamic_weight, 10);
}

TEST_F(MiscProbeTest, ExitOneFails) {
  auto p = probe(shell("exit 1"), true);
  const auto o = run(*p);
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->success);
  EXPECT_EQ(o->exit_code, 1);
  EXPECT_EQ(o->reason, "exit code 1");
}

TEST_F(MiscProbeTest, SleepIsKilledAtItsTimeout) {
  auto p = probe(shell("sleep 10"), true, 300ms);
  const auto begin = std::chrono::steady_clock::now();
  const auto o = run(*p);
  const auto took = std::chrono::steady_clock::now() - begin;
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->success);
  EXPECT_TRUE(o->timed_out);
  EXPECT_EQ(o->exit_code, std::nullopt);
  EXPECT_EQ(o->reason, "killed at misc_timeout 0.3 s");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 2s);
}

TEST_F(MiscProbeTest, MissingProgramFailsWithTheReason) {
  auto p = probe({"/nonexistent/halo-misc-check"});
  const auto o = run(*p);
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->success);
  EXPECT_EQ(o->exit_code, std::nullopt);
  EXPECT_NE(o->reason.find("/nonexistent/halo-misc-check"), std::string::npos) << o->reason;
  EXPECT_NE(o->reason.find("No such file or directory"), std::string::npos) << o->reason;
}

TEST_F(MiscProbeTest, SignalledScriptFails) {
  auto p = probe(shell("kill -9 $$"));
  const auto o = run(*p);
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->success);
  EXPECT_FALSE(o->timed_out);
  EXPECT_EQ(o->reason, "killed by signal 9");
}

TEST_F(MiscProbeTest, CancelStopsTheChildAndDoneNeverRuns) {
  auto p = probe(shell("sleep 0.5"));
  bool ran = false;
  p->start([&](const Outcome&) { ran = true; });
  run_for(io, 50ms);
  ASSERT_EQ(supervisor.running(), 1U);
  p->cancel();
  p->cancel();  // idempotent
  EXPECT_TRUE(run_until(
      io, [&] { return supervisor.running() == 0; }, 3s));
  run_for(io, 700ms);  // past the script's own end
  EXPECT_FALSE(ran);

  // And it starts again after a cancel.
  const auto again = run(*p);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->success);
}

TEST_F(MiscProbeTest, RunsAgainAfterAnAttempt) {
  auto p = probe(shell("exit 3"), true);
  for (int i = 0; i < 3; ++i) {
    const auto o = run(*p);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->exit_code, 3);
  }
  EXPECT_EQ(supervisor.started(), 3U);
}

TEST_F(MiscProbeTest, ProbeMayBeDestroyedInsideDone) {
  auto p = probe(shell("exit 0"));
  bool ran = false;
  p->start([&](const Outcome&) {
    ran = true;
    p.reset();
  });
  EXPECT_TRUE(run_until(
      io, [&] { return ran; }, 5s));
  EXPECT_EQ(p, nullptr);
  run_for(io, 20ms);
}

TEST_F(MiscProbeTest, DestroyingTheProbeStopsItsChild) {
  auto p = probe(shell("sleep 10"));
  p->start([](const Outcome&) { ADD_FAILURE() << "done ran after destruction"; });
  run_for(io, 50ms);
  ASSERT_EQ(supervisor.running(), 1U);
  p.reset();
  EXPECT_TRUE(run_until(
      io, [&] { return supervisor.running() == 0; }, 3s));
}

}  // namespace
}  // namespace halo::check
