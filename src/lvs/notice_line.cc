// keepalived's checker FIFO lines (check/ipwrapper.c notify_fifo_vs and notify_fifo_rs, the
// names from check/check_data.c format_vs and format_rs, lib/utils.c inet_sockaddrtotrio).
//
// The stray NUL. The issue records that keepalived follows each LVS line with a NUL byte. It
// does not in 2.2.7: in Debian's /usr/sbin/keepalived the write() after the "VS %s %s\n"
// snprintf is given strlen(vs)+strlen(state)+5 bytes and the one after "RS %s %s %s\n"
// strlen(rs)+strlen(vs)+strlen(state)+6, exactly the line; the buffers are one byte longer
// only for snprintf's terminator, which is not written. The upstream source is the same, and
// the VRRP lines are written with strlen(). A capture agrees: keepalived 2.2.7 run in a
// network namespace under gdb, with ipvs_start() and its IPVS calls forced to succeed (this
// kernel has no IPVS, so its checker process otherwise exits at start), wrote the lines of
// notice_line_test.cc's Recorded* cases byte for byte, with no NUL anywhere.
// A NUL would only hurt the usual readers: bash's `read` drops it with a "warning: ignored
// null byte in input", and other readers see it at the start of the next line. So halo
// writes the line and its newline and nothing else; there is no compatibility reason to do
// otherwise.
#include "lvs/notice_line.h"

#include <fmt/format.h>

#include "lvs/backend.h"

namespace halo::lvs {
namespace {

std::string_view protocol_text(std::optional<config::LvsProtocol> protocol) {
  return protocol ? protocol_name(*protocol) : "none";
}

const config::VirtualServerGroup* find_group(const std::string& name,
                                             const config::LvsConfig& lvs) {
  for (const auto& g : lvs.virtual_server_groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

}  // namespace

std::string server_text(const IpAddress& address, std::optional<config::LvsProtocol> protocol,
                        std::uint16_t port) {
  return fmt::format("[{}]:{}:{}", address.to_string(), protocol_text(protocol), port);
}

std::optional<config::LvsProtocol> server_protocol(const config::VirtualServer& vs,
                                                   const config::LvsConfig& lvs) {
  if (vs.protocol) return vs.protocol;
  bool has_addresses = false;
  switch (vs.kind) {
    case config::VirtualServerKind::Address:
      has_addresses = true;
      break;
    case config::VirtualServerKind::Fwmark:
      break;
    case config::VirtualServerKind::Group:
      if (const auto* g = find_group(vs.group, lvs)) has_addresses = !g->ranges.empty();
      break;
  }
  if (has_addresses) return config::LvsProtocol::Udp;
  return std::nullopt;
}

std::string virtual_server_text(const config::VirtualServer& vs) {
  switch (vs.kind) {
    case config::VirtualServerKind::Address:
      return server_text(vs.address, vs.protocol.value_or(config::LvsProtocol::Udp), vs.port);
    case config::VirtualServerKind::Fwmark:
      return fmt::format("FWM {}", vs.fwmark);
    case config::VirtualServerKind::Group:
      // keepalived prints the virtual server's own port, which `virtual_server group` lacks.
      return fmt::format("[{}]:0", vs.group);
  }
  return {};
}

std::string real_server_text(const config::VirtualServer& vs, const config::RealServer& rs,
                             const config::LvsConfig& lvs) {
  std::uint16_t port = rs.port;
  if (port == 0 && vs.kind == config::VirtualServerKind::Address) port = vs.port;
  return server_text(rs.address, server_protocol(vs, lvs), port);
}

std::string fifo_line(const PoolNotice& notice, const PoolSpec& spec,
                      const std::string& virtual_server) {
  switch (notice.kind) {
    case PoolNotice::Kind::QuorumUp:
      return fmt::format("VS {} UP\n", virtual_server);
    case PoolNotice::Kind::QuorumDown:
      return fmt::format("VS {} DOWN\n", virtual_server);
    case PoolNotice::Kind::RealServerUp:
    case PoolNotice::Kind::RealServerDown:
      if (notice.real_server >= spec.real_servers.size()) return {};
      return fmt::format("RS {} {} {}\n", spec.real_servers[notice.real_server].name,
                         virtual_server,
                         notice.kind == PoolNotice::Kind::RealServerUp ? "UP" : "DOWN");
    case PoolNotice::Kind::RealServerWeight:
    case PoolNotice::Kind::SorryServerIn:
    case PoolNotice::Kind::SorryServerOut:
      return {};
  }
  return {};
}

}  // namespace halo::lvs
