// A load-balancer back end: makes the kernel hold exactly the services halo computes. Two
// implementations: IPVS (keepalived's, ipvs_backend.h) and nftables DNAT maps
// (nft_backend.h). The daemon picks one with global_defs `lb_backend ipvs|nftables`
// (default: IPVS when the kernel has it, else nftables) and shows it in `show info`.
//
// Every call is synchronous netlink (a kernel call, no network round trip) and takes effect
// atomically per call: a service is never seen half-updated by a new connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/model.h"
#include "lvs/service.h"

namespace halo::lvs {

class Backend {
 public:
  virtual ~Backend() = default;
  Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  virtual std::string_view name() const = 0;  // "ipvs", "nftables"

  // Why this back end cannot program `vs` (a scheduler, forwarding method or option it cannot
  // express), or nullopt. The daemon reports it at the virtual server's file:line and
  // refuses the configuration before anything is applied.
  virtual std::optional<std::string> refuse(const config::VirtualServer& vs) const = 0;

  // Takes ownership of the kernel state: removes what a previous halo left behind (a crashed
  // daemon's table or services) and prepares an empty state.
  virtual Result<void> open() = 0;
  // Makes the kernel hold `service` exactly as given (adds it, or changes it to this),
  // atomically.
  virtual Result<void> apply(const Service& service) = 0;
  // Removes the service named `name` (as given to apply()); unknown names are ignored.
  virtual Result<void> remove(const std::string& name) = 0;
  // Removes everything halo installed.
  virtual Result<void> close() = 0;
  // At stop with global_defs `lvs_flush_on_stop` (without VS): empties the whole load-balancer
  // table, what other programs installed included, as keepalived does. IPVS flushes; the
  // nftables back end removes its own table only (other tables are not load-balancer services,
  // and a daemon never deletes the host's firewall).
  virtual Result<void> flush() = 0;
};

enum class BackendKind : std::uint8_t { Ipvs, Nftables };

// ipvsadm's name of a scheduler: "rr", "wlc", "twos", ...
std::string_view scheduler_name(config::LvsScheduler scheduler);
// "tcp", "udp", "sctp": as nftables and keepalived's "[addr]:proto:port" write them.
std::string_view protocol_name(config::LvsProtocol protocol);
// "NAT", "DR", "TUN".
std::string_view method_name(config::LvsMethod method);
// "ipvs", "nftables".
std::string_view backend_kind_name(BackendKind kind);

// IPVS when the kernel has it (the IPVS generic-netlink family resolves), else nftables.
BackendKind default_backend_kind();
// `lvs_flush` (global_defs): the IPVS back end flushes every IPVS service at open().
std::unique_ptr<Backend> make_backend(BackendKind kind, bool lvs_flush = false);

}  // namespace halo::lvs
