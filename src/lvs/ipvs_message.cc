// IPVS generic-netlink messages: the bytes keepalived's libipvs sends, built with libmnl.
//
// Field by field (linux/ip_vs.h):
//   nlmsghdr   type = the IPVS family id, flags = REQUEST | ACK, seq, pid 0
//   genlmsghdr cmd, version IPVS_GENL_VERSION (1)
//   IPVS_CMD_ATTR_SERVICE {
//     AF u16; FWMARK u32 | PROTOCOL u16, ADDR 16 bytes, PORT u16 (network order);
//     SCHED_NAME string with its NUL; FLAGS {flags, mask = ~0}; TIMEOUT u32;
//     NETMASK u32 (IPv4: the mask's bytes in network order, IPv6: the prefix length) }
//   IPVS_CMD_ATTR_DEST {
//     ADDR_FAMILY u16; ADDR 16 bytes; PORT u16 (network order); FWD_METHOD u32; WEIGHT u32;
//     U_THRESH u32; L_THRESH u32; TUN: TUN_TYPE u8, TUN_PORT u16 (network order), TUN_FLAGS u16 }
#include "lvs/ipvs_message.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

#include "lvs/backend.h"

namespace halo::lvs::ipvs {
namespace {

constexpr std::size_t kBufferSize = 512;  // a service and a destination nest take < 200

std::uint16_t af_of(Family family) {
  return family == Family::V4 ? AF_INET : AF_INET6;
}

std::uint16_t ip_protocol(config::LvsProtocol protocol) {
  switch (protocol) {
    case config::LvsProtocol::Tcp:
      return IPPROTO_TCP;
    case config::LvsProtocol::Udp:
      return IPPROTO_UDP;
    case config::LvsProtocol::Sctp:
      return IPPROTO_SCTP;
  }
  return IPPROTO_TCP;
}

// union nf_inet_addr: 16 bytes, an IPv4 address in the first 4.
std::array<std::uint8_t, 16> inet_addr(const IpAddress& address) {
  std::array<std::uint8_t, 16> out{};
  std::memcpy(out.data(), address.bytes().data(), address.is_v4() ? 4 : 16);
  return out;
}

// IP_VS_CONN_F_* forwarding method.
std::uint32_t forwarding(config::LvsMethod method) {
  switch (method) {
    case config::LvsMethod::Nat:
      return IP_VS_CONN_F_MASQ;
    case config::LvsMethod::Dr:
      return IP_VS_CONN_F_DROUTE;
    case config::LvsMethod::Tun:
      return IP_VS_CONN_F_TUNNEL;
  }
  return IP_VS_CONN_F_MASQ;
}

nlmsghdr* put_headers(std::vector<std::uint8_t>& buf, std::uint16_t family_id, std::uint32_t seq,
                      Command command) {
  buf.assign(kBufferSize, 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = family_id;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = seq;
  nlh->nlmsg_pid = 0;
  auto* genl = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
  genl->cmd = static_cast<std::uint8_t>(command);
  genl->version = IPVS_GENL_VERSION;
  return nlh;
}

void put_service(nlmsghdr* nlh, const Service& service, const ServiceKey& key) {
  nlattr* nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
  mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, af_of(key.family));
  if (!key.address) {
    mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, key.fwmark);
  } else {
    mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, ip_protocol(service.protocol));
    const auto addr = inet_addr(*key.address);
    mnl_attr_put(nlh, IPVS_SVC_ATTR_ADDR, addr.size(), addr.data());
    mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, htons(key.port));
  }
  const std::string scheduler(scheduler_name(service.scheduler));
  mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_SCHED_NAME, scheduler.c_str());
  ip_vs_flags flags{};
  if (service.persistence_timeout) flags.flags |= IP_VS_SVC_F_PERSISTENT;
  if (service.sh_port) flags.flags |= IP_VS_SVC_F_SCHED_SH_PORT;
  if ((service.scheduler_flags & 1U) != 0) flags.flags |= IP_VS_SVC_F_SCHED1;
  if ((service.scheduler_flags & 2U) != 0) flags.flags |= IP_VS_SVC_F_SCHED2;
  if ((service.scheduler_flags & 4U) != 0) flags.flags |= IP_VS_SVC_F_SCHED3;
  if (service.one_packet) flags.flags |= IP_VS_SVC_F_ONEPACKET;
  if (service.hashed) flags.flags |= IP_VS_SVC_F_HASHED;
  flags.mask = ~0U;
  mnl_attr_put(nlh, IPVS_SVC_ATTR_FLAGS, sizeof(flags), &flags);
  mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_TIMEOUT, service.persistence_timeout.value_or(0));
  // keepalived's default granularity: one client address (255.255.255.255, /128).
  std::uint32_t netmask = key.family == Family::V4 ? 0xffffffffU : 128U;
  if (const auto& g = service.persistence_granularity) {
    if (g->netmask && g->netmask->is_v4()) {
      std::memcpy(&netmask, g->netmask->bytes().data(), 4);  // already network order
    } else if (g->prefix_length != 0) {
      netmask = g->prefix_length;
    }
  }
  mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_NETMASK, netmask);
  mnl_attr_nest_end(nlh, nest);
}

