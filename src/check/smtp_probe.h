// SMTP_CHECK: connect, read the 220 greeting, send `HELO <helo_name>` and expect 250, then
// `QUIT`; success when both replies arrive with the right codes and QUIT gets a reply (of any
// code, as in keepalived), all within connect_timeout. Multi-line replies ("250-...") are read
// to their last line.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "check/probe.h"

namespace halo::check {

// `helo_name`: smtp_helo_name, else the host name (keepalived's default).
std::unique_ptr<Probe> make_smtp_probe(boost::asio::io_context& io, Target target,
                                       std::string helo_name);

}  // namespace halo::check
