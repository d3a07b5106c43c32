// Keyword tables of the host-wide blocks (see model/global.h).
#include "config/fields.h"
#include "config/tables/global_ip_items.h"
#include "config/tables/tables.h"

namespace halo::config {
namespace {

const Table<GlobalDefs>& global_defs_table() {
  static const Table<GlobalDefs> table(
      "global_defs", "daemon-wide settings",
      {
          kw::string("router_id", &GlobalDefs::router_id),
          kw::word_list("notification_email", &GlobalDefs::notification_email, "<EMAIL>"),
      });
  return table;
}

}  // namespace

const Table<GlobalConfig>& global_top_table() {
  static const Table<GlobalConfig> table(
      "top level: host", "host-wide blocks",
      {
          kw::block("global_defs", &GlobalConfig::defs, global_defs_table),
          kw::list<GlobalConfig, IpAddressItem>(
              "static_ipaddress", &GlobalConfig::static_ipaddress,
              std::string(kIpAddressItemSyntax),
              [](const Statement& st) { return parse_ip_address_item(st, IpItemContext::Static); },
              dump_ip_address_item),
          kw::list<GlobalConfig, IpRouteItem>(
              "static_routes", &GlobalConfig::static_routes, std::string(kIpRouteItemSyntax),
              [](const Statement& st) { return parse_ip_route_item(st, IpItemContext::Static); },
              dump_ip_route_item),
          kw::list<GlobalConfig, IpRuleItem>(
              "static_rules", &GlobalConfig::static_rules, std::string(kIpRuleItemSyntax),
              [](const Statement& st) { return parse_ip_rule_item(st, IpItemContext::Static); },
              dump_ip_rule_item),
      });
  return table;
}

std::vector<const TableInfo*> global_tables() {
  return {&global_top_table(), &global_defs_table()};
}

}  // namespace halo::config
