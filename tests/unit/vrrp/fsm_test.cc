// The VRRP state machine against RFC 5798 §6.4 (and RFC 3768 for v2), with a fake clock.
#include "vrrp/fsm.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "vrrp/sync_group.h"

namespace halo::vrrp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0{};

IpAddress addr(const char* text) {
  return *IpAddress::parse(text);
}

const IpAddress kLocal = addr("192.0.2.10");
const IpAddress kLower = addr("192.0.2.5");
const IpAddress kHigher = addr("192.0.2.20");

FsmConfig v3_config(std::uint8_t priority = 100, Centiseconds interval = Centiseconds{100}) {
  FsmConfig c;
  c.version = 3;
  c.priority = priority;
  c.advert_interval = interval;
  c.primary_address = kLocal;
  return c;
}

AdvertIn advert(std::uint8_t priority, std::uint16_t interval = 100,
                const IpAddress& source = kHigher) {
  return AdvertIn{priority, interval, source};
}

// (256 - p) * interval / 256 in microseconds, computed independently of the FSM.
microseconds expected_skew(int priority, microseconds interval) {
  return microseconds{(256 - priority) * interval.count() / 256};
}

// Starts the FSM and, if asked, drives it to Master through its down timer. Returns the time
// at which the wanted state was reached.
TimePoint drive_to(Fsm& fsm, State wanted) {
  fsm.start(kT0);
  TimePoint now = kT0;
  if (wanted == State::Master && fsm.state() == State::Backup) {
    now = *fsm.next_deadline();
    fsm.on_timer(now);
  }
  EXPECT_EQ(fsm.state(), wanted);
  return now;
}

// Feeds scheduled adverts and fires timers in time order until `end`; returns when the FSM
// became Master (or nullopt).
struct Scheduled {
  TimePoint at;
  AdvertIn advert;
};
std::optional<TimePoint> run(Fsm& fsm, const std::vector<Scheduled>& adverts, TimePoint end) {
  std::size_t i = 0;
  for (int guard = 0; guard < 100000; ++guard) {
    const auto deadline = fsm.next_deadline();
    const bool advert_first = i < adverts.size() && (!deadline || adverts[i].at < *deadline);
    if (advert_first) {
      if (adverts[i].at > end) return std::nullopt;
      fsm.on_advert(adverts[i].advert, adverts[i].at);
      ++i;
    } else if (deadline && *deadline <= end) {
      const State before = fsm.state();
      fsm.on_timer(*deadline);
      if (before != State::Master && fsm.state() == State::Master) return *deadline;
    } else {
      return std::nullopt;
    }
  }
  ADD_FAILURE() << "run() did not finish";
  return std::nullopt;
}

std::vector<Scheduled> every(TimePoint first, microseconds period, int count, AdvertIn a) {
  std::vector<Scheduled> out;
  for (int k = 0; k < count; ++k) out.push_back({first + period * k, a});
  return out;
}

