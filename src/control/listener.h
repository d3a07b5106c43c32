// The control socket's listening UNIX stream socket.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace halo::control {

struct SocketSpec {
  std::string path;  // e.g. /run/halo/halo.sock
  unsigned mode = 0600;
  std::optional<uid_t> owner;
  std::optional<gid_t> group;

  friend bool operator==(const SocketSpec&, const SocketSpec&) = default;
};

// Creates the socket's directory if missing (0755), removes a stale socket left by a
// crashed halod (a socket file nobody accepts on; a live one is an error: another halod
// runs), binds, applies mode and ownership before listen() so no client connects through a
// wider mode, and listens. Non-blocking, close-on-exec.
Result<UniqueFd> open_listener(const SocketSpec& spec);

// Removes the socket file if it is still ours: `fd` is bound to that path and a probe
// connection to the file lands in `fd`'s queue (so a socket another daemon put there since is
// left alone). `fd` must still be open and listening: call this before Server::stop(). It
// takes whatever connections wait in `fd`'s queue (they are closed).
void remove_listener(const SocketSpec& spec, int fd);

}  // namespace halo::control
