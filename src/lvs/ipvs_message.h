// IPVS generic-netlink messages (linux/ip_vs.h), built with libmnl: pure encoding, so the
// exact bytes are unit-tested on a kernel without IPVS.
//
// The attributes and their order are keepalived's (check/libipvs.c, from ipvsadm): a service
// nest with AF, then FWMARK or PROTOCOL/ADDR/PORT, SCHED_NAME, FLAGS (flags + mask ~0),
// TIMEOUT, NETMASK; a destination nest with ADDR_FAMILY, ADDR, PORT, FWD_METHOD, WEIGHT,
// U_THRESH, L_THRESH (and the tunnel attributes for TUN). Addresses are always 16 bytes
// (union nf_inet_addr), ports in network order. Requests carry NLM_F_REQUEST | NLM_F_ACK and
// port id 0 (the kernel's), as libnl sends them.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <vector>

#include "lvs/service.h"

namespace halo::lvs::ipvs {

enum class Command : std::uint8_t {
  NewService = 1,  // IPVS_CMD_NEW_SERVICE
  SetService = 2,  // IPVS_CMD_SET_SERVICE
  DelService = 3,  // IPVS_CMD_DEL_SERVICE
  NewDest = 5,     // IPVS_CMD_NEW_DEST
  SetDest = 6,     // IPVS_CMD_SET_DEST
  DelDest = 7,     // IPVS_CMD_DEL_DEST
  Flush = 17,      // IPVS_CMD_FLUSH
};

// One IPVS service: IPVS keys a service by address, protocol and port, or by fwmark; a
// Service with an address range (virtual_server_group) or several frontends is several.
struct ServiceKey {
  Family family = Family::V4;
  std::optional<IpAddress> address;  // nullopt: a fwmark service
  std::uint16_t port = 0;
  std::uint32_t fwmark = 0;

  friend auto operator<=>(const ServiceKey&, const ServiceKey&) = default;
};

// The IPVS services of `service`: every address of every frontend range, then every fwmark.
// A range longer than `max_addresses` addresses in all is cut there (nullopt).
std::optional<std::vector<ServiceKey>> service_keys(const Service& service,
                                                    std::size_t max_addresses = 65536);

// One service message for `key` of `service`, with `family_id` the resolved IPVS genl family.
std::vector<std::uint8_t> service_message(std::uint16_t family_id, std::uint32_t seq,
                                          Command command, const Service& service,
                                          const ServiceKey& key);
// One destination message (the service nest, then the destination nest).
std::vector<std::uint8_t> dest_message(std::uint16_t family_id, std::uint32_t seq, Command command,
                                       const Service& service, const ServiceKey& key,
                                       const Destination& destination);
std::vector<std::uint8_t> flush_message(std::uint16_t family_id, std::uint32_t seq);

}  // namespace halo::lvs::ipvs
