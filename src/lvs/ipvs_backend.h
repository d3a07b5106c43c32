// The IPVS back end (keepalived's): services and destinations through the IPVS generic-netlink
// family. apply() diffs the wanted service with what it installed last and sends only the
// differences (a new destination, a weight change, a removal).
//
// This kernel has no IPVS: open() fails with "IPVS is not available in this kernel (the
// IPVS generic netlink family does not exist; load ip_vs)". The messages are unit-tested
// (ipvs_message.h) and so is the diff, over a fake channel; talking to a real IPVS was not
// exercised here (README says so).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "common/result.h"
#include "lvs/backend.h"

namespace halo::lvs {

// The netlink side of the IPVS back end: tests replace it to see what apply() sends.
class IpvsChannel {
 public:
  virtual ~IpvsChannel() = default;
  // The IPVS genl family id (CTRL_CMD_GETFAMILY "IPVS"); an error when IPVS is missing.
  virtual Result<std::uint16_t> resolve_family() = 0;
  // Sends one request and waits for the kernel's ack: 0, or the errno the kernel (or the
  // socket) answered. The back end needs the number: EEXIST and ENOENT are recoverable.
  virtual int request(std::span<const std::uint8_t> message) = 0;
};

// The real channel: a NETLINK_GENERIC socket (libmnl), opened on first use.
std::unique_ptr<IpvsChannel> make_netlink_ipvs_channel();

// `flush_at_open`: open() flushes every IPVS service (global_defs lvs_flush), as keepalived
// does; without it, open() leaves other programs' services alone and a service a crashed halo
// left behind is replaced when halo adds it again.
std::unique_ptr<Backend> make_ipvs_backend(bool flush_at_open = false);
std::unique_ptr<Backend> make_ipvs_backend(std::unique_ptr<IpvsChannel> channel,
                                           bool flush_at_open = false);

// Whether the kernel offers IPVS (resolves the genl family; nothing is changed).
bool ipvs_available();

}  // namespace halo::lvs
