// Item parsers of virtual_ipaddress, virtual_ipaddress_excluded, virtual_routes and
// virtual_rules. Interim: these lists share their syntax with static_ipaddress / static_routes /
// static_rules, whose shared parsers will replace these functions.
#pragma once

#include <optional>

#include "config/keyword.h"
#include "config/model/vrrp.h"

namespace halo::config {

std::optional<VirtualAddress> parse_virtual_address(const Statement& st);
DumpArgs dump_virtual_address(const VirtualAddress& a);

std::optional<VirtualRoute> parse_virtual_route(const Statement& st);
DumpArgs dump_virtual_route(const VirtualRoute& r);

}  // namespace halo::config
