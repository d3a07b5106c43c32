// keepalived_check.data: what keepalived's checker process writes on SIGUSR1, rendered from a
// Snapshot with keepalived 2.2.7's banners, field names and order, so that scripts that read
// the checker dump (above all MISC_CHECK's "Last status", L2) keep working. See the .cc for
// the layout and for what halo leaves out.
#pragma once

#include <string>

#include "status/snapshot.h"

namespace halo::status {

// The whole file: global definitions, the LVS topology (virtual and real servers) and the
// health checkers. Times in "Last ran" are local, as keepalived's ctime() writes them.
std::string keepalived_check_data(const Snapshot& s);

}  // namespace halo::status
