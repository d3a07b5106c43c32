#include "check/datagram_session.h"

#include <netinet/in.h>
#include <sys/socket.h>

namespace halo::check::detail {

namespace asio = boost::asio;
using asio::ip::udp;

DatagramSession::DatagramSession(asio::io_context& io, Target target, std::size_t reply_capacity)
    : ProbeSession(io, std::move(target)),
      socket_(io),
      endpoint_(this->target().address, this->target().port),
      reply_(reply_capacity) {}

void DatagramSession::exchange(std::uint64_t generation, Send send) {
  boost::system::error_code ec;
  socket_.open(endpoint_.protocol(), ec);
  if (ec) return fail_soon("cannot open a UDP socket: " + error_words(ec));
  if (send.all_icmp_errors) {
    const int on = 1;
    if (endpoint_.protocol() == udp::v4()) {
      ::setsockopt(socket_.native_handle(), SOL_IP, IP_RECVERR, &on, sizeof on);
    } else {
      ::setsockopt(socket_.native_handle(), SOL_IPV6, IPV6_RECVERR, &on, sizeof on);
    }
  }
  if (auto applied = apply_target_options(socket_.native_handle(), target()); !applied) {
    return fail_soon(applied.error().message);
  }
  socket_.connect(endpoint_, ec);
  if (ec) return fail_soon(error_words(ec));
  sent_ = std::move(send.datagram);
  auto self = std::static_pointer_cast<DatagramSession>(shared_from_this());
  socket_.async_send(asio::buffer(sent_), [self, generation, what = std::move(send.what)](
                                              boost::system::error_code e, std::size_t) {
    if (!self->current(generation)) return;
    if (e) {
      return self->finish(false,
                          "cannot send" + (what.empty() ? "" : " " + what) + ": " + error_words(e));
    }
    self->wait_for_reply(generation);
  });
}

void DatagramSession::wait_for_reply(std::uint64_t generation) {
  auto self = std::static_pointer_cast<DatagramSession>(shared_from_this());
  socket_.async_receive(asio::buffer(reply_),
                        [self, generation](boost::system::error_code e, std::size_t n) {
                          if (!self->current(generation)) return;
                          if (e == asio::error::connection_refused)
                            return self->finish(false, "ICMP port unreachable");
                          if (e) return self->finish(false, error_words(e));
                          self->on_reply(generation, std::span(self->reply_.data(), n));
                        });
}

void DatagramSession::close_socket() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace halo::check::detail
