// What a load-balancer back end must hold for one virtual server: the frontend it listens on
// and the destinations with their weights. Plain values: the pool (pool.h) computes them, the
// back ends (backend.h) make the kernel hold exactly that.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/model.h"

namespace halo::lvs {

// One address range (a single address has first == last) and port a service listens on; a
// virtual_server_group has several, a plain virtual_server one.
struct Frontend {
  IpAddress first;
  IpAddress last;
  std::uint16_t port = 0;  // 0: every port (persistent port-0 services)

  friend bool operator==(const Frontend&, const Frontend&) = default;
};

struct Destination {
  IpAddress address;
  std::uint16_t port = 0;
  std::uint32_t weight = 1;  // 0: in the table, given no new connections (inhibit_on_failure)
  config::ForwardingMethod method;
  std::uint32_t upper_threshold = 0;
  std::uint32_t lower_threshold = 0;

  friend bool operator==(const Destination&, const Destination&) = default;
};

struct Service {
  // Identity: keepalived's text for the virtual server, "192.0.2.10:80", "[2001:db8::1]:80",
  // "FWM 5", or "group NAME"; also the key back ends use to find what they installed.
  std::string name;
  config::LvsProtocol protocol = config::LvsProtocol::Tcp;
  Family family = Family::V4;
  std::vector<Frontend> frontends;
  std::vector<std::uint32_t> fwmarks;
  config::LvsScheduler scheduler = config::LvsScheduler::Wlc;
  bool sh_port = false;  // hash the source port too (sh), IPVS_SVC_F_SCHED_SH_PORT
  // IPVS's scheduler flags 1..3 as bits 0..2 (flag-N; sh-fallback and mh-fallback are flag 1,
  // sh-port and mh-port flag 2), one-packet scheduling (ops) and the hashed flag.
  std::uint8_t scheduler_flags = 0;
  bool one_packet = false;
  bool hashed = false;
  std::optional<std::uint32_t> persistence_timeout;  // seconds
  std::optional<config::PersistenceGranularity> persistence_granularity;
  std::vector<Destination> destinations;  // in config order

  friend bool operator==(const Service&, const Service&) = default;
};

}  // namespace halo::lvs
