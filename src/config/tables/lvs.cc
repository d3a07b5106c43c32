// Keyword tables of the load-balancer blocks (see model/lvs.h).
#include "config/fields.h"
#include "config/tables/tables.h"

namespace halo::config {

const Table<LvsConfig>& lvs_top_table() {
  static const Table<LvsConfig> table("top level: load balancing", "LVS blocks", {});
  return table;
}

std::vector<const TableInfo*> lvs_tables() {
  return {&lvs_top_table()};
}

}  // namespace halo::config
