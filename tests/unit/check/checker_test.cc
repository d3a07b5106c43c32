// The Checker on a real io_context with a scripted fake Probe and millisecond delays: retries
// then down, up again, every outcome reported (the L2 chain 0 -> 2 -> 1 -> 0 is four reports
// with its four exit codes), stats, disable/enable, and a handler that destroys the Checker.
// Also Target::text, the name every probe's destination goes by.
#include "check/checker.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <vector>

#include "support/run_loop.h"

namespace halo::check {
namespace {

using namespace std::chrono_literals;
using halo::testing::run_for;
using halo::testing::run_until;

Outcome outcome(bool success, std::string reason) {
  Outcome o;
  o.success = success;
  o.reason = std::move(reason);
  return o;
}
Outcome ok() {
  return outcome(true, "connected");
}
Outcome refused() {
  return outcome(false, "connection refused");
}
Outcome code(int c, bool dynamic = true) {
  Outcome o = outcome(c == 0 || (dynamic && c >= 2), "exit code " + std::to_string(c));
  o.exit_code = c;
  if (dynamic && c >= 2) o.dynamic_weight = c - 2;
  return o;
}

// Plays its outcomes in order, each one posted to the loop (done never runs inside start());
// when they run out it repeats the last. Counts starts and cancels.
struct Script {
  std::deque<Outcome> outcomes;
  Outcome last = ok();
  int starts = 0;
  int cancels = 0;
  bool hold = false;  // never answer: the attempt stays in progress
};

class FakeProbe final : public Probe {
 public:
  FakeProbe(boost::asio::io_context& io, std::shared_ptr<Script> script)
      : io_(io), script_(std::move(script)) {}
  ~FakeProbe() override { cancel(); }
  FakeProbe(const FakeProbe&) = delete;
  FakeProbe& operator=(const FakeProbe&) = delete;

  void start(Done done) override {
    ++script_->starts;
    if (script_->hold) return;
    Outcome o = script_->last;
    if (!script_->outcomes.empty()) {
      o = script_->outcomes.front();
      script_->outcomes.pop_front();
      script_->last = o;
    }
    done_ = std::move(done);
    boost::asio::post(io_, [alive = std::weak_ptr<int>(alive_), this, o] {
      if (alive.expired() || !done_) return;
      Done d = std::move(done_);
      done_ = nullptr;
      d(o);
    });
  }
  void cancel() override {
    ++script_->cancels;
    done_ = nullptr;
  }
  std::string_view kind() const override { return "MISC_CHECK"; }

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<Script> script_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  Done done_;
};

ScheduleConfig fast(std::uint32_t retry = 2, bool alpha = false) {
  ScheduleConfig c;
  c.delay_loop = 40ms;
  c.warmup = 0ms;
  c.retry = retry;
  c.delay_before_retry = 10ms;
  c.alpha = alpha;
  return c;
}

class CheckerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Checker> make(ScheduleConfig config, std::vector<Outcome> outcomes) {
    script->outcomes.assign(outcomes.begin(), outcomes.end());
    return std::make_unique<Checker>(io, std::make_unique<FakeProbe>(io, script), config,
                                     "MISC_CHECK 192.0.2.10:80",
                                     [this](const CheckerReport& r) { reports.push_back(r); });
  }

  bool wait_reports(std::size_t n, std::chrono::milliseconds limit = 3000ms) {
    return run_until(
        io, [&] { return reports.size() >= n; }, limit);
  }

