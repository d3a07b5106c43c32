// Choosing a back end: IPVS when the kernel offers it (keepalived's behaviour, so an existing
// setup keeps its IPVS tables), nftables otherwise.
#include "lvs/backend.h"

#include "lvs/ipvs_backend.h"
#include "lvs/nft_backend.h"

namespace halo::lvs {

std::string_view protocol_name(config::LvsProtocol protocol) {
  switch (protocol) {
    case config::LvsProtocol::Tcp:
      return "tcp";
    case config::LvsProtocol::Udp:
      return "udp";
    case config::LvsProtocol::Sctp:
      return "sctp";
  }
  return "tcp";
}

std::string_view method_name(config::LvsMethod method) {
  switch (method) {
    case config::LvsMethod::Nat:
      return "NAT";
    case config::LvsMethod::Dr:
      return "DR";
    case config::LvsMethod::Tun:
      return "TUN";
  }
  return "?";
}

std::string_view scheduler_name(config::LvsScheduler scheduler) {
  using config::LvsScheduler;
  switch (scheduler) {
    case LvsScheduler::Rr:
      return "rr";
    case LvsScheduler::Wrr:
      return "wrr";
    case LvsScheduler::Lc:
      return "lc";
    case LvsScheduler::Wlc:
      return "wlc";
    case LvsScheduler::Lblc:
      return "lblc";
    case LvsScheduler::Sh:
      return "sh";
    case LvsScheduler::Mh:
      return "mh";
    case LvsScheduler::Dh:
      return "dh";
    case LvsScheduler::Fo:
      return "fo";
    case LvsScheduler::Ovf:
      return "ovf";
    case LvsScheduler::Lblcr:
      return "lblcr";
    case LvsScheduler::Sed:
      return "sed";
    case LvsScheduler::Nq:
      return "nq";
    case LvsScheduler::Twos:
      return "twos";
  }
  return "?";
}

std::string_view backend_kind_name(BackendKind kind) {
  return kind == BackendKind::Ipvs ? "ipvs" : "nftables";
}

BackendKind default_backend_kind() {
  return ipvs_available() ? BackendKind::Ipvs : BackendKind::Nftables;
}

std::unique_ptr<Backend> make_backend(BackendKind kind, bool lvs_flush) {
  return kind == BackendKind::Ipvs ? make_ipvs_backend(lvs_flush) : make_nft_backend();
}

}  // namespace halo::lvs