std::string describe(const Actions& actions) {
  std::string s;
  for (const auto& a : actions) {
    if (const auto* send = std::get_if<SendAdvert>(&a)) {
      s += "SendAdvert{" + std::to_string(send->priority) + "} ";
    } else if (std::holds_alternative<TakeOver>(a)) {
      s += "TakeOver ";
    } else if (std::holds_alternative<Release>(a)) {
      s += "Release ";
    } else if (const auto* sc = std::get_if<StateChange>(&a)) {
      s += "StateChange{" + std::string(to_string(sc->from)) + "->" +
           std::string(to_string(sc->to)) + ", " + std::string(to_string(sc->reason)) + "} ";
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// RFC 5798 §6.4.2 / §6.4.3 as a table: local priority 100, address 192.0.2.10, interval 1 s.

enum class Input { Advert, Timer };
enum class Deadline { Unchanged, NowPlusSkew, NowPlusMdi, NowPlusInterval, OldPlusInterval };

struct Row {
  const char* name;
  State from;
  bool preempt;
  bool lower_prio_no_advert;
  bool higher_prio_send_advert;
  Input input;
  AdvertIn advert;
  Actions expected;
  State to;
  Deadline deadline;
};

// Failure messages name the row instead of dumping its bytes.
void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

class Rfc5798Table : public ::testing::TestWithParam<Row> {};

TEST_P(Rfc5798Table, Transition) {
  const Row& row = GetParam();
  FsmConfig c = v3_config();
  c.preempt = row.preempt;
  c.lower_prio_no_advert = row.lower_prio_no_advert;
  c.higher_prio_send_advert = row.higher_prio_send_advert;
  Fsm fsm(c);
  const TimePoint reached = drive_to(fsm, row.from);
  const TimePoint old_deadline = *fsm.next_deadline();
  const TimePoint now = row.input == Input::Timer ? old_deadline : reached + milliseconds{250};

  const Actions actions =
      row.input == Input::Timer ? fsm.on_timer(now) : fsm.on_advert(row.advert, now);

  EXPECT_EQ(describe(actions), describe(row.expected));
  EXPECT_EQ(actions, row.expected);
  EXPECT_EQ(fsm.state(), row.to);
  const microseconds skew = expected_skew(100, seconds{1});
  TimePoint want{};
  switch (row.deadline) {
    case Deadline::Unchanged:
      want = old_deadline;
      break;
    case Deadline::NowPlusSkew:
      want = now + skew;
      break;
    case Deadline::NowPlusMdi:
      want = now + seconds{3} + skew;
      break;
    case Deadline::NowPlusInterval:
      want = now + seconds{1};
      break;
    case Deadline::OldPlusInterval:
      want = old_deadline + seconds{1};
      break;
  }
  ASSERT_TRUE(fsm.next_deadline().has_value());
  EXPECT_EQ(*fsm.next_deadline(), want);
}

const StateChange kMasterToBackupHigher{State::Master, State::Backup, Reason::HigherPriorityAdvert};
const StateChange kMasterToBackupAddress{State::Master, State::Backup, Reason::HigherAddressAdvert};

INSTANTIATE_TEST_SUITE_P(
    Rfc5798, Rfc5798Table,
    ::testing::Values(
        // §6.4.2 Backup
        Row{"BackupPriorityZeroSetsSkew",
            State::Backup,
            true,
            false,
            false,
            Input::Advert,
            advert(0),
            {},
            State::Backup,
            Deadline::NowPlusSkew},
        Row{"BackupHigherResets",
            State::Backup,
            true,
            false,
            false,
            Input::Advert,
            advert(150),
            {},
            State::Backup,
            Deadline::NowPlusMdi},
        Row{"BackupEqualHigherAddressResets",
            State::Backup,
            true,
            false,
            false,
            Input::Advert,
            advert(100, 100, kHigher),
            {},
            State::Backup,
            Deadline::NowPlusMdi},
        Row{"BackupEqualLowerAddressResetsNoTieBreakPreempt",
            State::Backup,
            true,
            false,
            false,
            Input::Advert,
            advert(100, 100, kLower),
            {},
            State::Backup,
            Deadline::NowPlusMdi},
        Row{"BackupLowerPreemptDiscards",
            State::Backup,
            true,
            false,
            false,
            Input::Advert,
            advert(50),
            {},
            State::Backup,
            Deadline::Unchanged},
        Row{"BackupLowerNoPreemptResets",
            State::Backup,
            false,
            false,
            false,
            Input::Advert,
            advert(50),
            {},
            State::Backup,
            Deadline::NowPlusMdi},
        Row{"BackupDownTimerFires",
            State::Backup,
            true,
            false,
            false,
            Input::Timer,
            {},
            {SendAdvert{100}, TakeOver{},
             StateChange{State::Backup, State::Master, Reason::MasterDownTimer}},
            State::Master,
            Deadline::NowPlusInterval},
        // §6.4.3 Master
        Row{"MasterPriorityZeroSendsNow",
            State::Master,
            true,
            false,
            false,
            Input::Advert,
            advert(0),
            {SendAdvert{100}},
            State::Master,
            Deadline::NowPlusInterval},
        Row{"MasterHigherStepsDown",
            State::Master,
            true,
            false,
            false,
            Input::Advert,
            advert(150),
            {Release{}, kMasterToBackupHigher},
            State::Backup,
            Deadline::NowPlusMdi},
        Row{"MasterHigherSendAdvertFirst",
            State::Master,
            true,
            false,
            true,
            Input::Advert,
            advert(150),
            {SendAdvert{100}, Release{}, kMasterToBackupHigher},
            State::Backup,
            Deadline::NowPlusMdi},
        Row{"MasterEqualHigherAddressStepsDown",
            State::Master,
            true,
            false,
            false,
            Input::Advert,
            advert(100, 100, kHigher),
            {Release{}, kMasterToBackupAddress},
            State::Backup,
            Deadline::NowPlusMdi},
        Row{"MasterEqualLowerAddressStays",
            State::Master,
            true,
            false,
            false,
            Input::Advert,
            advert(100, 100, kLower),
            {SendAdvert{100}},
            State::Master,
            Deadline::Unchanged},
        Row{"MasterLowerAnswers",
            State::Master,
            true,
            false,
            false,
            Input::Advert,
            advert(50),
            {SendAdvert{100}},
            State::Master,
            Deadline::Unchanged},
        Row{"MasterLowerNoAdvertDiscards",
            State::Master,
            true,
            true,
            false,
            Input::Advert,
            advert(50),
            {},
            State::Master,
            Deadline::Unchanged},
        Row{"MasterAdverTimerFires",
            State::Master,
            true,
            false,
            false,
            Input::Timer,
            {},
            {SendAdvert{100}},
            State::Master,
            Deadline::OldPlusInterval}),
    [](const ::testing::TestParamInfo<Row>& row_info) { return std::string(row_info.param.name); });

// ---------------------------------------------------------------------------------------------
// Timing.

struct SkewCase {
  int priority;
  Centiseconds interval;
};

class MasterDownTiming : public ::testing::TestWithParam<SkewCase> {};

TEST_P(MasterDownTiming, BackupTakesOverAtThreeIntervalsPlusSkew) {
  const auto [priority, interval] = GetParam();
  Fsm fsm(v3_config(static_cast<std::uint8_t>(priority), interval));
  const microseconds interval_us = interval;
  const microseconds skew = expected_skew(priority, interval_us);
  EXPECT_EQ(fsm.skew_time(), skew);
  EXPECT_EQ(fsm.master_down_interval(), 3 * interval_us + skew);

  EXPECT_EQ(fsm.start(kT0), (Actions{StateChange{State::Init, State::Backup, Reason::Start}}));
  // A master's advert half an interval in resets the timer.
  const TimePoint heard = kT0 + interval_us / 2;
  EXPECT_TRUE(
      fsm.on_advert(advert(255, static_cast<std::uint16_t>(interval.count())), heard).empty());
  const TimePoint due = heard + 3 * interval_us + skew;
  ASSERT_EQ(fsm.next_deadline(), due);
  EXPECT_TRUE(fsm.on_timer(due - microseconds{1}).empty());
  EXPECT_EQ(fsm.state(), State::Backup);
  EXPECT_EQ(fsm.on_timer(due),
            (Actions{SendAdvert{static_cast<std::uint8_t>(priority)}, TakeOver{},
                     StateChange{State::Backup, State::Master, Reason::MasterDownTimer}}));
  EXPECT_EQ(fsm.next_deadline(), due + interval_us);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc5798, MasterDownTiming,
    ::testing::Values(SkewCase{1, Centiseconds{100}}, SkewCase{100, Centiseconds{100}},
                      SkewCase{254, Centiseconds{100}}, SkewCase{1, Centiseconds{10}},
                      SkewCase{128, Centiseconds{10}}, SkewCase{200, Centiseconds{10}},
                      SkewCase{1, Centiseconds{1}}, SkewCase{100, Centiseconds{1}},
                      SkewCase{254, Centiseconds{1}}));

TEST(FsmTiming, SkewKnownValues) {
  EXPECT_EQ(Fsm(v3_config(100, Centiseconds{100})).skew_time(), microseconds{609375});
  EXPECT_EQ(Fsm(v3_config(128, Centiseconds{100})).master_down_interval(), microseconds{3500000});
  EXPECT_EQ(Fsm(v3_config(200, Centiseconds{10})).skew_time(), microseconds{21875});
  // Below a centisecond: kept in microseconds (78.125 us truncated), not rounded to 0.
  EXPECT_EQ(Fsm(v3_config(254, Centiseconds{1})).skew_time(), microseconds{78});
}

TEST(FsmTiming, V2SkewIsFractionOfOneSecondWhateverTheInterval) {
  FsmConfig c = v3_config(100, Centiseconds{300});
  c.version = 2;
  Fsm fsm(c);
  EXPECT_EQ(fsm.advert_interval(), seconds{3});
  EXPECT_EQ(fsm.skew_time(), microseconds{609375});
  EXPECT_EQ(fsm.master_down_interval(), seconds{9} + microseconds{609375});
}

TEST(FsmTiming, V2IntervalRoundedUpToWholeSeconds) {
  FsmConfig c = v3_config(100, Centiseconds{150});
  c.version = 2;
  EXPECT_EQ(Fsm(c).advert_interval(), seconds{2});
  c.advert_interval = Centiseconds{10};
  EXPECT_EQ(Fsm(c).advert_interval(), seconds{1});
}

TEST(FsmTiming, DownTimerAdverts) {
  FsmConfig c = v3_config(100, Centiseconds{100});
  c.down_timer_adverts = 5;
  EXPECT_EQ(Fsm(c).master_down_interval(), seconds{5} + microseconds{609375});
}

TEST(FsmTiming, PriorityZeroAdvertTakesOverAtSkewTime) {
  for (const auto interval : {Centiseconds{100}, Centiseconds{10}, Centiseconds{1}}) {
    Fsm fsm(v3_config(200, interval));
    fsm.start(kT0);
    const auto ticks = static_cast<std::uint16_t>(interval.count());
    fsm.on_advert(advert(250, ticks), kT0 + milliseconds{1});
    const TimePoint released = kT0 + milliseconds{2};
    EXPECT_TRUE(fsm.on_advert(advert(0, ticks), released).empty());
    const TimePoint due = released + expected_skew(200, interval);
    ASSERT_EQ(fsm.next_deadline(), due);
    EXPECT_EQ(fsm.on_timer(due),
              (Actions{SendAdvert{200}, TakeOver{},
                       StateChange{State::Backup, State::Master, Reason::PriorityZeroAdvert}}));
  }
}

TEST(FsmTiming, MasterAdvertsDoNotDrift) {
  Fsm fsm(v3_config(100, Centiseconds{1}));
  const TimePoint became = drive_to(fsm, State::Master);
  int sent = 0;
  // The shell is always 300 us late; deadlines still follow the grid.
  for (int k = 1; k <= 1000; ++k) {
    const TimePoint due = *fsm.next_deadline();
    ASSERT_EQ(due, became + milliseconds{10} * k);
    sent += static_cast<int>(fsm.on_timer(due + microseconds{300}).size());
  }
  EXPECT_EQ(sent, 1000);
  // After a stall longer than an interval the grid restarts from now.
  const TimePoint late = *fsm.next_deadline() + milliseconds{50};
  EXPECT_EQ(fsm.on_timer(late), (Actions{SendAdvert{100}}));
  EXPECT_EQ(fsm.next_deadline(), late + milliseconds{10});
}

TEST(FsmTiming, EarlyTimerCallDoesNothing) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  EXPECT_TRUE(fsm.on_timer(kT0 + seconds{1}).empty());
  EXPECT_EQ(fsm.state(), State::Backup);
}

// ---------------------------------------------------------------------------------------------
// Preemption.

TEST(FsmPreempt, PreemptsLowerPriorityMasterAtMasterDownInterval) {
  Fsm fsm(v3_config(100));
  fsm.start(kT0);
  const auto adverts = every(kT0 + milliseconds{100}, seconds{1}, 20, advert(50));
  const auto took_over = run(fsm, adverts, kT0 + seconds{20});
  ASSERT_TRUE(took_over.has_value());
  EXPECT_EQ(*took_over, kT0 + seconds{3} + microseconds{609375});
}

TEST(FsmPreempt, ReasonIsPreempt) {
  Fsm fsm(v3_config(100));
  fsm.start(kT0);
  fsm.on_advert(advert(50), kT0 + seconds{1});
  EXPECT_EQ(fsm.on_timer(*fsm.next_deadline()),
            (Actions{SendAdvert{100}, TakeOver{},
                     StateChange{State::Backup, State::Master, Reason::Preempt}}));
}

TEST(FsmPreempt, NoPreemptLeavesLowerPriorityMasterAlone) {
  FsmConfig c = v3_config(100);
  c.preempt = false;
  Fsm fsm(c);
  fsm.start(kT0);
  const auto adverts = every(kT0 + milliseconds{100}, seconds{1}, 20, advert(50));
  EXPECT_FALSE(run(fsm, adverts, kT0 + seconds{20}).has_value());
  EXPECT_EQ(fsm.state(), State::Backup);
  // When the master goes silent, the backup still takes over.
  const auto took_over = run(fsm, {}, kT0 + seconds{30});
  ASSERT_TRUE(took_over.has_value());
  EXPECT_EQ(*took_over, kT0 + milliseconds{19100} + seconds{3} + microseconds{609375});
}

TEST(FsmPreempt, PreemptDelayAtStartup) {
  // The man page's example: advert_int 1, priority 128: 3.5 s normally, ~5.5 s with delay 2.
  FsmConfig c = v3_config(128);
  c.preempt_delay = seconds{2};
  Fsm fsm(c);
  fsm.start(kT0);
  const auto adverts = every(kT0 + milliseconds{500}, seconds{1}, 20, advert(50));
  // Adverts at 0.5 s and 1.5 s fall inside the window and reset the timer; 2.5 s does not.
  const auto took_over = run(fsm, adverts, kT0 + seconds{20});
  ASSERT_TRUE(took_over.has_value());
  EXPECT_EQ(*took_over, kT0 + milliseconds{1500} + milliseconds{3500});

  Fsm undelayed(v3_config(128));
  undelayed.start(kT0);
  EXPECT_EQ(run(undelayed, adverts, kT0 + seconds{20}), kT0 + milliseconds{3500});
}

TEST(FsmPreempt, PreemptDelayDoesNotDelayTakeOverWithoutMaster) {
  FsmConfig c = v3_config(128);
  c.preempt_delay = seconds{2};
  Fsm fsm(c);
  fsm.start(kT0);
  EXPECT_EQ(run(fsm, {}, kT0 + seconds{20}), kT0 + milliseconds{3500});
}

TEST(FsmPreempt, PreemptDelayWindowOpensWhenLowerMasterFirstSeen) {
  FsmConfig c = v3_config(128);
  c.preempt_delay = seconds{2};
  Fsm fsm(c);
  fsm.start(kT0);
  // A better master for 10 s (its adverts close the start-up window), then its priority
  // drops below ours: the window runs 10 s..12 s.
  auto adverts = every(kT0 + milliseconds{100}, seconds{1}, 10, advert(200));
  for (const auto& s : every(kT0 + seconds{10}, seconds{1}, 10, advert(50))) adverts.push_back(s);
  const auto took_over = run(fsm, adverts, kT0 + seconds{30});
  ASSERT_TRUE(took_over.has_value());
  EXPECT_EQ(*took_over, kT0 + seconds{11} + milliseconds{3500});
}

TEST(FsmPreempt, EqualPriorityAdvertClosesTheWindow) {
  FsmConfig c = v3_config(128);
  c.preempt_delay = seconds{2};
  Fsm fsm(c);
  fsm.start(kT0);
  // An equal-priority master at 0.5 s closes the start-up window; its lower-priority adverts
  // from 10 s open a new one (10 s..12 s).
  std::vector<Scheduled> adverts{{kT0 + milliseconds{500}, advert(128)}};
  for (const auto& s : every(kT0 + seconds{1}, seconds{1}, 9, advert(128))) adverts.push_back(s);
  for (const auto& s : every(kT0 + seconds{10}, seconds{1}, 10, advert(50))) adverts.push_back(s);
  EXPECT_EQ(run(fsm, adverts, kT0 + seconds{30}), kT0 + seconds{11} + milliseconds{3500});
}

TEST(FsmPreempt, LeavingFaultOpensNoWindow) {
  FsmConfig c = v3_config(128);
  c.preempt_delay = seconds{2};
  Fsm fsm(c);
  fsm.start(kT0);
  fsm.set_fault(true, kT0 + seconds{1});
  fsm.set_fault(false, kT0 + seconds{20});
  // The first lower-priority advert (21.9 s) opens the window: 21.9 and 22.9 reset the timer,
  // 23.9 does not. A window opened at recovery (20..22 s) would give 25.4 s instead.
  const auto adverts = every(kT0 + milliseconds{21900}, seconds{1}, 10, advert(50));
  EXPECT_EQ(run(fsm, adverts, kT0 + seconds{40}), kT0 + milliseconds{22900} + milliseconds{3500});
}

TEST(FsmPreempt, InitialStateMasterClearsNoPreemptAndDelay) {
  FsmConfig c = v3_config(100);
  c.initial_state = State::Master;
  c.preempt = false;
  c.preempt_delay = seconds{5};
  Fsm fsm(c);
  EXPECT_TRUE(fsm.config().preempt);
  EXPECT_EQ(fsm.config().preempt_delay, milliseconds{0});
  // state MASTER below 255 still starts as BACKUP with the normal Master_Down_Interval
  // (keepalived 2.2.7, measured: see the top of fsm.cc).
  EXPECT_EQ(fsm.start(kT0), (Actions{StateChange{State::Init, State::Backup, Reason::Start}}));
  EXPECT_EQ(fsm.next_deadline(), kT0 + seconds{3} + microseconds{609375});
}

// keepalived 2.2.7, state MASTER, priority 100, advert_int 3, alone: BACKUP at start, MASTER
// 10 s later (3 x 3 s + 1.83 s skew), as keepalived.conf(5) says ("between 3 and 4 advert
// intervals"). Here at 1 s: 3 s + 0.609375 s.
TEST(FsmStart, StateMasterWaitsTheMasterDownInterval) {
  FsmConfig c = v3_config(100);
  c.initial_state = State::Master;
  Fsm fsm(c);
  fsm.start(kT0);
  EXPECT_EQ(run(fsm, {}, kT0 + seconds{10}), kT0 + seconds{3} + microseconds{609375});
}

TEST(FsmStart, StateMasterYieldsToARunningHigherMaster) {
  FsmConfig c = v3_config(100);
  c.initial_state = State::Master;
  Fsm fsm(c);
  fsm.start(kT0);
  const auto adverts = every(kT0 + milliseconds{500}, seconds{1}, 10, advert(200));
  EXPECT_FALSE(run(fsm, adverts, kT0 + seconds{10}).has_value());
  EXPECT_EQ(fsm.next_deadline(), kT0 + milliseconds{9500} + seconds{3} + microseconds{609375});
}

TEST(FsmStart, StateMasterPreemptsALowerMasterAtTheDownTimer) {
  FsmConfig c = v3_config(100);
  c.initial_state = State::Master;
  Fsm fsm(c);
  fsm.start(kT0);
  // Lower-priority adverts are discarded (preempt), so the first down timer fires.
  const auto adverts = every(kT0 + milliseconds{500}, seconds{1}, 10, advert(50));
  EXPECT_EQ(run(fsm, adverts, kT0 + seconds{10}), kT0 + seconds{3} + microseconds{609375});
}

TEST(FsmStart, AddressOwnerIgnoresNoPreempt) {
  FsmConfig c = v3_config(255);
  c.preempt = false;
  EXPECT_TRUE(Fsm(c).config().preempt);
}

// ---------------------------------------------------------------------------------------------
// Equal priority.

TEST(FsmTieBreak, MasterWithLowerAddressStepsDown) {
  Fsm fsm(v3_config(100));
  drive_to(fsm, State::Master);
  const Actions a = fsm.on_advert(advert(100, 100, kHigher), kT0 + seconds{5});
  EXPECT_EQ(a, (Actions{Release{}, kMasterToBackupAddress}));
}

TEST(FsmTieBreak, MasterWithHigherAddressStaysAndCountsSplitBrain) {
  Fsm fsm(v3_config(100));
  drive_to(fsm, State::Master);
  EXPECT_EQ(fsm.on_advert(advert(100, 100, kLower), kT0 + seconds{5}), (Actions{SendAdvert{100}}));
  EXPECT_EQ(fsm.state(), State::Master);
  EXPECT_EQ(fsm.split_brain_adverts(), 1U);
}

TEST(FsmTieBreak, BackupNeverPreemptsEqualPriorityMasterByAddress) {
  Fsm fsm(v3_config(100));  // our address 192.0.2.10 > the master's 192.0.2.5
  fsm.start(kT0);
  const auto adverts = every(kT0 + milliseconds{100}, seconds{1}, 30, advert(100, 100, kLower));
  EXPECT_FALSE(run(fsm, adverts, kT0 + seconds{30}).has_value());
  EXPECT_EQ(fsm.state(), State::Backup);
}

TEST(FsmTieBreak, Ipv6AddressesCompareNumerically) {
  FsmConfig c = v3_config(100);
  c.primary_address = addr("2001:db8::10");
  Fsm fsm(c);
  drive_to(fsm, State::Master);
  EXPECT_EQ(fsm.on_advert(advert(100, 100, addr("2001:db8::9")), kT0 + seconds{5}).size(), 1U);
  EXPECT_EQ(fsm.state(), State::Master);
  fsm.on_advert(advert(100, 100, addr("2001:db8::1:0")), kT0 + seconds{6});
  EXPECT_EQ(fsm.state(), State::Backup);
}

TEST(FsmTieBreak, OwnAddressAtEqualPriorityIsIgnored) {
  Fsm fsm(v3_config(100));
  drive_to(fsm, State::Master);
  EXPECT_TRUE(fsm.on_advert(advert(100, 100, kLocal), kT0 + seconds{5}).empty());
  EXPECT_EQ(fsm.state(), State::Master);
  EXPECT_EQ(fsm.split_brain_adverts(), 0U);
}

TEST(FsmTieBreak, TwoAddressOwnersTheMasterYields) {
  Fsm fsm(v3_config(255));
  fsm.start(kT0);
  // Even from a lower address: two owners is a configuration error, keepalived yields.
  EXPECT_EQ(fsm.on_advert(advert(255, 100, kLower), kT0 + seconds{1}),
            (Actions{Release{}, kMasterToBackupHigher}));
  EXPECT_EQ(fsm.priority(), 254);
}

// ---------------------------------------------------------------------------------------------
// Split brain.

TEST(FsmSplitBrain, LowerPriorityAdvertsAtMasterAreCounted) {
  FsmConfig c = v3_config(100);
  c.lower_prio_no_advert = true;
  Fsm fsm(c);
  drive_to(fsm, State::Master);
  fsm.on_advert(advert(50), kT0 + seconds{5});
  fsm.on_advert(advert(50), kT0 + seconds{6});
  fsm.on_advert(advert(0), kT0 + seconds{7});  // a leaving master is not a second master
  EXPECT_EQ(fsm.split_brain_adverts(), 2U);
}

// ---------------------------------------------------------------------------------------------
// Advert interval.

TEST(FsmInterval, V3BackupLearnsMasterAdverInterval) {
  Fsm fsm(v3_config(100, Centiseconds{100}));
  fsm.start(kT0);
  const TimePoint now = kT0 + milliseconds{300};
  fsm.on_advert(advert(200, 50), now);
  EXPECT_EQ(fsm.master_adver_interval(), milliseconds{500});
  const microseconds skew = expected_skew(100, milliseconds{500});
  EXPECT_EQ(fsm.next_deadline(), now + milliseconds{1500} + skew);
  // Our own advert interval is unchanged once we are master.
  fsm.on_timer(*fsm.next_deadline());
  EXPECT_EQ(fsm.advert_interval(), seconds{1});
}

TEST(FsmInterval, V3MasterSteppingDownLearnsInterval) {
  Fsm fsm(v3_config(100, Centiseconds{100}));
  const TimePoint became = drive_to(fsm, State::Master);
  fsm.on_advert(advert(200, 20), became + milliseconds{10});
  EXPECT_EQ(fsm.master_adver_interval(), milliseconds{200});
  EXPECT_EQ(fsm.next_deadline(),
            became + milliseconds{10} + milliseconds{600} + expected_skew(100, milliseconds{200}));
}

TEST(FsmInterval, V3ZeroIntervalDropped) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  const auto before = fsm.next_deadline();
  EXPECT_TRUE(fsm.on_advert(advert(200, 0), kT0 + seconds{1}).empty());
  EXPECT_EQ(fsm.next_deadline(), before);
  EXPECT_EQ(fsm.zero_interval_drops(), 1U);
}

TEST(FsmInterval, V2MismatchDroppedAndCounted) {
  FsmConfig c = v3_config(100, Centiseconds{100});
  c.version = 2;
  Fsm fsm(c);
  fsm.start(kT0);
  const auto before = fsm.next_deadline();
  EXPECT_TRUE(fsm.on_advert(advert(200, 2), kT0 + seconds{1}).empty());
  EXPECT_EQ(fsm.next_deadline(), before);
  EXPECT_EQ(fsm.interval_mismatch_drops(), 1U);
  EXPECT_EQ(fsm.master_adver_interval(), seconds{1});
  // A matching one resets the timer.
  fsm.on_advert(advert(200, 1), kT0 + seconds{1});
  EXPECT_EQ(fsm.next_deadline(), kT0 + seconds{4} + microseconds{609375});

  // As master, a mismatching higher-priority advert is dropped too.
  fsm.on_timer(*fsm.next_deadline());
  ASSERT_EQ(fsm.state(), State::Master);
  EXPECT_TRUE(fsm.on_advert(advert(200, 3), kT0 + seconds{10}).empty());
  EXPECT_EQ(fsm.state(), State::Master);
  EXPECT_EQ(fsm.interval_mismatch_drops(), 2U);
}

// ---------------------------------------------------------------------------------------------
// Fault, stop, start-up.

TEST(FsmFault, FromInitStartsInFault) {
  Fsm fsm(v3_config());
  EXPECT_TRUE(fsm.set_fault(true, kT0).empty());
  EXPECT_EQ(fsm.start(kT0), (Actions{StateChange{State::Init, State::Fault, Reason::Fault}}));
  EXPECT_FALSE(fsm.next_deadline().has_value());
  EXPECT_EQ(fsm.set_fault(false, kT0 + seconds{1}),
            (Actions{StateChange{State::Fault, State::Backup, Reason::FaultCleared}}));
  EXPECT_EQ(fsm.next_deadline(), kT0 + seconds{4} + microseconds{609375});
}

TEST(FsmFault, FromBackup) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  EXPECT_EQ(fsm.set_fault(true, kT0 + seconds{1}),
            (Actions{StateChange{State::Backup, State::Fault, Reason::Fault}}));
  EXPECT_FALSE(fsm.next_deadline().has_value());
  EXPECT_TRUE(fsm.set_fault(true, kT0 + seconds{2}).empty());
}

