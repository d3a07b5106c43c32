// The control socket's listening socket: created so that no client ever connects through a
// wider mode than configured, and so that a socket left behind by a crashed halod does not
// stop the next one from starting, while a running halod's socket is never taken over.
//
//   1. The directory is created (0755) when missing.
//   2. An existing file at the path must be a socket. A connect() to it tells a stale one
//      (ECONNREFUSED: nobody listens) from a live one (accepted, or EAGAIN: a full backlog),
//      which is an error: another daemon answers there.
//   3. bind() runs under umask 0777, so the file is born with mode 0000; chmod and chown give
//      it the configured mode and owner, and only then does listen() let clients in.
#include "control/listener.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/errno_text.h"

namespace halo::control {
namespace {

Result<sockaddr_un> address_of(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty()) return fail("control socket path is empty");
  if (path.size() >= sizeof(address.sun_path)) {
    return fail(fmt::format("control socket path {} is longer than {} bytes", path,
                            sizeof(address.sun_path) - 1));
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

// mkdir -p with mode 0755 for the missing parents of `path`.
Result<void> make_parents(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return {};
  const std::string dir = path.substr(0, slash);
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return fail(fmt::format("{} is not a directory", dir));
    return {};
  }
  if (auto parent = make_parents(dir); !parent) return parent;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return fail(fmt::format("cannot create directory {}: {}", dir, errno_text(errno)));
  }
  return {};
}

// A socket file already at the path: removed if stale, an error if someone answers on it.
Result<void> remove_stale(const std::string& path, const sockaddr_un& address) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return fail(fmt::format("cannot stat {}: {}", path, errno_text(errno)));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return fail(fmt::format("{} exists and is not a socket; not replacing it", path));
  }
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!probe) return fail(fmt::format("cannot create a socket: {}", errno_text(errno)));
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0 ||
      errno == EAGAIN || errno == EINPROGRESS) {
    return fail(fmt::format("another daemon is listening on {}", path));
  }
  if (errno != ECONNREFUSED) {
    return fail(fmt::format("cannot probe {}: {}", path, errno_text(errno)));
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return fail(fmt::format("cannot remove stale socket {}: {}", path, errno_text(errno)));
  }
  return {};
}

}  // namespace

Result<UniqueFd> open_listener(const SocketSpec& spec) {
  const auto address = address_of(spec.path);
  if (!address) return tl::unexpected(address.error());
  if (auto made = make_parents(spec.path); !made) return tl::unexpected(made.error());
  if (auto removed = remove_stale(spec.path, *address); !removed) {
    return tl::unexpected(removed.error());
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return fail(fmt::format("cannot create a socket: {}", errno_text(errno)));

  const mode_t old_umask = ::umask(0777);
  const int bound =
      ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof(*address));
  const int bind_errno = errno;
  ::umask(old_umask);
  if (bound != 0) {
    return fail(fmt::format("cannot bind {}: {}", spec.path, errno_text(bind_errno)));
  }
  // From here on the file is ours: remove it again if the socket never gets to listen.
  const auto give_up = [&](std::string message) {
    ::unlink(spec.path.c_str());
    return fail(std::move(message));
  };
  if (::chmod(spec.path.c_str(), spec.mode & 07777) != 0) {
    return give_up(
        fmt::format("cannot chmod {:o} {}: {}", spec.mode, spec.path, errno_text(errno)));
  }
  if (spec.owner || spec.group) {
    const uid_t uid = spec.owner ? *spec.owner : static_cast<uid_t>(-1);
    const gid_t gid = spec.group ? *spec.group : static_cast<gid_t>(-1);
    if (::lchown(spec.path.c_str(), uid, gid) != 0) {
      return give_up(fmt::format("cannot chown {}: {}", spec.path, errno_text(errno)));
    }
  }
  if (::listen(fd.get(), SOMAXCONN) != 0) {
    return give_up(fmt::format("cannot listen on {}: {}", spec.path, errno_text(errno)));
  }
  return fd;
}

void remove_listener(const SocketSpec& spec, int fd) {
  // The socket file is ours when our socket is bound to that path and the file there is a
  // socket this listener answers on: a probe connection must arrive in our own queue (the
  // probe binds to a unique abstract address, which the accepted end sees as its peer).
  struct stat st {};
  if (::lstat(spec.path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return;
  sockaddr_un bound{};
  socklen_t bound_len = sizeof(bound);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len) != 0) return;
  if (std::strncmp(bound.sun_path, spec.path.c_str(), sizeof(bound.sun_path)) != 0) return;
  const auto address = address_of(spec.path);
  if (!address) return;
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!probe) return;
  const sa_family_t family = AF_UNIX;  // autobind: a unique abstract name
  if (::bind(probe.get(), reinterpret_cast<const sockaddr*>(&family), sizeof(family)) != 0) {
    return;
  }
  sockaddr_un mine{};
  socklen_t mine_len = sizeof(mine);
  if (::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&mine), &mine_len) != 0) return;
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof(*address)) != 0) {
    return;  // nobody listens there (not ours: ours listens) or it is full (someone else's)
  }
  // Our listener is being shut down: whatever else waits in its queue is refused anyway.
  for (;;) {
    UniqueFd accepted(::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!accepted) return;  // queue empty: the probe went elsewhere
    sockaddr_un peer{};
    socklen_t peer_len = sizeof(peer);
    if (::getpeername(accepted.get(), reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0 &&
        peer_len == mine_len && std::memcmp(&peer, &mine, mine_len) == 0) {
      ::unlink(spec.path.c_str());
      return;
    }
  }
}

}  // namespace halo::control
