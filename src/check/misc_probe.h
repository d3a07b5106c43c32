// MISC_CHECK: runs misc_path through the common process supervisor (as `user`, with its
// timeout: misc_timeout, else delay_loop) and judges the exit status with misc_outcome().
// The only checker with a process per attempt, as in keepalived.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "check/probe.h"
#include "process/supervisor.h"

namespace halo::check {

struct MiscOptions {
  process::Command command;  // argv, credentials, timeout and description filled in
  bool dynamic = false;
};

// `io` carries the one case the supervisor does not report: a spawn that fails at once (fork or
// pidfd), whose failure is delivered later on the loop like any other outcome.
std::unique_ptr<Probe> make_misc_probe(boost::asio::io_context& io, process::Supervisor& supervisor,
                                       MiscOptions options);

}  // namespace halo::check
