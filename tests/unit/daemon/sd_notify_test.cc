// sd_notify(3) without libsystemd: what arrives on a datagram socket named by NOTIFY_SOCKET,
// as a filesystem path and in the abstract namespace.
#include "daemon/sd_notify.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "common/unique_fd.h"

namespace halo::daemon {
namespace {

// A datagram socket bound to `name` ("/path" or "@abstract"), standing in for systemd.
UniqueFd bind_listener(const std::string& name) {
  UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  EXPECT_TRUE(fd.valid()) << std::strerror(errno);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, name.data(), name.size());
  if (name[0] == '@') addr.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  EXPECT_EQ(bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), length), 0)
      << name << ": " << std::strerror(errno);
  return fd;
}

std::string receive(const UniqueFd& fd) {
  char buf[256];
  const ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
  if (n < 0) return "<nothing: " + std::string(std::strerror(errno)) + ">";
  return std::string(buf, static_cast<size_t>(n));
}

// Sets NOTIFY_SOCKET for one test and restores the environment afterwards.
class SdNotify : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* old = getenv("NOTIFY_SOCKET")) saved_ = old;
  }
  void TearDown() override {
    if (saved_.empty()) {
      unsetenv("NOTIFY_SOCKET");
    } else {
      setenv("NOTIFY_SOCKET", saved_.c_str(), 1);
    }
    if (!path_.empty()) unlink(path_.c_str());
  }
  std::string saved_;
  std::string path_;
};

TEST_F(SdNotify, PathSocket) {
  char dir[] = "/tmp/halo-notify-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  path_ = std::string(dir) + "/notify";
  auto listener = bind_listener(path_);
  setenv("NOTIFY_SOCKET", path_.c_str(), 1);

  notify_systemd("READY=1");
  EXPECT_EQ(receive(listener), "READY=1");
  notify_systemd("RELOADING=1");
  notify_systemd("STOPPING=1");
  EXPECT_EQ(receive(listener), "RELOADING=1");
  EXPECT_EQ(receive(listener), "STOPPING=1");

  unlink(path_.c_str());
  path_.clear();
  rmdir(dir);
}

TEST_F(SdNotify, AbstractSocket) {
  const std::string name = "@halo-notify-test-" + std::to_string(getpid());
  auto listener = bind_listener(name);
  setenv("NOTIFY_SOCKET", name.c_str(), 1);

  notify_systemd("READY=1");
  EXPECT_EQ(receive(listener), "READY=1");
}

TEST_F(SdNotify, UnsetIsANoOp) {
  unsetenv("NOTIFY_SOCKET");
  notify_systemd("READY=1");  // nothing to check but that it returns quietly
  auto sent = send_notify("", "READY=1");
  ASSERT_TRUE(sent);
  EXPECT_FALSE(*sent);
}

TEST_F(SdNotify, ErrorsNameTheSocket) {
  auto relative = send_notify("notify", "READY=1");
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().message, "NOTIFY_SOCKET notify: not an AF_UNIX socket address");

  auto missing = send_notify("/nonexistent/halo-notify", "READY=1");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "cannot send READY=1 to /nonexistent/halo-notify: No such file or directory");

  auto too_long = send_notify("/" + std::string(200, 'x'), "READY=1");
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("name too long"), std::string::npos);
}

}  // namespace
}  // namespace halo::daemon
