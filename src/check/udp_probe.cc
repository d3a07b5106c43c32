// UDP_CHECK, as keepalived's check_udp.c and layer4.c do it: a connected UDP socket with
// IP_RECVERR (so ICMP host and network unreachable are reported too, not only port
// unreachable), one datagram (the payload, or random bytes), then wait for a reply until
// connect_timeout.
//
// Without require_reply the server is up unless an ICMP error comes back in time: a reply of
// any content, or silence, is success. With require_reply a reply must arrive; its length
// must lie in min_reply_length..max_reply_length and it must match the pattern over the
// shorter of the two. keepalived 2.2.7's source checks the lengths only when a pattern is
// given; keepalived.conf(5) says they are checked whenever require_reply is set: we follow
// the manual.
#include "check/udp_probe.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/ip/udp.hpp>
#include <cstdio>
#include <random>

#include "check/socket_setup.h"

namespace halo::check {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

constexpr std::size_t kRandomPayloadSize = 32;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string byte_text(std::uint8_t b) {
  char text[8];
  std::snprintf(text, sizeof text, "%02x", b);
  return text;
}

class UdpSession final : public detail::ProbeSession {
 public:
  UdpSession(asio::io_context& io, Target target, config::UdpCheck check)
      : ProbeSession(io, std::move(target)),
        check_(std::move(check)),
        payload_(decode_udp_payload(check_.payload)),
        socket_(io),
        endpoint_(this->target().address, this->target().port),
        reply_(check_.require_reply ? std::size_t{check_.max_reply_length} + 1 : 1),
        random_(std::random_device{}()) {}

  void start(Probe::Done done) {
    const std::uint64_t generation = begin(std::move(done));
    boost::system::error_code ec;
    socket_.open(endpoint_.protocol(), ec);
    if (ec) return fail_soon("cannot open a UDP socket: " + detail::error_words(ec));
    const int on = 1;
    if (endpoint_.protocol() == udp::v4())
      setsockopt(socket_.native_handle(), SOL_IP, IP_RECVERR, &on, sizeof on);
    else
      setsockopt(socket_.native_handle(), SOL_IPV6, IPV6_RECVERR, &on, sizeof on);
    if (auto applied = detail::apply_target_options(socket_.native_handle(), target()); !applied)
      return fail_soon(applied.error().message);
    socket_.connect(endpoint_, ec);
    if (ec) return fail_soon(detail::error_words(ec));
    if (check_.payload.empty()) {
      payload_.resize(kRandomPayloadSize);
      for (auto& b : payload_) b = static_cast<std::uint8_t>(random_());
    }
    socket_.async_send(asio::buffer(payload_),
                       [self = shared(), generation](boost::system::error_code e, std::size_t) {
                         if (!self->current(generation)) return;
                         if (e)
                           return self->finish(false, "cannot send: " + detail::error_words(e));
                         self->receive(generation);
                       });
  }

 private:
  std::shared_ptr<UdpSession> shared() {
    return std::static_pointer_cast<UdpSession>(shared_from_this());
  }

  void receive(std::uint64_t generation) {
    socket_.async_receive(asio::buffer(reply_), [self = shared(), generation](
                                                    boost::system::error_code e, std::size_t n) {
      if (!self->current(generation)) return;
      if (e == asio::error::connection_refused) return self->finish(false, "ICMP port unreachable");
      if (e) return self->finish(false, detail::error_words(e));
      if (!self->check_.require_reply) return self->finish(true, "reply received");
      self->finish(judge_udp_reply(std::span(self->reply_.data(), n), self->check_));
    });
  }

  void close_socket() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  void on_deadline() override {
    const std::string within = " within " + detail::duration_text(target().connect_timeout);
    if (check_.require_reply) return finish(detail::timeout("no reply" + within));
    finish(true, "no ICMP port unreachable" + within);
  }

  config::UdpCheck check_;
  std::vector<std::uint8_t> payload_;
  udp::socket socket_;
  udp::endpoint endpoint_;
  std::vector<std::uint8_t> reply_;
  std::minstd_rand random_;
};

}  // namespace

std::vector<std::uint8_t> decode_udp_payload(std::string_view hex) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    const int high = hex_value(hex[i]);
    const int low = hex_value(hex[i + 1]);
    bytes.push_back(static_cast<std::uint8_t>(((high < 0 ? 0 : high) << 4) | (low < 0 ? 0 : low)));
  }
  return bytes;
}

Outcome judge_udp_reply(std::span<const std::uint8_t> reply, const config::UdpCheck& check) {
  Outcome outcome;
  const std::size_t n = reply.size();
  if (n < check.min_reply_length) {
    outcome.reason = "reply of " + std::to_string(n) + " bytes, shorter than min_reply_length " +
                     std::to_string(check.min_reply_length);
    return outcome;
  }
  if (n > check.max_reply_length) {
    outcome.reason =
        "reply of more than max_reply_length " + std::to_string(check.max_reply_length) + " bytes";
    return outcome;
  }
  // The pattern: two hex digits per byte, X for a nibble that is not compared.
  const std::string& pattern = check.reply;
  const std::size_t compared = std::min(n, pattern.size() / 2);
  for (std::size_t i = 0; i < compared; ++i) {
    for (int nibble = 0; nibble < 2; ++nibble) {
      const char want = pattern[2 * i + static_cast<std::size_t>(nibble)];
      if (want == 'X' || want == 'x') continue;
      const int got = nibble == 0 ? reply[i] >> 4 : reply[i] & 0x0f;
      if (got != hex_value(want)) {
        outcome.reason = "reply byte " + std::to_string(i) + " is " + byte_text(reply[i]) +
                         ", the pattern wants " + pattern.substr(2 * i, 2);
        return outcome;
      }
    }
  }
  outcome.success = true;
  outcome.reason = pattern.empty() ? "reply of " + std::to_string(n) + " bytes" : "reply matches";
  return outcome;
}

std::unique_ptr<Probe> make_udp_probe(boost::asio::io_context& io, Target target,
                                      config::UdpCheck check) {
  return std::make_unique<detail::SessionProbe<UdpSession>>(
      "UDP_CHECK", std::make_shared<UdpSession>(io, std::move(target), std::move(check)));
}

}  // namespace halo::check
