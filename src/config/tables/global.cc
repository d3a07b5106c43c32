// Keyword tables of the host-wide blocks (see model/global.h).
#include "config/fields.h"
#include "config/tables/tables.h"

namespace halo::config {
namespace {

const Table<GlobalDefs>& global_defs_table() {
  static const Table<GlobalDefs> table(
      "global_defs", "daemon-wide settings",
      {
          kw::string("router_id", &GlobalDefs::router_id),
          kw::string("net_namespace", &GlobalDefs::net_namespace, "<NAME>"),
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
      });
  return table;
}

std::vector<const TableInfo*> global_tables() {
  return {&global_top_table(), &global_defs_table()};
}

}  // namespace halo::config