  boost::asio::io_context io;
  std::shared_ptr<Script> script = std::make_shared<Script>();
  std::vector<CheckerReport> reports;
};

TEST_F(CheckerTest, RetriesThenGoesDownThenUpAgain) {
  auto c = make(fast(2), {ok(), refused(), refused(), refused(), refused(), ok()});
  EXPECT_TRUE(c->up());
  c->start();
  ASSERT_TRUE(wait_reports(6));

  EXPECT_TRUE(reports[0].up);
  EXPECT_FALSE(reports[0].changed);
  EXPECT_TRUE(reports[1].retrying);
  EXPECT_TRUE(reports[1].up);
  EXPECT_TRUE(reports[2].retrying);
  EXPECT_FALSE(reports[3].retrying);  // the last retry failed too
  EXPECT_EQ(reports[3].changed, std::optional<bool>(false));
  EXPECT_FALSE(reports[3].up);
  EXPECT_FALSE(reports[4].changed);  // down and failing: no change, no retry
  EXPECT_FALSE(reports[4].retrying);
  EXPECT_EQ(reports[5].changed, std::optional<bool>(true));
  EXPECT_TRUE(reports[5].up);

  const auto& s = c->stats();
  EXPECT_GE(s.attempts, 6U);
  EXPECT_EQ(s.failures, 4U);
  EXPECT_EQ(s.transitions, 2U);
  EXPECT_EQ(c->name(), "MISC_CHECK 192.0.2.10:80");
  EXPECT_EQ(c->kind(), "MISC_CHECK");
  EXPECT_NE(c->last_change(), std::chrono::system_clock::time_point{});
}

TEST_F(CheckerTest, RetryTimingUsesDelayBeforeRetryThenDelayLoop) {
  auto config = fast(1);
  config.delay_loop = 200ms;
  config.delay_before_retry = 20ms;
  auto c = make(config, {ok(), refused(), refused()});
  c->start();
  ASSERT_TRUE(wait_reports(1));
  auto next = c->next_run();
  ASSERT_TRUE(next);
  EXPECT_GT(*next - std::chrono::steady_clock::now(), 100ms);  // delay_loop after a success
  ASSERT_TRUE(wait_reports(2));
  next = c->next_run();
  ASSERT_TRUE(next);
  // delay_before_retry, rounded up to the checkers' start grid
  EXPECT_LE(*next - std::chrono::steady_clock::now(), 20ms + Checker::kStartGrid);
  EXPECT_EQ(next->time_since_epoch() % Checker::kStartGrid, 0ns);
}

TEST_F(CheckerTest, EveryOutcomeOfTheL2ChainIsReported) {
  // MISC_CHECK with misc_dynamic: 0 -> 2 -> 1 -> 0. Four reports, each with its exit code;
  // the verdict changes only at 1 (down: retry 0) and back at 0 (up).
  auto c = make(fast(0), {code(0), code(2), code(1), code(0)});
  c->start();
  ASSERT_TRUE(wait_reports(4));
  std::vector<std::optional<int>> codes;
  for (std::size_t i = 0; i < 4; ++i) codes.push_back(reports[i].outcome.exit_code);
  EXPECT_EQ(codes, (std::vector<std::optional<int>>{0, 2, 1, 0}));
  EXPECT_FALSE(reports[0].changed);
  EXPECT_FALSE(reports[1].changed);
  EXPECT_EQ(reports[1].outcome.dynamic_weight, 0);
  EXPECT_EQ(reports[2].changed, std::optional<bool>(false));
  EXPECT_EQ(reports[3].changed, std::optional<bool>(true));
  EXPECT_EQ(c->last_outcome()->exit_code, 0);
  EXPECT_EQ(c->stats().transitions, 2U);
}

TEST_F(CheckerTest, AlphaStartsDown) {
  auto c = make(fast(2, true), {refused(), ok()});
  EXPECT_FALSE(c->up());
  c->start();
  ASSERT_TRUE(wait_reports(2));
  EXPECT_FALSE(reports[0].changed);
  EXPECT_FALSE(reports[0].up);
  EXPECT_EQ(reports[1].changed, std::optional<bool>(true));
  EXPECT_TRUE(c->up());
}

TEST_F(CheckerTest, TimeoutsAreCounted) {
  Outcome timeout = outcome(false, "killed at misc_timeout 5 s");
  timeout.timed_out = true;
  auto c = make(fast(0), {timeout, ok()});
  c->start();
  ASSERT_TRUE(wait_reports(2));
  EXPECT_EQ(c->stats().timeouts, 1U);
  EXPECT_EQ(c->stats().failures, 1U);
}

TEST_F(CheckerTest, DisableStopsAttemptsAndReportsUp) {
  auto c = make(fast(0), {refused()});
  c->start();
  ASSERT_TRUE(wait_reports(1));
  ASSERT_FALSE(c->up());

  c->set_enabled(false);
  EXPECT_FALSE(c->enabled());
  EXPECT_TRUE(c->up());
  EXPECT_FALSE(c->next_run());
  const int starts = script->starts;
  const auto count = reports.size();
  run_for(io, 150ms);
  EXPECT_EQ(script->starts, starts);
  EXPECT_EQ(reports.size(), count);

  // Enabled again: a fresh start, attempts resume.
  c->set_enabled(true);
  EXPECT_TRUE(c->enabled());
  ASSERT_TRUE(wait_reports(count + 1));
  EXPECT_GT(script->starts, starts);
}

TEST_F(CheckerTest, DisableCancelsTheAttemptInProgress) {
  script->hold = true;
  auto c = make(fast(0), {});
  c->start();
  ASSERT_TRUE(run_until(
      io, [&] { return script->starts == 1; }, 1000ms));
  const int cancels = script->cancels;
  c->set_enabled(false);
  EXPECT_GT(script->cancels, cancels);
}

TEST_F(CheckerTest, HandlerMayDestroyTheChecker) {
  std::unique_ptr<Checker> c;
  int seen = 0;
  script->outcomes = {refused()};
  c = std::make_unique<Checker>(io, std::make_unique<FakeProbe>(io, script), fast(0), "c",
                                [&](const CheckerReport&) {
                                  ++seen;
                                  c.reset();
                                });
  c->start();
  ASSERT_TRUE(run_until(
      io, [&] { return seen == 1; }, 1000ms));
  EXPECT_EQ(c, nullptr);
  run_for(io, 120ms);  // no timer or probe of the dead Checker fires
  EXPECT_EQ(seen, 1);
}

TEST_F(CheckerTest, HandlerMayDisableTheChecker) {
  std::unique_ptr<Checker> c;
  int seen = 0;
  c = std::make_unique<Checker>(io, std::make_unique<FakeProbe>(io, script), fast(0), "c",
                                [&](const CheckerReport&) {
                                  ++seen;
                                  c->set_enabled(false);
                                });
  c->start();
  ASSERT_TRUE(run_until(
      io, [&] { return seen == 1; }, 1000ms));
  run_for(io, 120ms);
  EXPECT_EQ(seen, 1);
  EXPECT_FALSE(c->enabled());
}

TEST_F(CheckerTest, DestroyedWhileAnAttemptRunsCancelsIt) {
  script->hold = true;
  auto c = make(fast(0), {});
  c->start();
  ASSERT_TRUE(run_until(
      io, [&] { return script->starts == 1; }, 1000ms));
  const int cancels = script->cancels;
  c.reset();
  EXPECT_GT(script->cancels, cancels);
  run_for(io, 60ms);
  EXPECT_TRUE(reports.empty());
}

TEST_F(CheckerTest, DestroyedAfterTheTimerExpiredButBeforeItsHandlerRan) {
  // Two checkers due at the same moment; the first one's report destroys the second, whose
  // expired wait may already be queued: it must not run.
  std::unique_ptr<Checker> second;
  auto other = std::make_shared<Script>();
  auto first = std::make_unique<Checker>(io, std::make_unique<FakeProbe>(io, script), fast(0),
                                         "first", [&](const CheckerReport&) { second.reset(); });
  second = std::make_unique<Checker>(io, std::make_unique<FakeProbe>(io, other), fast(0), "second",
                                     [](const CheckerReport&) {});
  first->start();
  second->start();
  run_for(io, 100ms);
  EXPECT_EQ(second, nullptr);
}

TEST(Target, TextNamesAddressAndPort) {
  Target t;
  t.address = boost::asio::ip::make_address("192.0.2.10");
  t.port = 80;
  EXPECT_EQ(t.text(), "192.0.2.10:80");
  t.address = boost::asio::ip::make_address("2001:db8::10");
  t.port = 8443;
  EXPECT_EQ(t.text(), "[2001:db8::10]:8443");
}

TEST_F(CheckerTest, BeforeStartNothingRuns) {
  auto c = make(fast(0), {refused()});
  run_for(io, 60ms);
  EXPECT_EQ(script->starts, 0);
  EXPECT_FALSE(c->last_outcome());
  EXPECT_EQ(c->last_change(), std::chrono::system_clock::time_point{});
}

}  // namespace
}  // namespace halo::check
