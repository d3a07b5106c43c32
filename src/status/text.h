// The text forms of the `show` replies, rendered from their JSON forms (render.h).
//
// halod's `show instances` is text::instances(instances_json(snapshot)); haloctl asks for the
// JSON form and calls the same function on what it parsed. So the table a person sees is the
// same whichever way it was asked for, and haloctl needs none of the daemon's libraries: this
// file depends on Boost.JSON and fmt only (library halo_status_text).
//
// The renderers are tolerant: a field missing from the JSON (a daemon of another version) is
// shown as "-", never an error.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace halo::status {

// A table: columns padded to the widest cell, a header row (the first), two spaces between
// columns, no trailing spaces; every line ends in '\n'.
std::string table(const std::vector<std::vector<std::string>>& rows);

namespace text {

std::string info(const boost::json::value& info);
std::string instances(const boost::json::value& instances);
std::string instance(const boost::json::value& instance);
std::string trackers(const boost::json::value& trackers);
std::string stats(const boost::json::value& stats);
// `show servers`: a table of virtual servers, then one row per real server.
std::string servers(const boost::json::value& servers);
// `show checks`: one row per check.
std::string checks(const boost::json::value& checks);

// One event line (event_log.h) for people: "21:30:00.123 VI_1 BACKUP -> MASTER (priority 150)".
// The time is the event's own (UTC), to the millisecond.
std::string event(const boost::json::value& event);

// A duration for people: "850ms", "1.5s", "4m05s", "2h03m", "3d04h".
std::string duration(std::int64_t ms);

}  // namespace text
}  // namespace halo::status
