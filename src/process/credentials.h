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

// enable_script_security: a script that would run as root (credentials without uid, or uid
// 0) is refused when its executable, or any directory on the way to it, can be written by
// someone other than root (group- or world-writable without the sticky bit on a directory,
// or owned by another user). `program` is argv[0] after PATH lookup. The message says which
// path is the problem: "script /tmp/x.sh is not run as root: /tmp/x.sh is writable by group
// staff" — wording is free, but it names the path and why.
Result<void> check_script_security(const std::string& program, const Credentials& credentials);

// argv[0] resolved like execvp would (PATH of the daemon's environment); empty if not found.
std::string find_program(const std::string& name);

}  // namespace halo::process
