// TCP_CHECK: success when a TCP connection to the target is established within
// connect_timeout; the connection is then closed at once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "check/probe.h"

namespace halo::check {

std::unique_ptr<Probe> make_tcp_probe(boost::asio::io_context& io, Target target);

}  // namespace halo::check
