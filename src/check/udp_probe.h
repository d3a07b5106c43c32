// UDP_CHECK: sends one datagram (the configured payload, or random bytes) and judges by what
// comes back. Without require_reply, success is "no ICMP port unreachable within
// connect_timeout"; with it, a reply must arrive, be min..max_reply_length bytes long and
// match the `reply` pattern (hex, X = any nibble), as keepalived's UDP_CHECK does.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "check/probe.h"
#include "config/model.h"

namespace halo::check {

std::unique_ptr<Probe> make_udp_probe(boost::asio::io_context& io, Target target,
                                      config::UdpCheck check);

// Pure, for tests. The payload's bytes from its normalised hex ("0a1b" -> {0x0a, 0x1b}).
std::vector<std::uint8_t> decode_udp_payload(std::string_view hex);
// The verdict on a reply when require_reply is set: length within min..max_reply_length, then
// the `reply` pattern compared over the shorter of the reply and the pattern.
Outcome judge_udp_reply(std::span<const std::uint8_t> reply, const config::UdpCheck& check);

}  // namespace halo::check
