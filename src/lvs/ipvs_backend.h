// The IPVS back end (keepalived's): services and destinations through the IPVS generic-netlink
// family. apply() diffs the wanted service with what it installed last and sends only the
// differences (a new destination, a weight change, a removal).
//
// This kernel has no IPVS: open() fails with "IPVS is not available in this kernel (the
// IPVS generic netlink family does not exist; load ip_vs)". The messages are unit-tested
// (ipvs_message.h); talking to a real IPVS was not exercised here (README says so).
#pragma once

#include <memory>

#include "lvs/backend.h"

namespace halo::lvs {

std::unique_ptr<Backend> make_ipvs_backend();

// Whether the kernel offers IPVS (resolves the genl family; nothing is changed).
bool ipvs_available();

}  // namespace halo::lvs
