// Turns one configured checker into a runnable probe and schedule: keepalived's inheritance
// (checker, then real server, then virtual server, then the checker kind's default) resolved
// in one place, so the probes see plain values.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "check/probe.h"
#include "check/schedule.h"
#include "common/result.h"
#include "config/model.h"
#include "process/supervisor.h"
#include "status/snapshot.h"

namespace halo::daemon {

struct BuiltCheck {
  std::unique_ptr<check::Probe> probe;  // null for FILE_CHECK (driven by its track_file)
  check::ScheduleConfig schedule;
  status::CheckView view;  // kind, target and the resolved configuration filled in
};

// `index`: the checker's position in its real server, for the id. Fails for what cannot run
// (BFD_CHECK, a MISC_CHECK script refused by enable_script_security, a FILE_CHECK whose
// track_file does not exist), saying why.
Result<BuiltCheck> build_check(boost::asio::io_context& io, process::Supervisor& supervisor,
                               const config::Config& config, const config::VirtualServer& vs,
                               const config::RealServer& rs, const config::Checker& checker,
                               const std::string& id);

// keepalived's name of a checker kind: "TCP_CHECK", "HTTP_GET", ...
std::string_view checker_kind_name(const config::Checker& checker);

// The real server's port: its own, else the virtual server's.
std::uint16_t real_server_port(const config::VirtualServer& vs, const config::RealServer& rs);

}  // namespace halo::daemon