TEST(FsmFault, FromMasterSendsPriorityZeroAndReleases) {
  Fsm fsm(v3_config());
  const TimePoint became = drive_to(fsm, State::Master);
  EXPECT_EQ(
      fsm.set_fault(true, became + seconds{1}),
      (Actions{SendAdvert{0}, Release{}, StateChange{State::Master, State::Fault, Reason::Fault}}));
  EXPECT_FALSE(fsm.next_deadline().has_value());
}

TEST(FsmFault, InFaultAdvertsAndTimersAreIgnored) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  fsm.set_fault(true, kT0);
  EXPECT_TRUE(fsm.on_advert(advert(0), kT0 + seconds{1}).empty());
  EXPECT_TRUE(fsm.on_timer(kT0 + seconds{100}).empty());
  EXPECT_EQ(fsm.state(), State::Fault);
}

TEST(FsmFault, RecoveryGoesBackupWithConfiguredInterval) {
  Fsm fsm(v3_config(100, Centiseconds{100}));
  fsm.start(kT0);
  fsm.on_advert(advert(200, 50), kT0 + seconds{1});  // learned 0.5 s
  fsm.set_fault(true, kT0 + seconds{2});
  const TimePoint now = kT0 + seconds{10};
  EXPECT_EQ(fsm.set_fault(false, now),
            (Actions{StateChange{State::Fault, State::Backup, Reason::FaultCleared}}));
  EXPECT_EQ(fsm.master_adver_interval(), seconds{1});
  EXPECT_EQ(fsm.next_deadline(), now + seconds{3} + microseconds{609375});
}

