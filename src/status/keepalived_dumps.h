// keepalived's signal dumps, rendered from a Snapshot with keepalived 2.2.7's banners and field
// names so that parsers written for keepalived keep working:
//   SIGUSR2            -> keepalived.stats  ("VRRP Instance: VI_1", "  Advertisements:", …)
//   --signum=JSON (36) -> keepalived.json   ([{"data":{"iname":…},"stats":{"advert_rcvd":…}}])
// (keepalived.data, SIGUSR1, is written by the subsystems themselves: it needs more than the
// snapshot holds.) tests/unit/status/golden/ has what the real keepalived wrote for the same
// configuration.
#pragma once

#include <string>

#include "status/snapshot.h"

namespace halo::status {

std::string keepalived_stats(const Snapshot& s);
std::string keepalived_json(const Snapshot& s);

// Writes `text` to `path` through `path.tmp` and rename(2), mode 0600 like keepalived's
// dumps, so a reader never sees half a file. An error message, or empty on success.
std::string write_dump_file(const std::string& path, const std::string& text);

}  // namespace halo::status
