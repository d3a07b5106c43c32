// The load-balancer side of the model: virtual_server_group, virtual_server, real_server and
// the health checkers (model/checkers.h), plus bfd_instance (model/bfd.h).
//
// Values keep what was written: an option that may be inherited (real server from virtual
// server, checker from real server) is std::optional, so "not set" stays distinct from "set
// to the default". Defaults the daemon applies are the member initializers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/model/bfd.h"
#include "config/model/checkers.h"
#include "config/model/common.h"

namespace halo::config {

// IPVS schedulers (ipvsadm -s).
enum class LvsScheduler : std::uint8_t {
  Rr,
  Wrr,
  Lc,
  Wlc,
  Lblc,
  Sh,
  Mh,
  Dh,
  Fo,
  Ovf,
  Lblcr,
  Sed,
  Nq,
  Twos
};

enum class LvsProtocol : std::uint8_t { Tcp, Udp, Sctp };

enum class LvsMethod : std::uint8_t { Nat, Dr, Tun };
enum class TunnelType : std::uint8_t { Ipip, Gue, Gre };
enum class TunnelChecksum : std::uint8_t { NoCsum, Csum, RemCsum };

// `lvs_method NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]`.
struct ForwardingMethod {
  LvsMethod method = LvsMethod::Nat;
  TunnelType tunnel = TunnelType::Ipip;
  std::uint16_t tunnel_port = 0;  // gue only
  TunnelChecksum checksum = TunnelChecksum::NoCsum;

  bool operator==(const ForwardingMethod&) const = default;
};

// One address line of a virtual_server_group: a single address or an inclusive range
// (`192.0.2.1-10`, `192.0.2.250-192.0.3.10`, `192.0.2.8/29` are all kept as first..last).
struct VsgAddressRange {
  IpAddress first;
  IpAddress last;
  std::uint16_t port = 0;  // 0: none given
  SourceLoc loc;

  bool operator==(const VsgAddressRange&) const = default;
};

struct VsgFwmark {
  std::uint32_t mark = 0;
  std::optional<Family> family;  // `fwmark N inet|inet6`
  SourceLoc loc;

  bool operator==(const VsgFwmark&) const = default;
};

struct VirtualServerGroup {
  std::string name;
  SourceLoc loc;
  std::vector<VsgAddressRange> ranges;
  std::vector<VsgFwmark> fwmarks;

  bool operator==(const VirtualServerGroup&) const = default;
};

// What a real_server may set besides address, port and weight; boxed, since most set none.
struct RealServerOptions {
  std::optional<ForwardingMethod> lvs_method;  // default: the virtual server's
  std::uint32_t uthreshold = 0;
  std::uint32_t lthreshold = 0;
  std::optional<bool> inhibit_on_failure;
  std::optional<Script> notify_up;
  std::optional<Script> notify_down;
  std::optional<bool> alpha;
  std::optional<std::uint32_t> retry;
  std::optional<Duration> delay_before_retry;
  std::optional<Duration> warmup;
  std::optional<Duration> connect_timeout;
  std::optional<Duration> delay_loop;
  std::optional<bool> smtp_alert;
  std::optional<std::string> virtualhost;
  std::optional<std::string> snmp_name;

  bool operator==(const RealServerOptions&) const = default;
};

struct RealServer {
  SourceLoc loc;
  IpAddress address;
  std::uint16_t port = 0;  // 0: the virtual server's port
  std::uint32_t weight = 1;
  Box<RealServerOptions> options;
  std::vector<Checker> checkers;

  bool operator==(const RealServer&) const = default;
};

struct SorryServer {
  IpAddress address;
  std::uint16_t port = 0;
  bool inhibit = false;
  std::optional<ForwardingMethod> lvs_method;
  SourceLoc loc;

  bool operator==(const SorryServer&) const = default;
};

// Persistence granularity: an IPv4 netmask or an IPv6 prefix length.
struct PersistenceGranularity {
  std::optional<IpAddress> netmask;  // IPv4
  std::uint8_t prefix_length = 0;    // IPv6, 1..128, when netmask is empty

  bool operator==(const PersistenceGranularity&) const = default;
};

enum class VirtualServerKind : std::uint8_t { Address, Fwmark, Group };

struct VirtualServer {
  SourceLoc loc;
  VirtualServerKind kind = VirtualServerKind::Address;
  IpAddress address;         // Address
  std::uint16_t port = 0;    // Address; 0: none (persistent services only)
  std::uint32_t fwmark = 0;  // Fwmark
  std::string group;         // Group: a virtual_server_group name

  std::optional<Family> ip_family;
  std::optional<std::uint32_t> retry;
  std::optional<Duration> delay_before_retry;
  std::optional<Duration> warmup;
  std::optional<Duration> connect_timeout;
  Duration delay_loop = std::chrono::seconds(60);
  bool inhibit_on_failure = false;
  std::optional<LvsScheduler> scheduler;  // required by keepalived -t (else 'wlc' + error)
  bool hashed = false;
  bool ops = false;
  bool flag_1 = false;
  bool flag_2 = false;
  bool flag_3 = false;
  bool sh_port = false;
  bool sh_fallback = false;
  bool mh_port = false;
  bool mh_fallback = false;
  std::optional<ForwardingMethod> lvs_method;  // required by keepalived -t (else NAT + error)
  std::optional<std::string> persistence_engine;
  std::optional<std::uint32_t> persistence_timeout;  // seconds
  std::optional<PersistenceGranularity> persistence_granularity;
  std::optional<LvsProtocol> protocol;
  bool ha_suspend = false;
  std::optional<bool> smtp_alert;
  std::optional<std::string> virtualhost;
  std::optional<std::string> snmp_name;
  bool alpha = false;
  bool omega = false;
  std::optional<Script> quorum_up;
  std::optional<Script> quorum_down;
  std::uint32_t quorum = 1;
  std::uint32_t hysteresis = 0;
  std::optional<std::uint32_t> weight;
  std::optional<SorryServer> sorry_server;
  std::vector<RealServer> real_servers;

  bool operator==(const VirtualServer&) const = default;
};

struct LvsConfig {
  std::vector<VirtualServerGroup> virtual_server_groups;
  std::vector<VirtualServer> virtual_servers;
  std::vector<BfdInstance> bfd_instances;

  bool operator==(const LvsConfig&) const = default;
};

}  // namespace halo::config
