// IPVS generic-netlink messages (linux/ip_vs.h), built with libmnl: pure encoding, so the
// exact bytes are unit-tested on a kernel without IPVS.
#pragma once

#include <cstdint>
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

// One message for the service's frontend `frontend` (an index into service.frontends) or
// fwmark `fwmark` (service.fwmarks), with `family_id` the resolved IPVS genl family.
std::vector<std::uint8_t> service_message(std::uint16_t family_id, std::uint32_t seq,
                                          Command command, const Service& service,
                                          const Frontend* frontend,
                                          std::optional<std::uint32_t> fwmark);
std::vector<std::uint8_t> dest_message(std::uint16_t family_id, std::uint32_t seq, Command command,
                                       const Service& service, const Frontend* frontend,
                                       std::optional<std::uint32_t> fwmark,
                                       const Destination& destination);
std::vector<std::uint8_t> flush_message(std::uint16_t family_id, std::uint32_t seq);

}  // namespace halo::lvs::ipvs
