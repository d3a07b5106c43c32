// One virtual server's pool as keepalived keeps it, as a pure state machine: checker verdicts
// and weight contributions in; the Service the back end must hold and the notices (real server
// up/down, quorum gained/lost, sorry server in/out) out. No I/O, no clock.
//
// keepalived's rules (keepalived.conf(5); keepalived 2.2.7, check/ipwrapper.c and
// check/ipvswrapper.c, set_quorum_states checked in the 2.2.7 binary), and where halo departs
// from them. R3, R6, R7 and R8's VS line were also seen in a capture of keepalived 2.2.7's
// FIFO (tests/unit/lvs/notice_line_test.cc, RecordedFromKeepalived).
//
//  R1 Alive. A real server is alive when every one of its checkers is up; one with no checker
//     always is (update_svr_checker_state: up only when no other checker has failed, down on
//     the first failing one).
//  R2 Start (init_service_rs, queue_checker). A checker starts up unless alpha is set (on the
//     virtual server, real server or checker), then down; a real server starts alive when all
//     its checkers start up. With rs_init_notifies, each real server that starts alive gives a
//     RealServerUp at start; otherwise nothing is said about real servers at start.
//  R3 First verdict (update_svr_checker_state, has_run). A checker's first verdict that equals
//     its start state changes nothing, except that a first "down" of a checker that started
//     down (alpha) gives a RealServerDown notice: with alpha the operator hears of a real
//     server that never came up. Callers pass each checker's first verdict and then every
//     change; repeating an unchanged verdict afterwards is a no-op.
//  R4 Effective weight (update_svr_wgt, real_weight). Configured weight plus the sum of the
//     checkers' contributions (misc_dynamic, FILE_CHECK dynamic), clamped to 0..2^31-1 (IPVS's
//     limit). The clamped value is both the back-end weight and what counts for quorum. A
//     change of the clamped value of an alive real server gives RealServerWeight and then
//     re-evaluates quorum (R6); for a dead one it is only remembered.
//  R5 Back-end table (ipvs_cmd, perform_svr_state, perform_quorum_state), what desired()
//     returns, real servers in config order then the sorry server:
//      - sorry server not in: every alive real server with its effective weight; a dead one
//        with inhibit_on_failure with weight 0; a dead one without it absent. The sorry server
//        is absent, or present with weight 0 under sorry_server_inhibit.
//      - sorry server in: the sorry server with its weight; real servers with
//        inhibit_on_failure with weight 0 (alive or not: keepalived's removal of an inhibited
//        server is a weight-0 edit); the others absent.
//     A sorry server with the address and port of a real server is one destination: the
//     sorry server's while it is in, the real server's otherwise.
//  R6 Quorum (update_quorum_state, weigh_live_realservers). sum = the effective weights of the
//     alive real servers. With quorum up, it is lost when sum == 0 or sum < quorum - hysteresis
//     (threshold quorum - hysteresis); with quorum down, it is gained when sum >= quorum +
//     hysteresis (threshold quorum + hysteresis). So a sum that moves inside
//     [quorum - hysteresis, quorum + hysteresis) never changes it. keepalived computes the
//     thresholds in unsigned arithmetic (quorum - hysteresis wraps when hysteresis > quorum,
//     which its config check refuses); halo computes them signed.
//     Quorum lost: if a sorry server is configured and not in, it goes in and the alive real
//     servers leave (SorryServerIn), then QuorumDown. Quorum gained: if the sorry server is
//     in, it leaves and the alive real servers return (SorryServerOut), then QuorumUp.
//     A real server's own notice comes before the quorum notices it causes.
//  R7 Quorum at start (set_quorum_states, then update_quorum_state(init)). keepalived decides
//     the starting quorum before any real server is alive (so it starts down unless
//     quorum + hysteresis is 0), then evaluates it once the start state (R2) is in place, with
//     the "down" threshold quorum + hysteresis:
//      - sum >= quorum + hysteresis: quorum up, QuorumUp ("Starting with quorum up").
//      - otherwise, with a sorry server: quorum down, SorryServerIn, QuorumDown.
//      - otherwise, without a sorry server: quorum down and no notice at all (odd: quorum_down
//        and the "VS ... DOWN" line are not given at start, only on a later loss after a gain).
//     halo follows this exactly (the capture shows both cases).
//  R8 omega, stop() (clear_services, clear_service_rs, update_vs_notifies with stopping): with
//     omega, at shutdown, a RealServerDown for every alive real server, then a QuorumDown
//     whatever the quorum was (even if already down); without omega nothing. keepalived skips
//     the RealServerDown of alive real servers that are out of the table because the sorry
//     server is in (it only considers servers it still has "set"; seen in a capture), which
//     leaves a FIFO reader believing them up after the daemon stopped; halo gives it for every
//     alive real server, as keepalived.conf(5) documents ("consider quorum and RS down
//     notifiers for execution"). With lvs_flush_on_stop keepalived gives only the QuorumDown;
//     the caller then drops the RealServer* notices.
//  R9 Removal by a reload, remove() (clear_diff_services -> clear_service_vs, not stopping):
//     omega does not apply; a RealServerDown for every alive real server, then a QuorumDown
//     only if the quorum was up (with R8's departure for servers kept out by the sorry server).
// R10 Reload of a changed virtual server, carry_over() instead of start() (keepalived's
//     migrate_checkers and clear_diff_rs: a reload keeps the state of the real servers it does
//     not change). A real server whose checkers are unchanged keeps its checker verdicts,
//     first-verdict flags and contributions, so nothing is said of it, unless its configured
//     weight changed its effective weight while alive (R4's RealServerWeight). Other real
//     servers start as in R2. The quorum and the sorry server go on from the old pool and are
//     then evaluated as a change (R6), not as a start: notices only when they move. The
//     caller gives R9's RealServerDown for the old pool's real servers that were not carried.
//
// Notify scripts (notify_up/notify_down/quorum_up/quorum_down) are run by keepalived with the
// arguments written in the configuration only; nothing is appended.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
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
  bool rs_init_notifies = false;  // global_defs rs_init_notifies (R2)
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

  // The state at start, before any check ran (R2, R7), and the notices keepalived gives then.
  // Call once, before any other input.
  std::vector<PoolNotice> start();

  // R10: instead of start(), after a reload changed the virtual server. carried[i], when set,
  // is the index in `old` of real server i, whose checkers are unchanged (same count).
  std::vector<PoolNotice> carry_over(const Pool& old,
                                     const std::vector<std::optional<std::size_t>>& carried);

  // Inputs; each returns what changed, in order. Indices out of range are ignored.
  std::vector<PoolNotice> set_checker(std::size_t real_server, std::size_t checker, bool up);
  std::vector<PoolNotice> set_contribution(std::size_t real_server, std::size_t checker,
                                           std::int64_t contribution);
  // omega: the notices to give at shutdown (R8; empty without omega). State is unchanged.
  std::vector<PoolNotice> stop() const;
  // The notices to give when a reload removes this virtual server (R9). State is unchanged.
  std::vector<PoolNotice> remove() const;

  // What the back end must hold now (R5).
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
    std::vector<bool> has_run;
    std::vector<std::int64_t> contribution;
    bool alive = true;
  };
  bool all_checkers_up(const RealServerState& rs) const;
  std::vector<PoolNotice> update_quorum(bool init);
  std::vector<PoolNotice> down_notices(bool quorum_notice) const;

  PoolSpec spec_;
  std::vector<RealServerState> real_servers_;
  bool quorum_up_ = true;
  bool sorry_active_ = false;
};

}  // namespace halo::lvs
