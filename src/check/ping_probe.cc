// PING_CHECK: one echo request on an unprivileged ICMP datagram socket (keepalived's
// check_ping.c opens the same kind of socket). The kernel gives the socket its own echo
// identifier and delivers only the echo replies that carry it; we match the sequence number
// too, so a late reply to an earlier attempt is not taken for this one. The socket is
// connected and has IP_RECVERR, so "host unreachable" and friends end the attempt at once.
//
// The kernel allows these sockets only to a process with a group in
// net.ipv4.ping_group_range (it covers ICMPv6 too). A fresh network namespace has "1 0",
// which allows nobody, not even root; keepalived writes the sysctl itself. halo does not
// change a sysctl behind the operator's back: the probe fails and says why.
#include "check/ping_probe.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/generic/datagram_protocol.hpp>
#include <boost/asio/ip/udp.hpp>
#include <fstream>
#include <random>

#include "check/socket_setup.h"

namespace halo::check {
namespace {

namespace asio = boost::asio;
using Protocol = asio::generic::datagram_protocol;

constexpr std::uint8_t kEchoRequest = 8, kEchoReply = 0;        // RFC 792
constexpr std::uint8_t kEchoRequest6 = 128, kEchoReply6 = 129;  // RFC 4443 §4
constexpr std::size_t kPayloadSize = 56;                        // ping(8)'s default

std::string ping_group_range() {
  std::ifstream in("/proc/sys/net/ipv4/ping_group_range");
  std::string low, high;
  if (!(in >> low >> high)) return "?";
  return low + " " + high;
}

class PingSession final : public detail::ProbeSession {
 public:
  PingSession(asio::io_context& io, Target target)
      : ProbeSession(io, std::move(target)),
        v6_(this->target().address.is_v6()),
        protocol_(v6_ ? AF_INET6 : AF_INET, v6_ ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP}),
        socket_(io),
        request_(8 + kPayloadSize),
        reply_(8 + kPayloadSize + 64) {
    const asio::ip::udp::endpoint ip(this->target().address, 0);
    endpoint_ = Protocol::endpoint(ip.data(), ip.size(), protocol_.protocol());
    sequence_ = static_cast<std::uint16_t>(std::random_device{}());
    for (std::size_t i = 8; i < request_.size(); ++i) request_[i] = static_cast<std::uint8_t>(i);
  }

  void start(Probe::Done done) {
    const std::uint64_t generation = begin(std::move(done));
    boost::system::error_code ec;
    socket_.open(protocol_, ec);
    if (ec == asio::error::access_denied || ec == asio::error::no_permission) {
      return fail_soon("cannot open an ICMP" + std::string(v6_ ? "v6" : "") + " datagram socket: " +
                       detail::error_words(ec) + " (net.ipv4.ping_group_range is \"" +
                       ping_group_range() + "\" and must include one of the daemon's groups)");
    }
    if (ec) return fail_soon("cannot open an ICMP datagram socket: " + detail::error_words(ec));
    const int on = 1;
    if (v6_)
      setsockopt(socket_.native_handle(), SOL_IPV6, IPV6_RECVERR, &on, sizeof on);
    else
      setsockopt(socket_.native_handle(), SOL_IP, IP_RECVERR, &on, sizeof on);
    if (auto applied = detail::apply_target_options(socket_.native_handle(), target()); !applied)
      return fail_soon(applied.error().message);
    socket_.connect(endpoint_, ec);
    if (ec) return fail_soon(detail::error_words(ec));
    ++sequence_;
    // Type, code, checksum, identifier, sequence: the kernel fills the checksum and the
    // identifier (the socket's "port").
    request_[0] = v6_ ? kEchoRequest6 : kEchoRequest;
    request_[1] = 0;
    request_[2] = request_[3] = request_[4] = request_[5] = 0;
    request_[6] = static_cast<std::uint8_t>(sequence_ >> 8);
    request_[7] = static_cast<std::uint8_t>(sequence_ & 0xff);
    socket_.async_send(asio::buffer(request_), [self = shared(), generation](
                                                   boost::system::error_code e, std::size_t) {
      if (!self->current(generation)) return;
      if (e) return self->finish(false, "cannot send the echo request: " + detail::error_words(e));
      self->receive(generation);
    });
  }

 private:
  std::shared_ptr<PingSession> shared() {
    return std::static_pointer_cast<PingSession>(shared_from_this());
  }

  void receive(std::uint64_t generation) {
    socket_.async_receive(asio::buffer(reply_), [self = shared(), generation](
                                                    boost::system::error_code e, std::size_t n) {
      if (!self->current(generation)) return;
      if (e) return self->finish(false, detail::error_words(e));
      const auto& r = self->reply_;
      const bool ours = n >= 8 && r[0] == (self->v6_ ? kEchoReply6 : kEchoReply) &&
                        r[6] == self->request_[6] && r[7] == self->request_[7];
      if (!ours) return self->receive(generation);  // a late reply to an earlier attempt
      self->finish(true, "echo reply");
    });
  }

  void close_socket() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  void on_deadline() override {
    finish(
        detail::timeout("no echo reply within " + detail::duration_text(target().connect_timeout)));
  }

  bool v6_;
  Protocol protocol_;
  Protocol::socket socket_;
  Protocol::endpoint endpoint_;
  std::vector<std::uint8_t> request_;
  std::vector<std::uint8_t> reply_;
  std::uint16_t sequence_ = 0;
};

}  // namespace

std::unique_ptr<Probe> make_ping_probe(boost::asio::io_context& io, Target target) {
  return std::make_unique<detail::SessionProbe<PingSession>>(
      "PING_CHECK", std::make_shared<PingSession>(io, std::move(target)));
}

}  // namespace halo::check
