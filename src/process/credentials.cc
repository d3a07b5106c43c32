// Who a script runs as, and keepalived's enable_script_security check.
//
// Users and groups are looked up with the reentrant getpwnam_r/getgrnam_r (a name first, then
// a number: "65534" works whether or not it has a passwd entry, as long as a group is known).
// Unlike keepalived, which drops to the primary group only (setgroups(1, &gid)), a script run
// as another user also gets that user's supplementary groups (getgrouplist), as a login would:
// a script that needs, say, the docker group works without a wrapper.
//
// check_script_security follows keepalived's check_script_secure (lib/notify.c): a script
// needs protection when it runs with uid 0 or gid 0, or is set-uid/set-gid root; then the file
// and every directory on its path ("/", "/etc", "/etc/keepalived", the file) must be owned by
// root and must not be writable by others nor by a group other than root. A directory with the
// sticky bit may be writable (others cannot replace what they do not own: the file and the
// directories below are checked on their own); the sticky bit does not excuse the file itself.
// Like keepalived, stat() follows symbolic links, so a link is judged by its target. One
// difference: keepalived skips the check for a file its user cannot execute (it then refuses
// to run it anyway); halo checks it all the same.
#include "process/credentials.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/errno_text.h"

namespace halo::process {
namespace {

std::optional<unsigned long> parse_id(const std::string& text) {
  unsigned long value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value > 0xFFFFFFFEUL) return std::nullopt;
  return value;
}

struct UserEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  bool in_passwd = true;  // false: a bare number without a passwd entry
};

