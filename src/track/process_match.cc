// Whether a process is one a vrrp_track_process counts: keepalived's rules, kept exactly.
//
// Read from keepalived's core/track_process.c (check_process, check_params, read_procs) and
// vrrp/vrrp_parser.c (the `process` and `param_match` handlers); halo keeps every rule so
// that an existing keepalived.conf counts the same processes:
//
// - The parser turns `full_command` on when `process` has parameters or when `param_match` is
//   given, and `param_match` defaults to exact when there are parameters. So the process
//   name (/proc/PID/comm) is used only with a bare `process NAME`.
// - By name: an exact string comparison with comm (pgrep '^NAME$', never a substring or a
//   pattern). The kernel keeps at most 15 bytes of a name (TASK_COMM_LEN 16 with its NUL), so
//   a configured name longer than 15 characters never matches a process by name; keepalived
//   compares the whole configured name with comm and so never matches it either (pgrep says
//   the same: "pattern that searches for process name longer than 15 characters will result
//   in zero matches"). Such a tracker needs full_command; halo does not quietly truncate,
//   which would count other programs whose names share the first 15 bytes.
// - By command line: the program (argv[0]) exactly. Without param_match (full_command alone
//   with no parameters) keepalived compares only argv[0] (strcmp stops at its NUL), so the
//   parameters are not looked at. With param_match, keepalived compares the NUL-separated
//   parameter bytes after argv[0]; in words:
//     exact   - the parameters are exactly the configured ones (none when none is configured);
//     partial - the first N parameters are the N configured ones, more may follow;
//     initial - the first N-1 are exact and the Nth starts with the configured Nth; more may
//               follow (keepalived compares all the configured bytes but the last NUL, so an
//               extra parameter is allowed here too).
//   With no configured parameters, partial and initial accept any parameters.
// - A process without a command line (a kernel thread, a zombie) has an empty argv[0] and
//   never matches by command line.
#include "track/process_match.h"

#include <cstddef>

namespace halo::track {
namespace {

bool full_command(const config::TrackProcess& t) {
  return t.full_command || t.param_match.has_value() || t.process.size() > 1;
}

bool params_match(const config::TrackProcess& t, const std::vector<std::string>& cmdline) {
  const std::size_t configured = t.process.size() - 1;
  const std::size_t actual = cmdline.size() - 1;  // cmdline is not empty here
  const auto mode = t.param_match.value_or(config::ParamMatch::Exact);
  if (actual < configured) return false;
  if (mode == config::ParamMatch::Exact && actual != configured) return false;
  for (std::size_t i = 1; i <= configured; ++i) {
    const std::string& want = t.process[i];
    const std::string& have = cmdline[i];
    const bool last = i == configured;
    if (mode == config::ParamMatch::Initial && last) {
      if (!have.starts_with(want)) return false;
    } else if (have != want) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool needs_cmdline(const config::TrackProcess& tracker) {
  return full_command(tracker);
}

bool process_matches(const config::TrackProcess& tracker, const ProcessIdentity& process) {
  if (tracker.process.empty()) return false;
  if (!full_command(tracker)) return process.comm == tracker.process.front();
  if (process.cmdline.empty() || process.cmdline.front() != tracker.process.front()) return false;
  // full_command alone: argv[0] only, like keepalived. Parameters without param_match are
  // matched exactly (keepalived's parser makes that the default).
  if (!tracker.param_match && tracker.process.size() == 1) return true;
  return params_match(tracker, process.cmdline);
}

}  // namespace halo::track
