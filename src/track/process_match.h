// Whether a process is one a vrrp_track_process counts (keepalived.conf(5), "VRRP track
// processes"), pure.
//
// Without parameters and without full_command the name is compared with the process name
// (/proc/PID/comm, exact, like `pgrep '^name$'`). With parameters, or with full_command, the
// configured words are compared with the command line (/proc/PID/cmdline): the program and
// then each parameter exactly, with param_match partial allowing more parameters than
// configured and param_match initial also letting the last one be longer. param_match with no
// parameters means the command must have none.
#pragma once

#include <string>
#include <vector>

#include "config/model.h"

namespace halo::track {

struct ProcessIdentity {
  std::string comm;                  // /proc/PID/comm without the newline
  std::vector<std::string> cmdline;  // /proc/PID/cmdline split at NULs (empty for kernel threads)

  friend bool operator==(const ProcessIdentity&, const ProcessIdentity&) = default;
};

bool process_matches(const config::TrackProcess& tracker, const ProcessIdentity& process);

// Whether matching `tracker` needs the command line (else comm suffices): lets the tracker
// skip reading cmdline for every exec on the host.
bool needs_cmdline(const config::TrackProcess& tracker);

}  // namespace halo::track
