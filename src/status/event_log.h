// The event stream: every state change, priority change, tracker change, check result change,
// real server, quorum and sorry server change and split-brain episode as one JSON line, in
// order, with a sequence number and a timestamp.
//
//   {"seq":12,"time":"2026-11-22T21:30:00.123456Z","type":"state","instance":"VI_1",
//    "from":"BACKUP","to":"MASTER","priority":150}
//
// The log keeps the most recent lines (`show events`) and hands each new line to its
// subscribers (`show events follow`). A line is built once and shared; subscribers decide
// for themselves what to do with a reader that falls behind (the control server drops it),
// so publishing never blocks and never grows without bound.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "status/snapshot.h"

namespace halo::status {

using EventLine = std::shared_ptr<const std::string>;  // one JSON object and '\n'

class EventLog {
 public:
  using Subscriber = std::function<void(const EventLine& line)>;
  using SubscriptionId = std::uint64_t;

  explicit EventLog(std::size_t keep = 1000);

  // Stamps `fields` with "seq", "time" (UTC, microseconds) and "type" (first, in that order),
  // keeps the line and hands it to every subscriber. `type` is one of "state", "priority",
  // "tracker", "check", "real_server", "quorum", "sorry_server", "split_brain", "reload",
  // "daemon".
  void publish(std::string_view type, const boost::json::object& fields,
               WallClock::time_point time = WallClock::now());

  // The kept lines, oldest first (at most `keep`).
  std::vector<EventLine> recent() const;

  SubscriptionId subscribe(Subscriber subscriber);
  void unsubscribe(SubscriptionId id);
  std::size_t subscribers() const { return subscribers_.size(); }
  std::uint64_t published() const { return seq_; }

 private:
  std::size_t keep_;
  std::uint64_t seq_ = 0;
  std::deque<EventLine> recent_;
  SubscriptionId next_id_ = 1;
  std::map<SubscriptionId, Subscriber> subscribers_;
};

// "2026-11-22T21:30:00.123456Z"
std::string iso8601(WallClock::time_point time);

}  // namespace halo::status
