// TCP_CHECK: success when a TCP connection to the target is established within
// connect_timeout; the connection is then closed at once, with a RST (SO_LINGER 0: no
// TIME_WAIT left behind by thousands of checks a second; see tcp_probe.cc). Failures:
// "connection refused", "no route to host", "no connection within 5 s", or the
// bindto/bind_if/fwmark setting that could not be applied.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "check/probe.h"

namespace halo::check {

std::unique_ptr<Probe> make_tcp_probe(boost::asio::io_context& io, Target target);

}  // namespace halo::check
