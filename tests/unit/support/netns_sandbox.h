// A fresh network namespace for one test: the component tests of halo's sockets run against
// the real kernel without touching the host's network.
//
// ctest runs every test case in its own process (gtest_discover_tests), so entering a new
// namespace with unshare(CLONE_NEWNET) in SetUp() isolates the case completely: the namespace,
// its links and addresses disappear with the process. Needs root; without it the test is
// skipped, except under CI=true where that is a failure.
#pragma once

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace halo::testing {

// Runs a shell command (ip link add ...) inside the current namespace; true on exit 0.
inline bool sh(const std::string& command) {
  return std::system(command.c_str()) == 0;  // NOLINT(cert-env33-c): test set-up only
}

class NetnsSandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* ci = std::getenv("CI");
    const bool in_ci = ci != nullptr && std::string(ci) == "true";
    if (geteuid() != 0) {
      if (in_ci) FAIL() << "component tests need root (CI=true: this must work in CI)";
      GTEST_SKIP() << "component tests need root (a network namespace)";
    }
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << "unshare(CLONE_NEWNET) failed";
    ASSERT_TRUE(sh("ip link set lo up"));
  }

  // A veth pair a <-> b, both up, with MACs chosen by the kernel.
  static void add_veth(const std::string& a, const std::string& b) {
    ASSERT_TRUE(sh("ip link add " + a + " type veth peer name " + b));
    ASSERT_TRUE(sh("ip link set " + a + " up && ip link set " + b + " up"));
  }
};

}  // namespace halo::testing
