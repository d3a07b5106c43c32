// Readiness notification to systemd without libsystemd.
//
// sd_notify(3) is one datagram of "KEY=value" lines to the AF_UNIX socket named by
// $NOTIFY_SOCKET (a leading '@' means the abstract namespace); without the variable there is
// nobody to tell. This is the whole protocol halod needs (READY=1, RELOADING=1, STOPPING=1),
// and writing it here keeps libsystemd and the six libraries it pulls in out of the daemon's
// memory.
#pragma once

#include <string_view>

#include "common/result.h"

namespace halo::daemon {

// Sends `state` to the datagram socket `socket_name` ("/run/...", or "@name" for the abstract
// namespace). Returns false without sending when `socket_name` is empty.
[[nodiscard]] Result<bool> send_notify(std::string_view socket_name, std::string_view state);

// sd_notify(0, state): sends to $NOTIFY_SOCKET when it is set. A failure is logged, never
// fatal (systemd notices a missing READY=1 by its own timeout).
void notify_systemd(std::string_view state);

}  // namespace halo::daemon