TEST(FsmFault, AddressOwnerRecoversToMaster) {
  Fsm fsm(v3_config(255));
  fsm.start(kT0);
  fsm.set_fault(true, kT0 + seconds{1});
  EXPECT_EQ(fsm.set_fault(false, kT0 + seconds{2}),
            (Actions{SendAdvert{255}, TakeOver{},
                     StateChange{State::Fault, State::Master, Reason::AddressOwner}}));
}

TEST(FsmFault, InStopOnlyRemembered) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  fsm.stop(kT0 + seconds{1});
  EXPECT_TRUE(fsm.set_fault(true, kT0 + seconds{2}).empty());
  EXPECT_TRUE(fsm.set_fault(false, kT0 + seconds{3}).empty());
  EXPECT_EQ(fsm.state(), State::Stop);
}

TEST(FsmStop, FromMasterSendsPriorityZeroAndReleases) {
  Fsm fsm(v3_config());
  const TimePoint became = drive_to(fsm, State::Master);
  EXPECT_EQ(
      fsm.stop(became + seconds{1}),
      (Actions{SendAdvert{0}, Release{}, StateChange{State::Master, State::Stop, Reason::Stop}}));
  EXPECT_FALSE(fsm.next_deadline().has_value());
  EXPECT_TRUE(fsm.on_advert(advert(200), became + seconds{2}).empty());
  EXPECT_TRUE(fsm.stop(became + seconds{3}).empty());
}