// The reentrant NSS lookups (getpwnam_r, getgrgid_r, ...) with a growing buffer; `convert`
// copies what is needed out of the entry before the buffer goes. nullopt: no such entry; an
// Error: the lookup itself failed.
template <class Entry, class Lookup, class Convert>
auto nss_lookup(Lookup lookup, Convert convert)
    -> Result<std::optional<decltype(convert(std::declval<const Entry&>()))>> {
  using Out = decltype(convert(std::declval<const Entry&>()));
  std::vector<char> buffer(4096);
  while (true) {
    Entry entry{};
    Entry* found = nullptr;
    const int rc = lookup(&entry, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1U << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    // ENOENT, ESRCH, EBADF, EPERM all mean "not found" for some NSS back ends.
    if (rc != 0 && rc != ENOENT && rc != ESRCH && rc != EBADF && rc != EPERM) {
      return fail(errno_text(rc));
    }
    if (found == nullptr) return std::optional<Out>();
    return std::optional<Out>(convert(entry));
  }
}

template <class Lookup>
Result<std::optional<UserEntry>> passwd_lookup(Lookup lookup) {
  return nss_lookup<passwd>(lookup, [](const passwd& e) {
    return UserEntry{e.pw_name, e.pw_uid, e.pw_gid, e.pw_dir ? e.pw_dir : ""};
  });
}

template <class Lookup>
Result<std::optional<std::pair<std::string, gid_t>>> group_lookup(Lookup lookup) {
  return nss_lookup<group>(
      lookup, [](const group& e) { return std::pair<std::string, gid_t>(e.gr_name, e.gr_gid); });
}

Result<std::optional<UserEntry>> find_user(const std::string& user) {
  auto by_name = passwd_lookup([&](passwd* e, char* b, std::size_t n, passwd** r) {
    return getpwnam_r(user.c_str(), e, b, n, r);
  });
  if (!by_name) return fail("cannot look up user '" + user + "': " + by_name.error().message);
  if (*by_name) return by_name;
  const auto id = parse_id(user);
  if (!id) return std::optional<UserEntry>();
  auto by_id = passwd_lookup([&](passwd* e, char* b, std::size_t n, passwd** r) {
    return getpwuid_r(static_cast<uid_t>(*id), e, b, n, r);
  });
  if (!by_id) return fail("cannot look up user '" + user + "': " + by_id.error().message);
  if (*by_id) return by_id;
  // A bare number without a passwd entry: the uid alone.
  return std::optional<UserEntry>(UserEntry{user, static_cast<uid_t>(*id), 0, "", false});
}

Result<gid_t> find_group(const std::string& name) {
  auto by_name = group_lookup([&](group* e, char* b, std::size_t n, group** r) {
    return getgrnam_r(name.c_str(), e, b, n, r);
  });
  if (!by_name) return fail("cannot look up group '" + name + "': " + by_name.error().message);
  if (*by_name) return (*by_name)->second;
  if (const auto id = parse_id(name)) return static_cast<gid_t>(*id);
  return fail("group '" + name + "' does not exist");
}

std::string group_name(gid_t gid) {
  auto found = group_lookup(
      [&](group* e, char* b, std::size_t n, group** r) { return getgrgid_r(gid, e, b, n, r); });
  if (found && *found) return (*found)->first + " (gid " + std::to_string(gid) + ")";
  return "gid " + std::to_string(gid);
}

std::string user_name(uid_t uid) {
  auto found = passwd_lookup(
      [&](passwd* e, char* b, std::size_t n, passwd** r) { return getpwuid_r(uid, e, b, n, r); });
  if (found && *found) return (*found)->name + " (uid " + std::to_string(uid) + ")";
  return "uid " + std::to_string(uid);
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Why `st` (of `path`) makes a root script unsafe, or empty when it does not.
std::string insecurity(const std::string& path, const struct stat& st) {
  if (st.st_uid != 0) return path + " is owned by " + user_name(st.st_uid) + ", not root";
  const bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0;
  if (sticky_dir) return "";
  if (st.st_gid != 0 && (st.st_mode & S_IWGRP) != 0) {
    return path + " is writable by group " + group_name(st.st_gid);
  }
  if ((st.st_mode & S_IWOTH) != 0) {
    return path + " is writable by everyone" +
           (S_ISDIR(st.st_mode) ? std::string(" (a directory without the sticky bit)") : "");
  }
  return "";
}

}  // namespace

Result<Credentials> resolve_credentials(const std::optional<std::string>& user,
                                        const std::optional<std::string>& group) {
  Credentials out;
  if (!user) {
    if (group) {
      auto gid = find_group(*group);
      if (!gid) return tl::unexpected(gid.error());
      out.gid = *gid;
    }
    return out;
  }
  auto entry = find_user(*user);
  if (!entry) return tl::unexpected(entry.error());
  if (!*entry) return fail("user '" + *user + "' does not exist");
  const bool has_passwd = (*entry)->in_passwd;
  out.uid = (*entry)->uid;
  out.user = (*entry)->name;
  out.home = (*entry)->home;
  if (group) {
    auto gid = find_group(*group);
    if (!gid) return tl::unexpected(gid.error());
    out.gid = *gid;
  } else if (has_passwd) {
    out.gid = (*entry)->gid;
  } else {
    return fail("user '" + *user + "' has no passwd entry: give its group too");
  }

  // Supplementary groups: the user's, by name, plus the primary group.
  std::vector<gid_t> groups(32);
  if (has_passwd) {
    int count = static_cast<int>(groups.size());
    while (getgrouplist(out.user.c_str(), *out.gid, groups.data(), &count) < 0) {
      if (count <= static_cast<int>(groups.size())) count = static_cast<int>(groups.size()) * 2;
      groups.resize(static_cast<std::size_t>(count));
    }
    groups.resize(static_cast<std::size_t>(count));
  } else {
    groups.assign(1, *out.gid);
  }
  out.supplementary = std::move(groups);
  return out;
}

Result<Credentials> script_credentials(const std::optional<std::string>& user,
                                       const std::optional<std::string>& group,
                                       const std::optional<std::string>& script_user,
                                       const std::optional<std::string>& script_group) {
  if (user) return resolve_credentials(user, group);
  if (script_user) return resolve_credentials(script_user, script_group);
  // keepalived's default: keepalived_script if that user exists, else root.
  static const std::string kDefaultUser = "keepalived_script";
  auto entry = passwd_lookup([&](passwd* e, char* b, std::size_t n, passwd** r) {
    return getpwnam_r(kDefaultUser.c_str(), e, b, n, r);
  });
  if (entry && *entry) return resolve_credentials(kDefaultUser, std::nullopt);
  return Credentials{};
}

Result<void> check_script_security(const std::string& program, const Credentials& credentials) {
  if (program.empty()) return fail("script security: empty script path");
  struct stat file {};
  if (::stat(program.c_str(), &file) != 0) {
    return fail("script " + program + " cannot be checked: " + errno_text(errno));
  }
  const uid_t uid = credentials.uid.value_or(::geteuid());
  const gid_t gid = credentials.gid.value_or(::getegid());
  const bool needs_protection =
      uid == 0 || gid == 0 ||
      (file.st_uid == 0 && (file.st_mode & S_IXUSR) != 0 && (file.st_mode & S_ISUID) != 0) ||
      (file.st_gid == 0 && (file.st_mode & S_IXGRP) != 0 && (file.st_mode & S_ISGID) != 0);
  if (!needs_protection) return {};
  if (const auto why = insecure_path(program)) {
    return fail("script " + program + " would run as " + (uid == 0 ? "root" : "group root") +
                " but " + *why);
  }
  return {};
}

std::optional<std::string> insecure_path(const std::string& program) {
  std::string path = program;
  if (path.empty()) return "the script path is empty";
  if (path.front() != '/') {
    std::vector<char> cwd(4096);
    if (::getcwd(cwd.data(), cwd.size()) == nullptr) {
      return "the current directory cannot be resolved: " + errno_text(errno);
    }
    path = std::string(cwd.data()) + "/" + path;
  }
  // "/", every directory on the way (repeated slashes count once), then the file.
  std::vector<std::string> steps{"/"};
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '/' && path[i - 1] != '/') steps.push_back(path.substr(0, i));
  }
  if (path.back() != '/') steps.push_back(path);
  for (const auto& step : steps) {
    struct stat st {};
    if (::stat(step.c_str(), &st) != 0) return step + " cannot be checked: " + errno_text(errno);
    if (std::string why = insecurity(step, st); !why.empty()) return why;
  }
  return std::nullopt;
}

std::string find_program(const std::string& name) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return is_executable_file(name) ? name : "";
  // The daemon's PATH, else the one keepalived uses when it has none.
  const char* env = std::getenv("PATH");
  const std::string path =
      env != nullptr ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::size_t start = 0;
  while (true) {
    const std::size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? end : end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = std::move(dir);
    candidate += '/';
    candidate += name;
    if (is_executable_file(candidate)) return candidate;
    if (end == std::string::npos) return "";
    start = end + 1;
  }
}

Result<Credentials> script_identity(const std::string& program_name, const ScriptUsers& users,
                                    bool script_security) {
  auto credentials =
      script_credentials(users.user, users.group, users.script_user, users.script_group);
  if (!credentials || !script_security) return credentials;
  const std::string program = find_program(program_name);
  if (program.empty()) {
    return fail("cannot find " +
                (program_name.empty() ? std::string("(empty command)") : program_name));
  }
  if (auto secure = check_script_security(program, *credentials); !secure) {
    return tl::unexpected(secure.error());
  }
  return credentials;
}

}  // namespace halo::process
