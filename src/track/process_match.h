// Whether a process is one a vrrp_track_process counts (keepalived.conf(5), "VRRP track
// processes"), pure, with keepalived's rules (process_match.cc says where they come from).
//
// A bare `process NAME` is compared with the process name (/proc/PID/comm, exact, like
// `pgrep '^NAME$'`; a NAME longer than the kernel's 15 bytes never matches, as in keepalived).
// With parameters, with param_match or with full_command, the command line (/proc/PID/cmdline)
// is used: the program (argv[0]) exactly, and then, when there are parameters or param_match,
// each parameter exactly (the default with parameters), with param_match partial allowing
// more parameters than configured and param_match initial also letting the last configured one
// be a prefix. param_match with no parameters means the command must have none (partial and
// initial: any). full_command alone compares argv[0] only.
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