TEST(FsmStop, FromBackupAndFault) {
  Fsm backup(v3_config());
  backup.start(kT0);
  EXPECT_EQ(backup.stop(kT0 + seconds{1}),
            (Actions{StateChange{State::Backup, State::Stop, Reason::Stop}}));
  Fsm fault(v3_config());
  fault.set_fault(true, kT0);
  fault.start(kT0);
  EXPECT_EQ(fault.stop(kT0 + seconds{1}),
            (Actions{StateChange{State::Fault, State::Stop, Reason::Stop}}));
}

TEST(FsmStart, AddressOwnerGoesMasterAtOnce) {
  for (const State wanted : {State::Master, State::Backup}) {
    FsmConfig c = v3_config(255);
    c.initial_state = wanted;
    Fsm fsm(c);
    EXPECT_EQ(fsm.start(kT0),
              (Actions{SendAdvert{255}, TakeOver{},
                       StateChange{State::Init, State::Master, Reason::AddressOwner}}));
    EXPECT_EQ(fsm.next_deadline(), kT0 + seconds{1});
  }
}

TEST(FsmStart, SecondStartIsIgnored) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  EXPECT_TRUE(fsm.start(kT0 + seconds{1}).empty());
  EXPECT_EQ(fsm.next_deadline(), kT0 + seconds{3} + microseconds{609375});
}

TEST(FsmStart, InputsBeforeStartAreIgnored) {
  Fsm fsm(v3_config());
  EXPECT_TRUE(fsm.on_advert(advert(200), kT0).empty());
  EXPECT_TRUE(fsm.on_timer(kT0 + seconds{10}).empty());
  EXPECT_EQ(fsm.state(), State::Init);
  EXPECT_FALSE(fsm.next_deadline().has_value());
}

// ---------------------------------------------------------------------------------------------
// Priority changes.

TEST(FsmPriority, NewPriorityGoesInNextAdvertAndSkew) {
  Fsm fsm(v3_config(100));
  const TimePoint became = drive_to(fsm, State::Master);
  EXPECT_TRUE(fsm.set_priority(90, became).empty());
  EXPECT_EQ(fsm.on_timer(*fsm.next_deadline()), (Actions{SendAdvert{90}}));
  EXPECT_EQ(fsm.skew_time(), expected_skew(90, seconds{1}));
  // A master at 90 now steps down to an advert at 95.
  fsm.on_advert(advert(95), became + seconds{2});
  EXPECT_EQ(fsm.state(), State::Backup);
  fsm.set_priority(0, became + seconds{3});
  EXPECT_EQ(fsm.priority(), 1);
  fsm.set_priority(255, became + seconds{4});
  EXPECT_EQ(fsm.priority(), 254);
}

TEST(FsmPriority, AddressOwnerMayReturnTo255) {
  Fsm fsm(v3_config(255));
  fsm.set_priority(200, kT0);
  EXPECT_EQ(fsm.priority(), 200);
  fsm.set_priority(255, kT0);
  EXPECT_EQ(fsm.priority(), 255);
}

