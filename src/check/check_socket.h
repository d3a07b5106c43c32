// A check's TCP socket on the SocketWatcher (socket_watcher.h): TCP_CHECK's and plain
// HTTP_GET's. open() takes one of the watcher's idle sockets when the target asks for no option
// of its own (else a new one), applies the target's options and holds back the handshake's
// last ACK; the caller connects; watch() hands the connect to the watcher; close() forgets the
// watch and gives the socket back, which ends its connection with a RST.
#pragma once

#include <boost/asio/io_context.hpp>

#include "check/probe.h"
#include "check/socket_watcher.h"
#include "common/result.h"

namespace halo::check::detail {

class CheckSocket {
 public:
  explicit CheckSocket(boost::asio::io_context& io);
  ~CheckSocket() { close(); }
  CheckSocket(const CheckSocket&) = delete;
  CheckSocket& operator=(const CheckSocket&) = delete;

  // A non-blocking socket of the target's family, ready to connect. Errors: "cannot open a TCP
  // socket: ...", or the option that cannot be applied (apply_target_options).
  Result<void> open(const Target& target);
  // Watches the connect under way (SocketWatcher::watch); `client` must outlive the watch.
  Result<void> watch(SocketWatcher::Client& client, SocketWatcher::Mode mode);
  // A Connect-mode watch has reported: the watcher has forgotten it already.
  void watch_ended() { ticket_ = 0; }
  // Forgets the watch and gives the socket back (SocketWatcher::close_tcp). Idempotent.
  void close();

  int fd() const { return fd_; }

 private:
  SocketWatcher& watcher_;
  int fd_ = -1;
  int family_ = 0;
  bool reusable_ = false;  // no per-target option: the socket may serve the next check
  SocketWatcher::Ticket ticket_ = 0;
};

}  // namespace halo::check::detail
