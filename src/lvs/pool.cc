// The pool of one virtual server: keepalived's ipwrapper.c rules (numbered R1..R9 in pool.h)
// as plain functions of the state kept here. Each input changes the state, then computes the
// notices in the order keepalived gives them: the real server's own notice first, then what
// it did to the quorum (sorry server in or out before the quorum notice, as keepalived edits
// the table before it runs quorum_up/quorum_down).
//
// What the back end must hold is not tracked incrementally as keepalived does (it issues
// add/delete/edit commands and keeps "set" flags per server); desired() derives the table
// from the state each time (R5), so the back end can diff it with what it installed.
#include "lvs/pool.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace halo::lvs {
namespace {

// IPVS_WEIGHT_LIMIT: the kernel's weight is a signed 32-bit value.
constexpr std::int64_t kMaxWeight = std::numeric_limits<std::int32_t>::max();

std::uint32_t clamp_weight(std::int64_t weight) {
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(weight, 0, kMaxWeight));
}

bool same_endpoint(const Destination& a, const Destination& b) {
  return a.address == b.address && a.port == b.port;
}

PoolNotice notice(PoolNotice::Kind kind) {
  PoolNotice n{};
  n.kind = kind;
  return n;
}

PoolNotice real_server_notice(PoolNotice::Kind kind, std::size_t index) {
  PoolNotice n = notice(kind);
  n.real_server = index;
  return n;
}

}  // namespace

Pool::Pool(PoolSpec spec) : spec_(std::move(spec)) {
  real_servers_.reserve(spec_.real_servers.size());
  for (const auto& rs : spec_.real_servers) {
    RealServerState state;
    state.checker_up = rs.checker_starts_up;
    state.has_run.assign(rs.checker_starts_up.size(), false);
    state.contribution.assign(rs.checker_starts_up.size(), 0);
    state.alive = all_checkers_up(state);
    real_servers_.push_back(std::move(state));
  }
  // R7: keepalived's set_quorum_states runs before any real server is alive.
  quorum_up_ = std::int64_t{0} >= std::int64_t{spec_.quorum} + spec_.hysteresis;
}

bool Pool::all_checkers_up(const RealServerState& rs) const {
  return std::all_of(rs.checker_up.begin(), rs.checker_up.end(), [](bool up) { return up; });
}

std::vector<PoolNotice> Pool::start() {
  std::vector<PoolNotice> out;
  if (spec_.rs_init_notifies) {
    for (std::size_t i = 0; i < real_servers_.size(); ++i) {
      if (real_servers_[i].alive) {
        out.push_back(real_server_notice(PoolNotice::Kind::RealServerUp, i));
      }
    }
  }
  auto quorum = update_quorum(true);
  out.insert(out.end(), quorum.begin(), quorum.end());
  return out;
}

std::vector<PoolNotice> Pool::carry_over(const Pool& old,
                                         const std::vector<std::optional<std::size_t>>& carried) {
  std::vector<PoolNotice> out;
  for (std::size_t i = 0; i < real_servers_.size(); ++i) {
    const std::optional<std::size_t> from = i < carried.size() ? carried[i] : std::nullopt;
    if (from && *from < old.real_servers_.size() &&
        old.real_servers_[*from].checker_up.size() == real_servers_[i].checker_up.size()) {
      real_servers_[i] = old.real_servers_[*from];
      const std::uint32_t weight = effective_weight(i);
      if (real_servers_[i].alive && weight != old.effective_weight(*from)) {
        PoolNotice n = real_server_notice(PoolNotice::Kind::RealServerWeight, i);
        n.weight = weight;
        out.push_back(n);
      }
    } else if (spec_.rs_init_notifies && real_servers_[i].alive) {
      out.push_back(real_server_notice(PoolNotice::Kind::RealServerUp, i));  // R2
    }
  }
  quorum_up_ = old.quorum_up_;
  sorry_active_ = old.sorry_active_ && spec_.sorry_server.has_value();
  if (!quorum_up_ && spec_.sorry_server && !sorry_active_) {
    // A sorry server the reload added to a virtual server without quorum: it goes in now.
    sorry_active_ = true;
    out.push_back(notice(PoolNotice::Kind::SorryServerIn));
  }
  auto quorum = update_quorum(false);
  out.insert(out.end(), quorum.begin(), quorum.end());
  return out;
}

std::vector<PoolNotice> Pool::set_checker(std::size_t real_server, std::size_t checker, bool up) {
  if (real_server >= real_servers_.size()) return {};
  RealServerState& rs = real_servers_[real_server];
  if (checker >= rs.checker_up.size()) return {};

  std::vector<PoolNotice> out;
  const bool first = !rs.has_run[checker];
  rs.has_run[checker] = true;
  if (rs.checker_up[checker] == up) {
    // R3: a first "down" from a checker that started down is reported once.
    if (first && !up)
      out.push_back(real_server_notice(PoolNotice::Kind::RealServerDown, real_server));
    return out;
  }
  rs.checker_up[checker] = up;
  const bool alive = all_checkers_up(rs);
  if (alive == rs.alive) return out;  // another checker still decides (R1)

  rs.alive = alive;
  out.push_back(real_server_notice(
      alive ? PoolNotice::Kind::RealServerUp : PoolNotice::Kind::RealServerDown, real_server));
  auto quorum = update_quorum(false);
  out.insert(out.end(), quorum.begin(), quorum.end());
  return out;
}

