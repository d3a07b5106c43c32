// Keyword tables of the VRRP blocks (see model/vrrp.h).
#include "config/fields.h"
#include "config/tables/tables.h"

namespace halo::config {
namespace {

const Table<VrrpInstance>& vrrp_instance_table() {
  static const Table<VrrpInstance> table(
      "vrrp_instance", "one virtual router on one interface",
      {
          kw::string("interface", &VrrpInstance::interface, "<INTERFACE>"),
          kw::integer("virtual_router_id", &VrrpInstance::virtual_router_id, 1, 255),
          kw::integer("priority", &VrrpInstance::priority, 1, 255),
      });
  return table;
}

}  // namespace

const Table<VrrpConfig>& vrrp_top_table() {
  static const Table<VrrpConfig> table(
      "top level: VRRP", "VRRP blocks",
      {
          kw::named_blocks("vrrp_instance", &VrrpConfig::instances, vrrp_instance_table),
      });
  return table;
}

std::vector<const TableInfo*> vrrp_tables() {
  return {&vrrp_top_table(), &vrrp_instance_table()};
}

}  // namespace halo::config