TEST(FsmNames, StatesAndReasons) {
  EXPECT_EQ(to_string(State::Init), "INIT");
  EXPECT_EQ(to_string(State::Backup), "BACKUP");
  EXPECT_EQ(to_string(State::Master), "MASTER");
  EXPECT_EQ(to_string(State::Fault), "FAULT");
  EXPECT_EQ(to_string(State::Stop), "STOP");
  EXPECT_EQ(to_string(Reason::MasterDownTimer), "master down timer");
  EXPECT_EQ(to_string(Reason::HigherPriorityAdvert), "higher priority advert");
  EXPECT_EQ(to_string(Reason::Preempt), "preempt");
  EXPECT_EQ(to_string(Reason::PriorityZeroAdvert), "priority 0 advert");
  EXPECT_EQ(to_string(Reason::Fault), "fault");
  EXPECT_EQ(to_string(Reason::Stop), "stop");
  EXPECT_EQ(to_string(Reason::SyncGroup), "sync group");
}

TEST(FsmConfigEquality, ComparesEveryField) {
  EXPECT_EQ(v3_config(), v3_config());
  FsmConfig other = v3_config();
  other.down_timer_adverts = 4;
  EXPECT_NE(v3_config(), other);
}

// ---------------------------------------------------------------------------------------------
// Transitions forced by a sync group (keepalived vrrp_sync_group), as a table: local priority
// 100, interval 1 s, forced 250 ms after the starting state was reached.

enum class From { Init, Backup, Master, GroupFault, OwnFault, GroupAndOwnFault, Stop };
enum class Then { Unchanged, None, NowPlusInterval, NowPlusMdi };

struct ForceRow {
  const char* name;
  From from;
  State to;
  Actions expected;
  State state_after;
  Then deadline;
};

void PrintTo(const ForceRow& row, std::ostream* os) {
  *os << row.name;
}

// Puts the FSM into `from`; returns when it got there.
TimePoint prepare(Fsm& fsm, From from) {
  switch (from) {
    case From::Init:
      return kT0;
    case From::Backup:
      return drive_to(fsm, State::Backup);
    case From::Master:
      return drive_to(fsm, State::Master);
    case From::GroupFault:
      fsm.start(kT0);
      fsm.force(State::Fault, kT0);
      return kT0;
    case From::OwnFault:
      fsm.start(kT0);
      fsm.set_fault(true, kT0);
      return kT0;
    case From::GroupAndOwnFault:
      fsm.start(kT0);
      fsm.force(State::Fault, kT0);
      fsm.set_fault(true, kT0);
      return kT0;
    case From::Stop:
      fsm.start(kT0);
      fsm.stop(kT0);
      return kT0;
  }
  return kT0;
}

class ForceTable : public ::testing::TestWithParam<ForceRow> {};

TEST_P(ForceTable, Transition) {
  const ForceRow& row = GetParam();
  Fsm fsm(v3_config());
  const TimePoint now = prepare(fsm, row.from) + milliseconds{250};
  const std::optional<TimePoint> old_deadline = fsm.next_deadline();

  const Actions actions = fsm.force(row.to, now);

  EXPECT_EQ(describe(actions), describe(row.expected));
  EXPECT_EQ(actions, row.expected);
  EXPECT_EQ(fsm.state(), row.state_after);
  std::optional<TimePoint> want;
  switch (row.deadline) {
    case Then::Unchanged:
      want = old_deadline;
      break;
    case Then::None:
      break;
    case Then::NowPlusInterval:
      want = now + seconds{1};
      break;
    case Then::NowPlusMdi:
      want = now + seconds{3} + expected_skew(100, seconds{1});
      break;
  }
  EXPECT_EQ(fsm.next_deadline(), want);
}

constexpr Reason kGroup = Reason::SyncGroup;

std::string force_row_name(const ::testing::TestParamInfo<ForceRow>& row) {
  return row.param.name;
}

INSTANTIATE_TEST_SUITE_P(
    SyncGroupForce, ForceTable,
    ::testing::Values(
        // To MASTER: as if the down timer fired.
        ForceRow{
            "BackupToMaster", From::Backup, State::Master,
            Actions{SendAdvert{100}, TakeOver{}, StateChange{State::Backup, State::Master, kGroup}},
            State::Master, Then::NowPlusInterval},
        ForceRow{
            "InitToMaster", From::Init, State::Master,
            Actions{SendAdvert{100}, TakeOver{}, StateChange{State::Init, State::Master, kGroup}},
            State::Master, Then::NowPlusInterval},
        ForceRow{
            "GroupFaultToMaster", From::GroupFault, State::Master,
            Actions{SendAdvert{100}, TakeOver{}, StateChange{State::Fault, State::Master, kGroup}},
            State::Master, Then::NowPlusInterval},
        ForceRow{"OwnFaultStaysInsteadOfMaster", From::OwnFault, State::Master, Actions{},
                 State::Fault, Then::None},
        ForceRow{"GroupAndOwnFaultStaysInsteadOfMaster", From::GroupAndOwnFault, State::Master,
                 Actions{}, State::Fault, Then::None},
        ForceRow{"MasterToMasterNothing", From::Master, State::Master, Actions{}, State::Master,
                 Then::Unchanged},
        ForceRow{"StopToMasterNothing", From::Stop, State::Master, Actions{}, State::Stop,
                 Then::None},
        // To BACKUP: release without a priority 0 advert (keepalived vrrp_sync_backup).
        ForceRow{"MasterToBackup", From::Master, State::Backup,
                 Actions{Release{}, StateChange{State::Master, State::Backup, kGroup}},
                 State::Backup, Then::NowPlusMdi},
        ForceRow{"GroupFaultToBackup", From::GroupFault, State::Backup,
                 Actions{StateChange{State::Fault, State::Backup, kGroup}}, State::Backup,
                 Then::NowPlusMdi},
        ForceRow{"OwnFaultStaysInsteadOfBackup", From::OwnFault, State::Backup, Actions{},
                 State::Fault, Then::None},
        ForceRow{"GroupAndOwnFaultStaysInsteadOfBackup", From::GroupAndOwnFault, State::Backup,
                 Actions{}, State::Fault, Then::None},
        ForceRow{"BackupToBackupNothing", From::Backup, State::Backup, Actions{}, State::Backup,
                 Then::Unchanged},
        ForceRow{"InitToBackupNothing", From::Init, State::Backup, Actions{}, State::Init,
                 Then::None},
        ForceRow{"StopToBackupNothing", From::Stop, State::Backup, Actions{}, State::Stop,
                 Then::None},
        // To FAULT: held by the group.
        ForceRow{
            "MasterToFault", From::Master, State::Fault,
            Actions{SendAdvert{0}, Release{}, StateChange{State::Master, State::Fault, kGroup}},
            State::Fault, Then::None},
        ForceRow{"BackupToFault", From::Backup, State::Fault,
                 Actions{StateChange{State::Backup, State::Fault, kGroup}}, State::Fault,
                 Then::None},
        ForceRow{"GroupFaultToFaultNothing", From::GroupFault, State::Fault, Actions{},
                 State::Fault, Then::None},
        ForceRow{"OwnFaultToFaultNothing", From::OwnFault, State::Fault, Actions{}, State::Fault,
                 Then::None},
        ForceRow{"InitToFaultNothing", From::Init, State::Fault, Actions{}, State::Init,
                 Then::None},
        ForceRow{"StopToFaultNothing", From::Stop, State::Fault, Actions{}, State::Stop,
                 Then::None},
        // INIT and STOP are never forced.
        ForceRow{"BackupToInitNothing", From::Backup, State::Init, Actions{}, State::Backup,
                 Then::Unchanged},
        ForceRow{"MasterToStopNothing", From::Master, State::Stop, Actions{}, State::Master,
                 Then::Unchanged}),
    force_row_name);

