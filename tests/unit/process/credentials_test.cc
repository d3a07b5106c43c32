// Credentials from `user [group]`, the default script user, PATH lookup, and keepalived's
// enable_script_security rule on files and directories made in a temporary directory.
#include "process/credentials.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace halo::process {
namespace {

TEST(ResolveCredentials, NoUserIsTheDaemonsIdentity) {
  auto c = resolve_credentials(std::nullopt, std::nullopt);
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, Credentials{});
}

TEST(ResolveCredentials, UserByName) {
  auto c = resolve_credentials("nobody", std::nullopt);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->uid, 65534U);
  EXPECT_EQ(c->gid, 65534U);  // nobody's primary group
  EXPECT_EQ(c->user, "nobody");
  EXPECT_EQ(c->home, "/nonexistent");
  EXPECT_NE(std::find(c->supplementary.begin(), c->supplementary.end(), 65534U),
            c->supplementary.end());
}

TEST(ResolveCredentials, UserByNumberAndExplicitGroup) {
  auto by_number = resolve_credentials("65534", std::nullopt);
  ASSERT_TRUE(by_number) << by_number.error().message;
  EXPECT_EQ(by_number->uid, 65534U);
  EXPECT_EQ(by_number->user, "nobody");

  auto with_group = resolve_credentials("nobody", "root");
  ASSERT_TRUE(with_group);
  EXPECT_EQ(with_group->gid, 0U);

  auto numeric_group = resolve_credentials("nobody", "4321");
  ASSERT_TRUE(numeric_group);
  EXPECT_EQ(numeric_group->gid, 4321U);

  // A number without a passwd entry works when the group is given.
  auto bare = resolve_credentials("54321", "54321");
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->uid, 54321U);
  EXPECT_EQ(bare->gid, 54321U);
  EXPECT_EQ(bare->supplementary, std::vector<gid_t>{54321});
  EXPECT_TRUE(bare->home.empty());
}

TEST(ResolveCredentials, Errors) {
  auto no_user = resolve_credentials("halo_no_such_user", std::nullopt);
  ASSERT_FALSE(no_user);
  EXPECT_EQ(no_user.error().message, "user 'halo_no_such_user' does not exist");

  auto no_group = resolve_credentials("nobody", "halo_no_such_group");
  ASSERT_FALSE(no_group);
  EXPECT_EQ(no_group.error().message, "group 'halo_no_such_group' does not exist");

  auto bare = resolve_credentials("54321", std::nullopt);
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().message, "user '54321' has no passwd entry: give its group too");
}

TEST(ResolveCredentials, ChildRunsWithThem) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to change user";
  auto nobody = resolve_credentials("nobody", std::nullopt);
  ASSERT_TRUE(nobody);
  std::string pattern = "/tmp/halo_credentials_XXXXXX";
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  ::chmod(pattern.c_str(), 0777);
  const std::string out = pattern + "/id";

  boost::asio::io_context io;
  Supervisor supervisor(io);
  Command command;
  command.argv = {"/bin/sh", "-c", "id -u > " + out + "; id -g >> " + out};
  command.credentials = *nobody;
  std::optional<ExitStatus> status;
  ASSERT_TRUE(supervisor.spawn(command, [&](const ExitStatus& s) { status = s; }));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!status && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->success()) << status->error;
  std::ifstream in(out);
  std::string uid;
  std::string gid;
  in >> uid >> gid;
  EXPECT_EQ(uid, "65534");
  EXPECT_EQ(gid, "65534");
  std::error_code ignored;
  std::filesystem::remove_all(pattern, ignored);
}

TEST(ScriptCredentials, OwnUserThenScriptUserThenDefault) {
  auto own = script_credentials("nobody", std::nullopt, "root", std::nullopt);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->uid, 65534U);

  auto global = script_credentials(std::nullopt, std::nullopt, "nobody", "root");
  ASSERT_TRUE(global);
  EXPECT_EQ(global->uid, 65534U);
  EXPECT_EQ(global->gid, 0U);

  auto fallback = script_credentials(std::nullopt, std::nullopt, std::nullopt, std::nullopt);
  ASSERT_TRUE(fallback);
  if (::getpwnam("keepalived_script") != nullptr) {
    EXPECT_EQ(fallback->user, "keepalived_script");
  } else {
    EXPECT_EQ(*fallback, Credentials{});  // root: no change
  }

  auto bad = script_credentials("halo_no_such_user", std::nullopt, std::nullopt, std::nullopt);
  EXPECT_FALSE(bad);
}

