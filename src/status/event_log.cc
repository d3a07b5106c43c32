#include "status/event_log.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <boost/json/serialize.hpp>

namespace halo::status {

std::string iso8601(WallClock::time_point time) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06}Z", tm, micros % 1'000'000);
}

EventLog::EventLog(std::size_t keep) : keep_(keep == 0 ? 1 : keep) {}

void EventLog::publish(std::string_view type, const boost::json::object& fields,
                       WallClock::time_point time) {
  boost::json::object line;
  line["seq"] = ++seq_;
  line["time"] = iso8601(time);
  line["type"] = type;
  for (const auto& [key, value] : fields) line[key] = value;
  auto text = std::make_shared<std::string>(boost::json::serialize(line));
  text->push_back('\n');
  EventLine shared = std::move(text);
  recent_.push_back(shared);
  while (recent_.size() > keep_) recent_.pop_front();
  // A subscriber may unsubscribe (itself or another) from its callback: iterate over a copy
  // of the ids.
  std::vector<SubscriptionId> ids;
  ids.reserve(subscribers_.size());
  for (const auto& [id, subscriber] : subscribers_) ids.push_back(id);
  for (const auto id : ids) {
    const auto it = subscribers_.find(id);
    if (it == subscribers_.end()) continue;
    const auto subscriber = it->second;  // it may unsubscribe itself while running
    subscriber(shared);
  }
}

std::vector<EventLine> EventLog::recent() const {
  return {recent_.begin(), recent_.end()};
}

EventLog::SubscriptionId EventLog::subscribe(Subscriber subscriber) {
  const auto id = next_id_++;
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void EventLog::unsubscribe(SubscriptionId id) {
  subscribers_.erase(id);
}

}  // namespace halo::status