TEST(FsmForce, ForcedBackupResetsTheLearnedInterval) {
  Fsm fsm(v3_config(100, Centiseconds{100}));
  fsm.start(kT0);
  fsm.on_advert(advert(200, 50), kT0 + seconds{1});  // learned 0.5 s
  fsm.on_advert(advert(0, 50), kT0 + seconds{2});
  fsm.on_timer(*fsm.next_deadline());
  ASSERT_EQ(fsm.state(), State::Master);
  const TimePoint now = kT0 + seconds{5};
  fsm.force(State::Backup, now);
  EXPECT_EQ(fsm.master_adver_interval(), seconds{1});
  EXPECT_EQ(fsm.next_deadline(), now + seconds{3} + expected_skew(100, seconds{1}));
}

TEST(FsmForce, ForcedBackupTakesOverAtItsDownTimer) {
  Fsm fsm(v3_config());
  const TimePoint became = drive_to(fsm, State::Master);
  const TimePoint now = became + seconds{1};
  fsm.force(State::Backup, now);
  const TimePoint deadline = *fsm.next_deadline();
  EXPECT_TRUE(fsm.on_timer(deadline - microseconds{1}).empty());
  EXPECT_EQ(fsm.on_timer(deadline),
            (Actions{SendAdvert{100}, TakeOver{},
                     StateChange{State::Backup, State::Master, Reason::MasterDownTimer}}));
}

TEST(FsmForce, GroupFaultIgnoresAdvertsAndTimers) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  fsm.force(State::Fault, kT0);
  EXPECT_TRUE(fsm.on_advert(advert(0), kT0 + seconds{1}).empty());
  EXPECT_TRUE(fsm.on_timer(kT0 + seconds{100}).empty());
  EXPECT_EQ(fsm.state(), State::Fault);
  EXPECT_FALSE(fsm.next_deadline().has_value());
}

TEST(FsmForce, ClearingAFaultThatWasNeverSetLeavesTheGroupFault) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  fsm.force(State::Fault, kT0);
  EXPECT_TRUE(fsm.set_fault(false, kT0 + seconds{1}).empty());
  EXPECT_EQ(fsm.state(), State::Fault);
  EXPECT_FALSE(fsm.next_deadline().has_value());
}

TEST(FsmForce, OwnFaultWhileGroupHeldIsRecordedSilently) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  fsm.force(State::Fault, kT0);
  EXPECT_TRUE(fsm.set_fault(true, kT0 + seconds{1}).empty());
  EXPECT_TRUE(fsm.set_fault(true, kT0 + seconds{2}).empty());
  // Clearing it does not end the group's hold: the group decides.
  EXPECT_TRUE(fsm.set_fault(false, kT0 + seconds{3}).empty());
  EXPECT_EQ(fsm.state(), State::Fault);
  const TimePoint now = kT0 + seconds{4};
  EXPECT_EQ(fsm.force(State::Backup, now),
            (Actions{StateChange{State::Fault, State::Backup, Reason::SyncGroup}}));
  EXPECT_EQ(fsm.next_deadline(), now + seconds{3} + expected_skew(100, seconds{1}));
}

TEST(FsmForce, ReleasedWhileStillFaultyLeavesWhenItsOwnFaultClears) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  fsm.force(State::Fault, kT0);
  fsm.set_fault(true, kT0 + seconds{1});
  EXPECT_TRUE(fsm.force(State::Backup, kT0 + seconds{2}).empty());
  EXPECT_EQ(fsm.state(), State::Fault);
  // The FAULT is now the instance's own.
  const TimePoint now = kT0 + seconds{3};
  EXPECT_EQ(fsm.set_fault(false, now),
            (Actions{StateChange{State::Fault, State::Backup, Reason::FaultCleared}}));
  EXPECT_EQ(fsm.next_deadline(), now + seconds{3} + expected_skew(100, seconds{1}));
}

TEST(FsmForce, OwnFaultIsNotTakenOverByTheGroup) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  fsm.set_fault(true, kT0);
  EXPECT_TRUE(fsm.force(State::Fault, kT0 + seconds{1}).empty());
  EXPECT_EQ(fsm.set_fault(false, kT0 + seconds{2}),
            (Actions{StateChange{State::Fault, State::Backup, Reason::FaultCleared}}));
}

TEST(FsmForce, OwnFaultBeforeStartBlocksAForcedMaster) {
  Fsm fsm(v3_config());
  fsm.set_fault(true, kT0);
  EXPECT_TRUE(fsm.force(State::Master, kT0).empty());
  EXPECT_EQ(fsm.state(), State::Init);
}

TEST(FsmForce, AddressOwnerReleasedGoesBackupThenMasterByItself) {
  Fsm fsm(v3_config(255));
  fsm.start(kT0);
  EXPECT_EQ(fsm.force(State::Fault, kT0 + seconds{1}),
            (Actions{SendAdvert{0}, Release{},
                     StateChange{State::Master, State::Fault, Reason::SyncGroup}}));
  const TimePoint now = kT0 + seconds{2};
  EXPECT_EQ(fsm.force(State::Backup, now),
            (Actions{StateChange{State::Fault, State::Backup, Reason::SyncGroup}}));
  EXPECT_EQ(fsm.next_deadline(), now + seconds{3} + expected_skew(255, seconds{1}));
  EXPECT_EQ(fsm.on_timer(*fsm.next_deadline()),
            (Actions{SendAdvert{255}, TakeOver{},
                     StateChange{State::Backup, State::Master, Reason::MasterDownTimer}}));
}

TEST(FsmForce, StopEndsTheGroupHold) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  fsm.force(State::Fault, kT0);
  EXPECT_EQ(fsm.stop(kT0 + seconds{1}),
            (Actions{StateChange{State::Fault, State::Stop, Reason::Stop}}));
  EXPECT_EQ(fsm.start(kT0 + seconds{2}),
            (Actions{StateChange{State::Stop, State::Backup, Reason::Start}}));
}

TEST(FsmForce, ForcedMasterAnswersAdvertsLikeAnyMaster) {
  Fsm fsm(v3_config());
  fsm.start(kT0);
  fsm.force(State::Master, kT0 + seconds{1});
  EXPECT_EQ(fsm.on_advert(advert(150), kT0 + seconds{2}),
            (Actions{Release{},
                     StateChange{State::Master, State::Backup, Reason::HigherPriorityAdvert}}));
}

// ---------------------------------------------------------------------------------------------
// Two members driven through a real SyncGroup, as the shell will: every StateChange an Fsm
// emits is reported to the group, every forced transition is applied with force() (and its
// StateChange reported too, which the group must ignore), and every own fault change is also
// given to SyncGroup::set_member_fault.

constexpr std::size_t kA = 0;
constexpr std::size_t kB = 1;

class TwoMemberGroup {
 public:
  using Log = std::vector<std::pair<std::size_t, Actions>>;

  TwoMemberGroup() : group_("VG_1", {"A", "B"}) {
    fsms_.emplace_back(v3_config(150));  // A: its down timer fires first
    fsms_.emplace_back(v3_config(100));
  }

  Fsm& fsm(std::size_t member) { return fsms_[member]; }
  const SyncGroup& group() const { return group_; }

