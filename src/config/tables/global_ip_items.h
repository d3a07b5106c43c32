// Item parsers for the `ip address` / `ip route` / `ip rule` lines of static_ipaddress,
// static_routes and static_rules, shared with the VRRP area's virtual_ipaddress(_excluded),
// virtual_routes and virtual_rules (same syntax; see model/ip_items.h).
//
// Use them with kw::list:
//
//   kw::list<VrrpInstance, IpAddressItem>(
//       "virtual_ipaddress", &VrrpInstance::vips, "<IPADDR>[/<MASK>] [dev <IF>] ...",
//       [](const Statement& st) { return parse_ip_address_item(st, IpItemContext::Virtual); },
//       dump_ip_address_item),
//
// Each parser reports every problem at the offending token and returns nullopt when the line
// is unusable (keepalived drops such a line and `-t` fails). One difference by context, as in
// keepalived 2.2.7: an unknown word in a virtual address is only a warning.
#pragma once

#include <optional>
#include <string_view>

#include "config/keyword.h"
#include "config/model/ip_items.h"

namespace halo::config {

// Static items may name a track_group; virtual items may say use_vmac. In both contexts a
// route must have a dev (or no_track) because keepalived tracks it through its interface.
enum class IpItemContext { Static, Virtual };

std::optional<IpAddressItem> parse_ip_address_item(const Statement& st, IpItemContext context);
std::optional<IpRouteItem> parse_ip_route_item(const Statement& st, IpItemContext context);
std::optional<IpRuleItem> parse_ip_rule_item(const Statement& st, IpItemContext context);

// The line as written (it parses back to an equal item).
DumpArgs dump_ip_address_item(const IpAddressItem& item);
DumpArgs dump_ip_route_item(const IpRouteItem& item);
DumpArgs dump_ip_rule_item(const IpRuleItem& item);

// Syntax summaries for the README's compatibility table.
inline constexpr std::string_view kIpAddressItemSyntax =
    "<IPADDR>[/<MASK>] [brd <IPADDR>|-|+] [dev <IF>] [scope <SCOPE>] [label <LABEL>] "
    "[peer <IPADDR>] [home] [-nodad] [mngtmpaddr] [noprefixroute] [autojoin] "
    "[track_group <GROUP>] [no_track] [preferred_lft <N>|forever]";
inline constexpr std::string_view kIpRouteItemSyntax =
    "[<TYPE>] [to] <PREFIX> [src <IP>] [from <PREFIX>] [via <IP>] [dev <IF>] [table <T>] "
    "[metric <N>] [scope <S>] [protocol <P>] [tos <N>] [onlink] [append] "
    "[track_group <GROUP>] [no_track] [<ip route options>] [nexthop via <IP> ...]";
inline constexpr std::string_view kIpRuleItemSyntax =
    "[not] [from <PREFIX>|all] [to <PREFIX>|all] preference <N> table <T>|goto <N>|nop|"
    "blackhole|prohibit|unreachable [fwmark <N>[/<MASK>]] [tos <N>] [iif <IF>] [oif <IF>] "
    "[<ip rule options>] [track_group <GROUP>] [no_track]";

// Numeric values of iproute2 names (scope, routing table, protocol); nullopt when unknown.
// Numbers are accepted within the field's range. Tables and protocols also come from
// /etc/iproute2/rt_tables(.d) and rt_protos(.d) as keepalived reads them.
std::optional<std::uint8_t> lookup_scope(std::string_view text);
std::optional<std::uint32_t> lookup_route_table(std::string_view text);
std::optional<std::uint8_t> lookup_route_protocol(std::string_view text);

}  // namespace halo::config
