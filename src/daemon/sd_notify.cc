// sd_notify(3) in a page of code: connect an AF_UNIX datagram socket to $NOTIFY_SOCKET and
// send the state string. systemd reads the sender's pid from the credentials the kernel
// attaches (SO_PASSCRED on its side), so nothing else goes with the message.
#include "daemon/sd_notify.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "common/log.h"
#include "common/unique_fd.h"

namespace halo::daemon {

Result<bool> send_notify(std::string_view socket_name, std::string_view state) {
  if (socket_name.empty()) return false;
  if (socket_name[0] != '/' && socket_name[0] != '@') {
    return fail(fmt::format("NOTIFY_SOCKET {}: not an AF_UNIX socket address", socket_name));
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_name.size() > sizeof(addr.sun_path)) {
    return fail(fmt::format("NOTIFY_SOCKET {}: name too long", socket_name));
  }
  std::memcpy(addr.sun_path, socket_name.data(), socket_name.size());
  socklen_t length = offsetof(sockaddr_un, sun_path) + socket_name.size();
  if (socket_name[0] == '@') {
    addr.sun_path[0] = '\0';  // abstract: the name is exactly these bytes, no terminator
  } else if (socket_name.size() < sizeof(addr.sun_path)) {
    ++length;  // a path: include the terminating NUL
  }

  UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail(fmt::format("cannot create notify socket: {}", std::strerror(errno)));
  const ssize_t sent = sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                              reinterpret_cast<const sockaddr*>(&addr), length);
  if (sent < 0) {
    return fail(fmt::format("cannot send {} to {}: {}", state, socket_name, std::strerror(errno)));
  }
  if (static_cast<size_t>(sent) != state.size()) {
    return fail(fmt::format("cannot send {} to {}: short write", state, socket_name));
  }
  return true;
}

void notify_systemd(std::string_view state) {
  const char* socket_name = std::getenv("NOTIFY_SOCKET");
  if (socket_name == nullptr) return;
  if (auto sent = send_notify(socket_name, state); !sent) {
    log::get("daemon").warn("{}", sent.error().message);
  }
}

}  // namespace halo::daemon
