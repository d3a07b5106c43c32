#include "status/event_log.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace halo::status {
namespace {

using namespace std::chrono_literals;

TEST(EventLogTest, LinesCarrySeqTimeAndTypeFirst) {
  EventLog log;
  const WallClock::time_point t{std::chrono::seconds(1795383016) + 123456us};
  log.publish("state", {{"instance", "VI_1"}, {"from", "BACKUP"}, {"to", "MASTER"}}, t);
  const auto lines = log.recent();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(*lines[0],
            "{\"seq\":1,\"time\":\"2026-11-22T21:30:16.123456Z\",\"type\":\"state\","
            "\"instance\":\"VI_1\",\"from\":\"BACKUP\",\"to\":\"MASTER\"}\n");
}

TEST(EventLogTest, KeepsOnlyTheMostRecent) {
  EventLog log(3);
  for (int i = 0; i < 10; ++i) log.publish("priority", {{"n", i}});
  const auto lines = log.recent();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(boost::json::parse(*lines.front()).at("n").as_int64(), 7);
  EXPECT_EQ(boost::json::parse(*lines.back()).at("seq").to_number<std::uint64_t>(), 10u);
  EXPECT_EQ(log.published(), 10u);
}

TEST(EventLogTest, SubscribersSeeEveryLineAndMayUnsubscribeWhileCalled) {
  EventLog log;
  std::vector<std::string> a;
  std::vector<std::string> b;
  EventLog::SubscriptionId ida = 0;
  ida = log.subscribe([&](const EventLine& line) {
    a.push_back(*line);
    log.unsubscribe(ida);  // after its first line
  });
  log.subscribe([&](const EventLine& line) { b.push_back(*line); });
  log.publish("tracker", {{"name", "chk"}});
  log.publish("tracker", {{"name", "chk2"}});
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(log.subscribers(), 1u);
}

}  // namespace
}  // namespace halo::status
