// The `show` replies: each part of a Snapshot as JSON (for tools: `show … json`,
// `haloctl --json`) and as a table for people. Pure functions of the snapshot.
//
// JSON field names are part of halo's interface (`show schema` describes them): snake_case,
// times as ISO 8601 UTC strings, durations in milliseconds with an `_ms` suffix, states in
// keepalived's upper case ("MASTER"). Every reply is one JSON object; a time that never
// happened (no reload yet, no transition) is null, and so is an empty optional string
// (sync_group, not_running_reason). The `_text` forms are text.h's renderings of the JSON.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "status/snapshot.h"
#include "status/text.h"  // table(), and the text forms rendered from the JSON ones

namespace halo::status {

// `show info`: daemon, uptime, reloads, back end, control and event counters.
boost::json::value info_json(const Snapshot& s);
std::string info_text(const Snapshot& s);

// `show instances`: one row per instance (name, interface, vrid, state, priorities, VIPs,
// split brain); `show instance NAME`: every field of one, tracked items and counters.
boost::json::value instances_json(const Snapshot& s);
std::string instances_text(const Snapshot& s);
boost::json::value instance_json(const InstanceView& i);
std::string instance_text(const InstanceView& i);

// `show trackers`: every tracker the configuration uses, with its status and users.
boost::json::value trackers_json(const Snapshot& s);
std::string trackers_text(const Snapshot& s);

// `show servers`: every virtual server (protocol, scheduler, quorum, sorry server, back-end
// error) with its real servers (alive, in the pool, weights, how many checks are up).
boost::json::value servers_json(const Snapshot& s);
std::string servers_text(const Snapshot& s);

// `show checks`: every health check, one entry per check with its virtual and real server:
// kind, target, id, enabled, up, the last reason and exit code (keepalived's "Last status",
// L2) and its counters.
boost::json::value checks_json(const Snapshot& s);
std::string checks_text(const Snapshot& s);

// `show stats`: per-instance counters and the rejected-packet reasons, plus the daemon's.
boost::json::value stats_json(const Snapshot& s);
std::string stats_text(const Snapshot& s);

// `show schema`: every field of the JSON forms above and of the event lines, as JSON Schema
// (draft 2020-12 keywords: type, properties, items, additionalProperties, description):
// {"info":{…},"instances":{…},"instance":{…},"trackers":{…},"servers":{…},"checks":{…},
//  "stats":{…},"event":{…}}.
// render_test checks that every field the renderers write is described here.
boost::json::value schema_json();

}  // namespace halo::status
