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

#include <cstdio>
#include <random>

#include "check/datagram_session.h"

namespace halo::check {
namespace {

namespace asio = boost::asio;

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

class UdpSession final : public detail::DatagramSession {
 public:
  UdpSession(asio::io_context& io, Target target, config::UdpCheck check)
      : DatagramSession(io, std::move(target),
                        check.require_reply ? std::size_t{check.max_reply_length} + 1 : 1),
        check_(std::move(check)),
        payload_(decode_udp_payload(check_.payload)),
        random_(std::random_device{}()) {}

  void start(Probe::Done done) {
    const std::uint64_t generation = begin(std::move(done));
    std::vector<std::uint8_t> datagram = payload_;
    if (datagram.empty()) {
      datagram.resize(kRandomPayloadSize);
      for (auto& b : datagram) b = static_cast<std::uint8_t>(random_());
    }
    exchange(generation, {.datagram = std::move(datagram), .what = "", .all_icmp_errors = true});
  }

 private:
  void on_reply(std::uint64_t, std::span<const std::uint8_t> reply) override {
    if (!check_.require_reply) return finish(true, "reply received");
    finish(judge_udp_reply(reply, check_));
  }

  void on_deadline() override {
    const std::string within = " within " + detail::duration_text(target().connect_timeout);
    if (check_.require_reply) return finish(detail::timeout("no reply" + within));
    finish(true, "no ICMP port unreachable" + within);
  }

  config::UdpCheck check_;
  std::vector<std::uint8_t> payload_;  // empty: random bytes each time
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
