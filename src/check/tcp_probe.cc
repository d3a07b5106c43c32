// TCP_CHECK: a socket, a non-blocking connect and the attempt's deadline, nothing more
// (keepalived's check_tcp.c: success when the connection is established; refused,
// unreachable and no SYN-ACK within connect_timeout are failures).
//
// Closing: the connection is aborted with SO_LINGER {on, 0}, so close() sends a RST instead
// of a FIN. The side that closes first keeps a TIME_WAIT entry for 60 s; at 10,000 checks/s
// that is 600,000 sockets, past net.ipv4.tcp_max_tw_buckets, and (with bind_port) a source
// port that cannot be reused. A health check has nothing to flush, and HAProxy's checks close
// the same way; the cost is a "connection reset" a server may log.
//
// The handshake's last ACK is held back (TCP_QUICKACK off before connect: Linux then delays
// the ACK of the SYN-ACK), so the RST usually leaves before it and the server's kernel drops
// the half-open connection: the server application never accepts it and never sees the
// check. This is what HAProxy's layer-4 checks do. The verdict is the same as keepalived's:
// a SYN-ACK came back, so something listens on the port (a listener that never accepts is
// not detected by a completed handshake either).
#include "check/tcp_probe.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>

#include "check/socket_setup.h"

namespace halo::check {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class TcpSession final : public detail::ProbeSession {
 public:
  TcpSession(asio::io_context& io, Target target)
      : ProbeSession(io, std::move(target)),
        socket_(io),
        endpoint_(this->target().address, this->target().port) {}

  void start(Probe::Done done) {
    const std::uint64_t generation = begin(std::move(done));
    boost::system::error_code ec;
    socket_.open(endpoint_.protocol(), ec);
    if (ec) return fail_soon("cannot open a TCP socket: " + detail::error_words(ec));
    if (auto applied = detail::apply_target_options(socket_.native_handle(), target()); !applied) {
      return fail_soon(applied.error().message);
    }
    const int quickack = 0;
    setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &quickack, sizeof quickack);
    socket_.async_connect(endpoint_, [self = shared(), generation](boost::system::error_code e) {
      if (!self->current(generation)) return;
      if (e) return self->finish(false, detail::error_words(e));
      self->abortive_close_on_finish();
      self->finish(true, "connected");
    });
  }

 private:
  std::shared_ptr<TcpSession> shared() {
    return std::static_pointer_cast<TcpSession>(shared_from_this());
  }

  void abortive_close_on_finish() {
    const linger reset{.l_onoff = 1, .l_linger = 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  }

  void close_socket() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  // A loop that runs late (thousands of checks, a slow handler) can see the deadline and the
  // connect's completion in the same turn, the deadline first. The socket itself says
  // whether the connection was made: a server that answered in time is not failed for the
  // daemon's own lateness.
  void on_deadline() override {
    pollfd p{.fd = socket_.native_handle(), .events = POLLOUT, .revents = 0};
    int error = 0;
    socklen_t length = sizeof error;
    if (::poll(&p, 1, 0) == 1 && (p.revents & (POLLOUT | POLLERR)) != 0 &&
        getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0) {
      if (error == 0) {
        abortive_close_on_finish();
        return finish(true, "connected");
      }
      return finish(false, detail::error_words(
                               boost::system::error_code(error, boost::system::system_category())));
    }
    finish(
        detail::timeout("no connection within " + detail::duration_text(target().connect_timeout)));
  }

  tcp::socket socket_;
  tcp::endpoint endpoint_;
};

}  // namespace

std::unique_ptr<Probe> make_tcp_probe(boost::asio::io_context& io, Target target) {
  return std::make_unique<detail::SessionProbe<TcpSession>>(
      "TCP_CHECK", std::make_shared<TcpSession>(io, std::move(target)));
}

}  // namespace halo::check