TEST(FindProgram, SearchesPath) {
  const std::string sh = find_program("sh");
  ASSERT_FALSE(sh.empty());
  EXPECT_TRUE(sh.ends_with("/sh")) << sh;
  EXPECT_EQ(sh.front(), '/');
  EXPECT_EQ(find_program("/bin/sh"), "/bin/sh");
  EXPECT_EQ(find_program("halo-no-such-program-anywhere"), "");
  EXPECT_EQ(find_program("/nonexistent/sh"), "");
  EXPECT_EQ(find_program("/etc/passwd"), "");  // not executable
}

// Files in a root-owned 0755 directory under /tmp (root-owned, 1777: fine for keepalived).
class CheckScriptSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to own files as root";
    std::string pattern = "/tmp/halo_security_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ::chmod(dir_.c_str(), 0755);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string make(const std::string& name, mode_t mode, uid_t uid = 0, gid_t gid = 0) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\nexit 0\n";
    EXPECT_EQ(::chown(path.c_str(), uid, gid), 0);
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  std::string make_dir(const std::string& name, mode_t mode, uid_t uid = 0, gid_t gid = 0) {
    std::string path = dir_ + "/" + name;
    EXPECT_EQ(::mkdir(path.c_str(), 0755), 0);
    EXPECT_EQ(::chown(path.c_str(), uid, gid), 0);
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  std::string dir_;
  Credentials root_;
};

TEST_F(CheckScriptSecurity, RootOwnedScriptInSafeDirectoriesIsAccepted) {
  const std::string script = make("ok.sh", 0755);
  EXPECT_TRUE(check_script_security(script, root_));
  // Group root may write: keepalived allows it.
  EXPECT_TRUE(check_script_security(make("group_root.sh", 0775), root_));
  // Repeated slashes are one step.
  EXPECT_TRUE(check_script_security(dir_ + "//ok.sh", root_));
}

TEST_F(CheckScriptSecurity, WorldWritableScriptIsRefused) {
  const std::string script = make("open.sh", 0757);
  auto r = check_script_security(script, root_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "script " + script + " would run as root but " + script + " is writable by everyone");
}

TEST_F(CheckScriptSecurity, ScriptOwnedByAnotherUserIsRefused) {
  const std::string script = make("theirs.sh", 0755, 65534, 0);
  auto r = check_script_security(script, root_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "script " + script + " would run as root but " + script +
                                   " is owned by nobody (uid 65534), not root");
}

TEST_F(CheckScriptSecurity, GroupWritableDirectoryIsRefused) {
  const gid_t nogroup = 65534;
  const std::string sub = make_dir("shared", 0775, 0, nogroup);
  const std::string script = make("shared/s.sh", 0755);
  auto r = check_script_security(script, root_);
  ASSERT_FALSE(r);
  const group* g = ::getgrgid(nogroup);
  const std::string name = g != nullptr ? std::string(g->gr_name) + " (gid 65534)" : "gid 65534";
  EXPECT_EQ(r.error().message,
            "script " + script + " would run as root but " + sub + " is writable by group " + name);
}

TEST_F(CheckScriptSecurity, WorldWritableDirectoryNeedsTheStickyBit) {
  make_dir("open", 0777);
  const std::string in_open = make("open/s.sh", 0755);
  auto r = check_script_security(in_open, root_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(dir_ + "/open is writable by everyone (a directory without "
                                          "the sticky bit)"),
            std::string::npos)
      << r.error().message;

  make_dir("sticky", 01777);
  EXPECT_TRUE(check_script_security(make("sticky/s.sh", 0755), root_));
  // The sticky bit does not excuse the file itself.
  EXPECT_FALSE(check_script_security(make("sticky/open.sh", 0777), root_));
  EXPECT_FALSE(check_script_security(make("sticky/theirs.sh", 0755, 65534, 65534), root_));
}

TEST_F(CheckScriptSecurity, OnlyScriptsRunAsRootNeedProtection) {
  Credentials nobody;
  nobody.uid = 65534;
  nobody.gid = 65534;
  nobody.supplementary = {65534};
  nobody.user = "nobody";
  const std::string open = make("open.sh", 0777);
  EXPECT_TRUE(check_script_security(open, nobody));
  // Group root, or a set-uid root file, needs it again.
  Credentials group_root = nobody;
  group_root.gid = 0;
  EXPECT_FALSE(check_script_security(open, group_root));
  make_dir("open", 0777);
  const std::string setuid_root = make("open/suid.sh", 04755);
  EXPECT_FALSE(check_script_security(setuid_root, nobody));
}

TEST_F(CheckScriptSecurity, MissingScriptCannotBeChecked) {
  auto r = check_script_security(dir_ + "/missing.sh", root_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "script " + dir_ + "/missing.sh cannot be checked: No such file or directory");
}

}  // namespace
}  // namespace halo::process