std::vector<PoolNotice> Pool::set_contribution(std::size_t real_server, std::size_t checker,
                                               std::int64_t contribution) {
  if (real_server >= real_servers_.size()) return {};
  RealServerState& rs = real_servers_[real_server];
  if (checker >= rs.contribution.size()) return {};

  const std::uint32_t before = effective_weight(real_server);
  rs.contribution[checker] = contribution;
  const std::uint32_t after = effective_weight(real_server);
  if (before == after || !rs.alive) return {};  // R4: a dead server's weight waits

  std::vector<PoolNotice> out;
  PoolNotice n = real_server_notice(PoolNotice::Kind::RealServerWeight, real_server);
  n.weight = after;
  out.push_back(n);
  auto quorum = update_quorum(false);
  out.insert(out.end(), quorum.begin(), quorum.end());
  return out;
}

// R6 and R7: keepalived's update_quorum_state.
std::vector<PoolNotice> Pool::update_quorum(bool init) {
  const std::int64_t sum = alive_weight_sum();
  const std::int64_t quorum = spec_.quorum;
  const std::int64_t hysteresis = spec_.hysteresis;
  const std::int64_t threshold = quorum_up_ ? quorum - hysteresis : quorum + hysteresis;

  std::vector<PoolNotice> out;
  PoolNotice q{};
  q.weight_sum = sum;
  q.threshold = threshold;
  if (!quorum_up_ && sum >= threshold) {
    quorum_up_ = true;
    if (sorry_active_) {
      sorry_active_ = false;
      out.push_back(notice(PoolNotice::Kind::SorryServerOut));
    }
    q.kind = PoolNotice::Kind::QuorumUp;
    out.push_back(q);
  } else if ((quorum_up_ && (sum == 0 || sum < threshold)) ||
             (init && !quorum_up_ && spec_.sorry_server && !sorry_active_)) {
    quorum_up_ = false;
    if (spec_.sorry_server && !sorry_active_) {
      sorry_active_ = true;
      out.push_back(notice(PoolNotice::Kind::SorryServerIn));
    }
    q.kind = PoolNotice::Kind::QuorumDown;
    out.push_back(q);
  }
  return out;
}

// R8 and R9: the real servers still alive go down, then the virtual server.
std::vector<PoolNotice> Pool::down_notices(bool quorum_notice) const {
  std::vector<PoolNotice> out;
  for (std::size_t i = 0; i < real_servers_.size(); ++i) {
    if (real_servers_[i].alive) {
      out.push_back(real_server_notice(PoolNotice::Kind::RealServerDown, i));
    }
  }
  if (quorum_notice) {
    PoolNotice q{};
    q.kind = PoolNotice::Kind::QuorumDown;
    q.weight_sum = 0;  // keepalived weighs after every real server was set down
    q.threshold = std::int64_t{spec_.quorum} - spec_.hysteresis;
    out.push_back(q);
  }
  return out;
}

std::vector<PoolNotice> Pool::stop() const {
  if (!spec_.omega) return {};
  return down_notices(true);
}

std::vector<PoolNotice> Pool::remove() const {
  return down_notices(quorum_up_);
}

Service Pool::desired() const {
  Service service = spec_.service;
  service.destinations.clear();
  for (std::size_t i = 0; i < real_servers_.size(); ++i) {
    const RealServerSpec& spec = spec_.real_servers[i];
    const bool alive = real_servers_[i].alive;
    if (sorry_active_ && spec_.sorry_server &&
        same_endpoint(spec.destination, *spec_.sorry_server)) {
      continue;  // the sorry server's entry stands for it (R5)
    }
    Destination d = spec.destination;
    if (!sorry_active_ && alive) {
      d.weight = effective_weight(i);
    } else if (spec.inhibit_on_failure) {
      d.weight = 0;
    } else {
      continue;
    }
    service.destinations.push_back(d);
  }
  if (spec_.sorry_server) {
    const Destination& sorry = *spec_.sorry_server;
    const bool duplicates_rs =
        std::any_of(spec_.real_servers.begin(), spec_.real_servers.end(),
                    [&](const RealServerSpec& rs) { return same_endpoint(rs.destination, sorry); });
    if (sorry_active_) {
      service.destinations.push_back(sorry);
    } else if (spec_.sorry_server_inhibit && !duplicates_rs) {
      Destination d = sorry;
      d.weight = 0;
      service.destinations.push_back(d);
    }
  }
  return service;
}

bool Pool::quorum_up() const {
  return quorum_up_;
}

bool Pool::alive(std::size_t real_server) const {
  return real_server < real_servers_.size() && real_servers_[real_server].alive;
}

std::uint32_t Pool::effective_weight(std::size_t real_server) const {
  if (real_server >= real_servers_.size()) return 0;
  std::int64_t weight = spec_.real_servers[real_server].destination.weight;
  for (std::int64_t c : real_servers_[real_server].contribution) {
    // Saturate: contributions are bounded in practice, but a sum must never wrap.
    if (c > 0 && weight > std::numeric_limits<std::int64_t>::max() - c) {
      weight = std::numeric_limits<std::int64_t>::max();
    } else if (c < 0 && weight < std::numeric_limits<std::int64_t>::min() - c) {
      weight = std::numeric_limits<std::int64_t>::min();
    } else {
      weight += c;
    }
  }
  return clamp_weight(weight);
}

std::int64_t Pool::alive_weight_sum() const {
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < real_servers_.size(); ++i) {
    if (real_servers_[i].alive) sum += effective_weight(i);
  }
  return sum;
}

bool Pool::sorry_server_active() const {
  return sorry_active_;
}

const PoolSpec& Pool::spec() const {
  return spec_;
}

}  // namespace halo::lvs
