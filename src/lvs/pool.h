// One virtual server's pool as keepalived keeps it, as a pure state machine: checker verdicts
// and weight contributions in; the Service the back end must hold and the notices (real server
// up/down, quorum gained/lost, sorry server in/out) out. No I/O, no clock.
//
// keepalived's rules, which this follows (keepalived.conf(5); check/ipwrapper.c):
//  - A real server is alive when every one of its checkers is up (one with no checker always
//    is). Without alpha, checkers start up; with alpha (virtual server, real server or
//    checker), down. An alive real server is in the pool with its effective weight; a dead one
//    is removed, or kept with weight 0 when inhibit_on_failure is set.
//  - Effective weight = configured weight + the sum of its checkers' contributions
//    (misc_dynamic, FILE_CHECK), never below 0.
//  - Quorum: the sum of the effective weights of the alive real servers. With quorum up, it
//    is lost when that sum is 0 or below quorum - hysteresis; with quorum down, gained when
//    it reaches quorum + hysteresis. The pool starts with quorum up... (see pool.cc for the
//    start rule, recorded from keepalived).
//  - Quorum lost with a sorry_server: the sorry server enters the pool (weight 0 with
//    sorry_server_inhibit... see pool.cc) and the alive real servers leave it; quorum gained:
//    the sorry server leaves and the alive real servers return.
//  - omega: at shutdown (or when a reload removes the virtual server) the notify_down of every
//    alive real server and the quorum_down run; without omega, nothing runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lvs/service.h"

namespace halo::lvs {

struct RealServerSpec {
  std::string name;         // "[198.51.100.11]:tcp:80", keepalived's FIFO form (notice_line.h)
  Destination destination;  // configured weight in destination.weight
  bool inhibit_on_failure = false;
  std::vector<bool> checker_starts_up;  // one per checker: !alpha
};

struct PoolSpec {
  Service service;  // destinations ignored: the pool fills them
  std::vector<RealServerSpec> real_servers;
  std::uint32_t quorum = 1;
  std::uint32_t hysteresis = 0;
  std::optional<Destination> sorry_server;
  bool sorry_server_inhibit = false;
  bool omega = false;
};

// Something that happened to the pool, for notify scripts, FIFO lines, events and logs.
struct PoolNotice {
  enum class Kind : std::uint8_t {
    RealServerUp,
    RealServerDown,
    RealServerWeight,  // effective weight changed while alive
    QuorumUp,
    QuorumDown,
    SorryServerIn,
    SorryServerOut,
  };
  Kind kind;
  std::size_t real_server = 0;  // RealServer* kinds: index into PoolSpec::real_servers
  std::int64_t weight_sum = 0;  // Quorum*: the alive weight sum that decided it
  std::int64_t threshold = 0;   // Quorum*: the threshold it was compared with
  std::uint32_t weight = 0;     // RealServerWeight: the new effective weight

  friend bool operator==(const PoolNotice&, const PoolNotice&) = default;
};

class Pool {
 public:
  explicit Pool(PoolSpec spec);

  // The state at start, before any check ran: the notices keepalived gives then (quorum
  // state at start, sorry server if the start state has no quorum).
  std::vector<PoolNotice> start();

  // Inputs; each returns what changed, in order.
  std::vector<PoolNotice> set_checker(std::size_t real_server, std::size_t checker, bool up);
  std::vector<PoolNotice> set_contribution(std::size_t real_server, std::size_t checker,
                                           std::int64_t contribution);
  // omega: the notices to give at shutdown (empty without omega).
  std::vector<PoolNotice> stop() const;

  // What the back end must hold now.
  Service desired() const;

  bool quorum_up() const;
  bool alive(std::size_t real_server) const;
  std::uint32_t effective_weight(std::size_t real_server) const;
  std::int64_t alive_weight_sum() const;
  bool sorry_server_active() const;
  const PoolSpec& spec() const;

 private:
  struct RealServerState {
    std::vector<bool> checker_up;
    std::vector<std::int64_t> contribution;
    bool alive = true;
  };
  PoolSpec spec_;
  std::vector<RealServerState> real_servers_;
  bool quorum_up_ = true;
  bool sorry_active_ = false;
};

}  // namespace halo::lvs
