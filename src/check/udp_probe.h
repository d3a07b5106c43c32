// UDP_CHECK: sends one datagram (the configured payload, or random bytes) and judges by what
// comes back. Without require_reply, success is "no ICMP port unreachable within
// connect_timeout"; with it, a reply must arrive, be min..max_reply_length bytes long and
// match the `reply` pattern (hex, X = any nibble), as keepalived's UDP_CHECK does.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "check/probe.h"
#include "config/model.h"

namespace halo::check {

std::unique_ptr<Probe> make_udp_probe(boost::asio::io_context& io, Target target,
                                      config::UdpCheck check);

}  // namespace halo::check
