#include "control/listener.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace halo::control {
namespace {

namespace fs = std::filesystem;

class ControlListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/halo-listener-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static UniqueFd connect_to(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      return UniqueFd();
    }
    return fd;
  }

  // A socket file nobody listens on any more, as a crashed daemon leaves it.
  static void make_stale(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  }

  std::string dir_;
};

TEST_F(ControlListenerTest, CreatesDirectoryAndAppliesModeBeforeClientsCanConnect) {
  const SocketSpec spec{dir_ + "/run/halo/halo.sock", 0600, {}, {}};
  auto fd = open_listener(spec);
  ASSERT_TRUE(fd) << fd.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/run/halo").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  ASSERT_EQ(::stat(spec.path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_TRUE(connect_to(spec.path));
  EXPECT_TRUE(::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(::fcntl(fd->get(), F_GETFL) & O_NONBLOCK);
}

TEST_F(ControlListenerTest, AppliesAnotherModeAndOwnership) {
  const SocketSpec spec{dir_ + "/halo.sock", 0660, 12345u, 54321u};
  const mode_t old = ::umask(0);  // the process's umask does not widen the socket
  auto fd = open_listener(spec);
  ::umask(old);
  ASSERT_TRUE(fd) << fd.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(spec.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  if (::geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 12345u);
    EXPECT_EQ(st.st_gid, 54321u);
  }
}

TEST_F(ControlListenerTest, ReplacesAStaleSocket) {
  const SocketSpec spec{dir_ + "/halo.sock", 0600, {}, {}};
  make_stale(spec.path);
  auto fd = open_listener(spec);
  ASSERT_TRUE(fd) << fd.error().message;
  EXPECT_TRUE(connect_to(spec.path));
}

TEST_F(ControlListenerTest, RefusesToTakeOverALiveSocket) {
  const SocketSpec spec{dir_ + "/halo.sock", 0600, {}, {}};
  auto first = open_listener(spec);
  ASSERT_TRUE(first);
  const auto second = open_listener(spec);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message, "another daemon is listening on " + spec.path);
  EXPECT_TRUE(connect_to(spec.path));  // the first one still answers
}

TEST_F(ControlListenerTest, RefusesToReplaceSomethingElse) {
  const SocketSpec spec{dir_ + "/halo.sock", 0600, {}, {}};
  {
    std::FILE* f = std::fopen(spec.path.c_str(), "w");
    std::fclose(f);
  }
  const auto fd = open_listener(spec);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().message, spec.path + " exists and is not a socket; not replacing it");
  EXPECT_TRUE(fs::is_regular_file(spec.path));
}

TEST_F(ControlListenerTest, RefusesAPathTooLongForSunPath) {
  const auto fd = open_listener({dir_ + "/" + std::string(120, 'x'), 0600, {}, {}});
  ASSERT_FALSE(fd);
  EXPECT_NE(fd.error().message.find("is longer than 107 bytes"), std::string::npos);
}

TEST_F(ControlListenerTest, RemovesItsOwnSocketOnly) {
  const SocketSpec spec{dir_ + "/halo.sock", 0600, {}, {}};
  auto first = open_listener(spec);
  ASSERT_TRUE(first);
  remove_listener(spec, first->get());
  EXPECT_FALSE(fs::exists(spec.path));

  // Someone removed our file and another daemon bound the path since: it stays.
  auto mine = open_listener(spec);
  ASSERT_TRUE(mine);
  fs::remove(spec.path);
  auto theirs = open_listener(spec);
  ASSERT_TRUE(theirs);
  remove_listener(spec, mine->get());
  EXPECT_TRUE(fs::exists(spec.path));
  EXPECT_TRUE(connect_to(spec.path));
}

}  // namespace
}  // namespace halo::control
