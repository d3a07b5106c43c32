// A second network namespace beside a NetnsSandbox, for the far end of a veth: what leaves
// veth-a in the sandbox crosses the veth and arrives on veth-b as another host would see it.
//
// The peer is made with unshare() from inside the sandbox and held by a descriptor only, so it
// vanishes with the process and nothing is left under /run/netns. It is needed because in one
// namespace a datagram for a local address goes through lo instead of the veth, and one
// arriving on veth-b from veth-a's address is a martian (fib_validate_source) and is dropped.
// Sockets are opened inside the peer by entering it for the call (setns); a socket stays in
// the namespace it was created in.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "common/unique_fd.h"
#include "support/netns_sandbox.h"

namespace halo::testing {

class PeerNamespace {
 public:
  // From inside the sandbox: makes the peer and comes back.
  bool create() {
    home_.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!home_ || ::unshare(CLONE_NEWNET) != 0) return false;
    peer_.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    return ::setns(home_.get(), CLONE_NEWNET) == 0 && peer_.valid();
  }
  // What `ip link set DEV netns` takes: a path to the namespace.
  std::string path() const {
    return "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(peer_.get());
  }
  // Runs `f` inside the peer (sockets it opens stay there; commands it runs run there).
  template <class F>
  auto inside(F f) {
    EXPECT_EQ(::setns(peer_.get(), CLONE_NEWNET), 0);
    struct Back {
      int home;
      ~Back() { EXPECT_EQ(::setns(home, CLONE_NEWNET), 0); }
    } back{home_.get()};
    return f();
  }

 private:
  UniqueFd home_;
  UniqueFd peer_;
};

// Two hosts joined by a veth pair: veth-a in the sandbox, veth-b in a peer namespace, and an
// io_context for the sockets under test.
class PeerVethSandbox : public NetnsSandbox {
 protected:
  // From SetUp(), after NetnsSandbox::SetUp(): makes the pair, moves veth-b into the peer, runs
  // `here` (shell) in the sandbox and `there` in the peer, and reads both interface indexes.
  void add_peer_veth(const std::string& here, const std::string& there) {
    add_veth("veth-a", "veth-b");
    if (HasFatalFailure()) return;
    ASSERT_TRUE(peer_.create());
    ASSERT_TRUE(sh("ip link set veth-b netns " + peer_.path()));
    ASSERT_TRUE(sh(here)) << here;
    ASSERT_TRUE(peer_.inside([&] { return sh(there); })) << there;
    a_index_ = ::if_nametoindex("veth-a");
    b_index_ = peer_.inside([] { return ::if_nametoindex("veth-b"); });
    ASSERT_NE(a_index_, 0U);
    ASSERT_NE(b_index_, 0U);
  }

  // Runs the loop until `done` or two seconds, whichever first.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_one_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  boost::asio::io_context io_;  // before the sockets: they die first
  PeerNamespace peer_;
  std::uint32_t a_index_ = 0;
  std::uint32_t b_index_ = 0;
};

}  // namespace halo::testing