  Log start(std::size_t member, TimePoint now) {
    Log log;
    handle(member, fsms_[member].start(now), now, log);
    return log;
  }

  Log set_fault(std::size_t member, bool fault, TimePoint now) {
    Log log;
    handle(member, fsms_[member].set_fault(fault, now), now, log);
    for (const auto& forced : group_.set_member_fault(member, fault)) apply(forced, now, log);
    return log;
  }

  // Fires the earliest timer at its deadline; nullopt if none is armed.
  std::optional<TimePoint> fire_next(Log& log) {
    std::optional<TimePoint> earliest;
    std::size_t which = 0;
    for (std::size_t i = 0; i < fsms_.size(); ++i) {
      const auto deadline = fsms_[i].next_deadline();
      if (deadline && (!earliest || *deadline < *earliest)) {
        earliest = deadline;
        which = i;
      }
    }
    if (earliest) handle(which, fsms_[which].on_timer(*earliest), *earliest, log);
    return earliest;
  }

 private:
  void handle(std::size_t member, const Actions& actions, TimePoint now, Log& log) {
    if (actions.empty()) return;
    log.emplace_back(member, actions);
    for (const auto& action : actions) {
      if (const auto* change = std::get_if<StateChange>(&action)) {
        for (const auto& forced : group_.on_member_state(member, change->to)) {
          apply(forced, now, log);
        }
      }
    }
  }

  void apply(const ForcedTransition& forced, TimePoint now, Log& log) {
    const Actions actions = fsms_[forced.member].force(forced.to, now);
    if (actions.empty()) return;
    log.emplace_back(forced.member, actions);
    for (const auto& action : actions) {
      if (const auto* change = std::get_if<StateChange>(&action)) {
        EXPECT_EQ(change->to, forced.to);
        EXPECT_TRUE(group_.on_member_state(forced.member, change->to).empty());
      }
    }
  }

  SyncGroup group_;
  std::vector<Fsm> fsms_;
};

using Log = TwoMemberGroup::Log;

TEST(FsmSyncGroup, MasterFaultAndRecoveryMoveBothMembers) {
  TwoMemberGroup g;
  // A starts BACKUP; the group records B (still INIT) as BACKUP, which B's own start confirms.
  EXPECT_EQ(g.start(kA, kT0),
            (Log{{kA, {StateChange{State::Init, State::Backup, Reason::Start}}}}));
  EXPECT_EQ(g.start(kB, kT0),
            (Log{{kB, {StateChange{State::Init, State::Backup, Reason::Start}}}}));
  EXPECT_EQ(g.group().group_state(), State::Backup);

  // A's down timer fires first (priority 150), and the group takes B along.
  Log log;
  const TimePoint a_master = *g.fire_next(log);
  EXPECT_EQ(a_master, kT0 + seconds{3} + expected_skew(150, seconds{1}));
  EXPECT_EQ(log, (Log{{kA,
                       {SendAdvert{150}, TakeOver{},
                        StateChange{State::Backup, State::Master, Reason::MasterDownTimer}}},
                      {kB,
                       {SendAdvert{100}, TakeOver{},
                        StateChange{State::Backup, State::Master, Reason::SyncGroup}}}}));
  EXPECT_EQ(g.group().group_state(), State::Master);
  EXPECT_EQ(g.fsm(kA).next_deadline(), a_master + seconds{1});
  EXPECT_EQ(g.fsm(kB).next_deadline(), a_master + seconds{1});

  // A's interface fails: both leave MASTER with a priority 0 advert.
  const TimePoint fault_at = a_master + milliseconds{1500};
  EXPECT_EQ(
      g.set_fault(kA, true, fault_at),
      (Log{
          {kA, {SendAdvert{0}, Release{}, StateChange{State::Master, State::Fault, Reason::Fault}}},
          {kB,
           {SendAdvert{0}, Release{},
            StateChange{State::Master, State::Fault, Reason::SyncGroup}}}}));
  EXPECT_EQ(g.group().group_state(), State::Fault);
  EXPECT_TRUE(g.group().member_faulty(kA));
  EXPECT_FALSE(g.group().member_faulty(kB));
  EXPECT_FALSE(g.fsm(kA).next_deadline().has_value());
  EXPECT_FALSE(g.fsm(kB).next_deadline().has_value());
  log.clear();
  EXPECT_FALSE(g.fire_next(log).has_value());

  // A recovers: both BACKUP, each with its own Master_Down_Interval from now.
  const TimePoint clear_at = fault_at + seconds{10};
  EXPECT_EQ(g.set_fault(kA, false, clear_at),
            (Log{{kA, {StateChange{State::Fault, State::Backup, Reason::FaultCleared}}},
                 {kB, {StateChange{State::Fault, State::Backup, Reason::SyncGroup}}}}));
  EXPECT_EQ(g.group().group_state(), State::Backup);
  EXPECT_EQ(g.fsm(kA).next_deadline(), clear_at + seconds{3} + expected_skew(150, seconds{1}));
  EXPECT_EQ(g.fsm(kB).next_deadline(), clear_at + seconds{3} + expected_skew(100, seconds{1}));

  // Timers run again: A's fires first and the group follows it to MASTER.
  log.clear();
  EXPECT_EQ(g.fire_next(log), clear_at + seconds{3} + expected_skew(150, seconds{1}));
  EXPECT_EQ(g.fsm(kA).state(), State::Master);
  EXPECT_EQ(g.fsm(kB).state(), State::Master);
  EXPECT_EQ(g.group().group_state(), State::Master);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[1], (std::pair<std::size_t, Actions>{
                        kB,
                        {SendAdvert{100}, TakeOver{},
                         StateChange{State::Backup, State::Master, Reason::SyncGroup}}}));
}

TEST(FsmSyncGroup, HeldMemberFaultKeepsTheGroupInFaultUntilItClears) {
  TwoMemberGroup g;
  g.start(kA, kT0);
  g.start(kB, kT0);
  g.set_fault(kA, true, kT0 + seconds{1});
  ASSERT_EQ(g.fsm(kB).state(), State::Fault);

  // B's own fault arises while the group holds it: no StateChange, the group learns it.
  EXPECT_TRUE(g.set_fault(kB, true, kT0 + seconds{2}).empty());
  EXPECT_TRUE(g.group().member_faulty(kB));

  // A recovers but is forced straight back: B is still faulty.
  EXPECT_EQ(g.set_fault(kA, false, kT0 + seconds{3}),
            (Log{{kA, {StateChange{State::Fault, State::Backup, Reason::FaultCleared}}},
                 {kA, {StateChange{State::Backup, State::Fault, Reason::SyncGroup}}}}));
  EXPECT_EQ(g.fsm(kA).state(), State::Fault);
  EXPECT_EQ(g.group().group_state(), State::Fault);

  // B recovers: its Fsm waits for the group, which releases both.
  const TimePoint now = kT0 + seconds{4};
  EXPECT_EQ(g.set_fault(kB, false, now),
            (Log{{kA, {StateChange{State::Fault, State::Backup, Reason::SyncGroup}}},
                 {kB, {StateChange{State::Fault, State::Backup, Reason::SyncGroup}}}}));
  EXPECT_EQ(g.group().group_state(), State::Backup);
  EXPECT_EQ(g.fsm(kA).next_deadline(), now + seconds{3} + expected_skew(150, seconds{1}));
  EXPECT_EQ(g.fsm(kB).next_deadline(), now + seconds{3} + expected_skew(100, seconds{1}));
}

}  // namespace
}  // namespace halo::vrrp