void put_dest(nlmsghdr* nlh, const Destination& destination) {
  nlattr* nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);
  mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY, af_of(destination.address.family()));
  const auto addr = inet_addr(destination.address);
  mnl_attr_put(nlh, IPVS_DEST_ATTR_ADDR, addr.size(), addr.data());
  mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, htons(destination.port));
  mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD, forwarding(destination.method.method));
  mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT, destination.weight);
  mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, destination.upper_threshold);
  mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, destination.lower_threshold);
  if (destination.method.method == config::LvsMethod::Tun) {
    std::uint8_t type = IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
    if (destination.method.tunnel == config::TunnelType::Gue) type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
    if (destination.method.tunnel == config::TunnelType::Gre) type = IP_VS_CONN_F_TUNNEL_TYPE_GRE;
    std::uint16_t tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM;
    if (destination.method.checksum == config::TunnelChecksum::Csum) {
      tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
    } else if (destination.method.checksum == config::TunnelChecksum::RemCsum) {
      tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM;
    }
    mnl_attr_put_u8(nlh, IPVS_DEST_ATTR_TUN_TYPE, type);
    mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_PORT, htons(destination.method.tunnel_port));
    mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_FLAGS, tun_flags);
  }
  mnl_attr_nest_end(nlh, nest);
}

std::vector<std::uint8_t> finish(std::vector<std::uint8_t>& buf, const nlmsghdr* nlh) {
  buf.resize(nlh->nlmsg_len);
  return std::move(buf);
}

// The address after `address` (wrapping is the caller's concern).
IpAddress next_address(const IpAddress& address) {
  auto bytes = address.bytes();
  const int width = address.is_v4() ? 4 : 16;
  for (int i = width - 1; i >= 0; --i) {
    if (++bytes[static_cast<std::size_t>(i)] != 0) break;
  }
  if (address.is_v4()) return IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]});
  return IpAddress::v6(bytes);
}

}  // namespace

std::optional<std::vector<ServiceKey>> service_keys(const Service& service,
                                                    std::size_t max_addresses) {
  std::vector<ServiceKey> keys;
  for (const auto& frontend : service.frontends) {
    if (frontend.first.family() != frontend.last.family() || frontend.last < frontend.first) {
      return std::nullopt;
    }
    for (IpAddress a = frontend.first;; a = next_address(a)) {
      if (keys.size() >= max_addresses) return std::nullopt;
      keys.push_back(ServiceKey{a.family(), a, frontend.port, 0});
      if (a == frontend.last) break;
    }
  }
  for (const auto mark : service.fwmarks) {
    keys.push_back(ServiceKey{service.family, std::nullopt, 0, mark});
  }
  return keys;
}

std::vector<std::uint8_t> service_message(std::uint16_t family_id, std::uint32_t seq,
                                          Command command, const Service& service,
                                          const ServiceKey& key) {
  std::vector<std::uint8_t> buf;
  nlmsghdr* nlh = put_headers(buf, family_id, seq, command);
  put_service(nlh, service, key);
  return finish(buf, nlh);
}

std::vector<std::uint8_t> dest_message(std::uint16_t family_id, std::uint32_t seq, Command command,
                                       const Service& service, const ServiceKey& key,
                                       const Destination& destination) {
  std::vector<std::uint8_t> buf;
  nlmsghdr* nlh = put_headers(buf, family_id, seq, command);
  put_service(nlh, service, key);
  put_dest(nlh, destination);
  return finish(buf, nlh);
}

std::vector<std::uint8_t> flush_message(std::uint16_t family_id, std::uint32_t seq) {
  std::vector<std::uint8_t> buf;
  nlmsghdr* nlh = put_headers(buf, family_id, seq, Command::Flush);
  return finish(buf, nlh);
}

}  // namespace halo::lvs::ipvs
