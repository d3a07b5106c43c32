// Turning the configuration's `user [group]` into a child's Credentials, and keepalived's
// enable_script_security check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "process/supervisor.h"

namespace halo::process {

// `user` (name or number) and optional `group` (defaults to the user's primary group) ->
// uid, gid, supplementary groups, home. No user: the daemon's own identity (empty
// Credentials). Fails with "user 'x' does not exist" and the like.
Result<Credentials> resolve_credentials(const std::optional<std::string>& user,
                                        const std::optional<std::string>& group);

// The credentials a script runs with: its own `user [group]`, else global_defs script_user
// (script_group), else keepalived's default: the user keepalived_script if it exists, else
// root (no change).
Result<Credentials> script_credentials(const std::optional<std::string>& user,
                                       const std::optional<std::string>& group,
                                       const std::optional<std::string>& script_user,
                                       const std::optional<std::string>& script_group);

// enable_script_security (keepalived's check_script_secure): a script that runs with uid 0 or
// gid 0, or is set-uid/set-gid root, is refused when insecure_path() finds a reason. `program`
// is argv[0] after PATH lookup. The message names the path and why: "script /tmp/x.sh would
// run as root but /tmp/x.sh is writable by everyone".
Result<void> check_script_security(const std::string& program, const Credentials& credentials);

// Why `program`, or a directory on the way to it, would make a root script unsafe: owned by
// someone other than root, or writable by others or by a group other than root (a directory
// with the sticky bit excepted), or not there to be checked. Empty when it is safe. `halod -t`
// and the daemon judge scripts with this one rule.
std::optional<std::string> insecure_path(const std::string& program);

// argv[0] resolved like execvp would (PATH of the daemon's environment, else keepalived's
// default PATH); empty if no executable file is found.
std::string find_program(const std::string& name);

// Who a configured script runs as: its own `user [group]`, else global_defs script_user
// (script_group), else keepalived_script, else root (script_credentials). With
// enable_script_security, also the verdict on `program_name` (argv[0], looked up in PATH):
// fails with why the script must not run.
struct ScriptUsers {
  std::optional<std::string> user;  // the script's own
  std::optional<std::string> group;
  std::optional<std::string> script_user;  // global_defs
  std::optional<std::string> script_group;
};
Result<Credentials> script_identity(const std::string& program_name, const ScriptUsers& users,
                                    bool script_security);

}  // namespace halo::process
