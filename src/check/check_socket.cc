// See check_socket.h.
#include "check/check_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

#include "check/socket_setup.h"

namespace halo::check::detail {

CheckSocket::CheckSocket(boost::asio::io_context& io)
    : watcher_(boost::asio::use_service<SocketWatcher>(io)) {}

Result<void> CheckSocket::open(const Target& target) {
  close();
  family_ = target.address.is_v6() ? AF_INET6 : AF_INET;
  reusable_ = !has_target_options(target);
  fd_ = watcher_.open_tcp(family_);
  if (fd_ < 0) return fail("cannot open a TCP socket: " + errno_words(errno));
  if (auto applied = apply_target_options(fd_, target); !applied) {
    close();
    return applied;
  }
  // The handshake's last ACK is held back (TCP_QUICKACK off before connect): TCP_CHECK's reset
  // leaves before it, HTTP_GET's request carries it. Set on every use: the reset of a reused
  // socket's last connection cleared it.
  const int quickack = 0;
  setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &quickack, sizeof quickack);
  return {};
}

Result<void> CheckSocket::watch(SocketWatcher::Client& client, SocketWatcher::Mode mode) {
  auto watched = watcher_.watch(fd_, client, mode);
  if (!watched) return tl::unexpected(watched.error());
  ticket_ = *watched;
  return {};
}

void CheckSocket::close() {
  watcher_.forget(ticket_);
  ticket_ = 0;
  watcher_.close_tcp(fd_, family_, reusable_);
  fd_ = -1;
}

}  // namespace halo::check::detail
