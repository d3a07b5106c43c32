// PING_CHECK: one ICMP (or ICMPv6) echo request on an unprivileged datagram socket
// (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)); success when the matching echo reply arrives
// within connect_timeout. The kernel allots the identifier; replies are matched by sequence.
// The kernel grants these sockets only to a group in net.ipv4.ping_group_range ("1 0", nobody,
// in a fresh namespace); halo does not widen it (keepalived does): the probe fails with a
// reason that names the sysctl and its value.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "check/probe.h"

namespace halo::check {

std::unique_ptr<Probe> make_ping_probe(boost::asio::io_context& io, Target target);

}  // namespace halo::check
