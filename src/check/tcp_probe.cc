// TCP_CHECK: a socket, a non-blocking connect and the attempt's deadline, nothing more
// (keepalived's check_tcp.c: success when the connection is established; refused,
// unreachable and no SYN-ACK within connect_timeout are failures).
//
// Closing: the connection is aborted with a RST instead of a FIN (the socket is reset for
// reuse, or closed with SO_LINGER {on, 0}: socket_watcher.h). The side that closes first keeps a
// TIME_WAIT entry for 60 s; at 10,000 checks/s that is 600,000 sockets, past
// net.ipv4.tcp_max_tw_buckets, and (with bind_port) a source port that cannot be reused. A health
// check has nothing to flush, and HAProxy's checks close the same way; the cost is a "connection
// reset" a server may log.
//
// The handshake's last ACK is held back (TCP_QUICKACK off before connect: Linux then delays
// the ACK of the SYN-ACK), so the RST usually leaves before it and the server's kernel drops
// the half-open connection: the server application never accepts it and never sees the
// check. This is what HAProxy's layer-4 checks do. The verdict is the same as keepalived's:
// a SYN-ACK came back, so something listens on the port (a listener that never accepts is
// not detected by a completed handshake either).
//
// The socket is a plain non-blocking fd watched by the SocketWatcher (socket_watcher.h), not
// an Asio socket, and usually an idle one from the last checks: four system calls per check
// (TCP_QUICKACK, connect, epoll_ctl, the reset) instead of ten.
#include "check/tcp_probe.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <cerrno>

#include "check/check_socket.h"
#include "check/socket_setup.h"

namespace halo::check {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class TcpSession final : public detail::ProbeSession, private SocketWatcher::Client {
 public:
  TcpSession(asio::io_context& io, Target target)
      : ProbeSession(io, std::move(target)),
        socket_(io),
        endpoint_(this->target().address, this->target().port) {}
  TcpSession(const TcpSession&) = delete;
  TcpSession& operator=(const TcpSession&) = delete;

  void start(Probe::Done done) {
    begin(std::move(done));
    if (auto opened = socket_.open(target()); !opened) return fail_soon(opened.error().message);
    if (::connect(socket_.fd(), endpoint_.data(), static_cast<socklen_t>(endpoint_.size())) == 0) {
      return finish_soon(true, "connected");
    }
    if (errno != EINPROGRESS) return fail_soon(detail::errno_words(errno));
    if (auto watched = socket_.watch(*this, SocketWatcher::Mode::Connect); !watched) {
      fail_soon(watched.error().message);
    }
  }

 private:
  void on_socket_ready(std::uint32_t events) override {
    socket_.watch_ended();
    auto self = shared_from_this();  // finish() may let the probe go
    if ((events & EPOLLERR) != 0)
      return finish(false, detail::errno_words(detail::connect_error(socket_.fd())));
    if ((events & EPOLLHUP) != 0) return finish(false, "connection closed");
    finish(true, "connected");
  }

  void close_socket() override { socket_.close(); }

  // A loop that runs late (thousands of checks, a slow handler) can see the deadline before
  // the watcher reports the connect in the same turn. The socket itself says whether the
  // connection was made: a server that answered in time is not failed for the daemon's own
  // lateness.
  void on_deadline() override {
    pollfd p{.fd = socket_.fd(), .events = POLLOUT, .revents = 0};
    if (p.fd >= 0 && ::poll(&p, 1, 0) == 1) {
      if ((p.revents & POLLERR) != 0)
        return finish(false, detail::errno_words(detail::connect_error(p.fd)));
      if ((p.revents & POLLOUT) != 0) return finish(true, "connected");
    }
    finish(
        detail::timeout("no connection within " + detail::duration_text(target().connect_timeout)));
  }

  detail::CheckSocket socket_;
  tcp::endpoint endpoint_;
};

}  // namespace

std::unique_ptr<Probe> make_tcp_probe(boost::asio::io_context& io, Target target) {
  return std::make_unique<detail::SessionProbe<TcpSession>>(
      "TCP_CHECK", std::make_shared<TcpSession>(io, std::move(target)));
}

}  // namespace halo::check
