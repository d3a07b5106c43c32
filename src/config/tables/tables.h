// The keyword tables of every block, by area. Each area owns its tables and its model header:
//   global: global_defs, linkbeat_interfaces, interface_up_down_delays, track_group,
//           static_ipaddress/routes/rules, garp_group, SSL        (model/global.h)
//   vrrp:   vrrp_script, vrrp_track_process, track_file, vrrp_sync_group, vrrp_instance
//                                                                    (model/vrrp.h)
//   lvs:    virtual_server_group, virtual_server, real_server, checkers, bfd_instance
//                                                                    (model/lvs.h)
#pragma once

#include <vector>

#include "config/keyword.h"
#include "config/model.h"

namespace halo::config {

// The top-level keywords of each area.
const Table<GlobalConfig>& global_top_table();
const Table<VrrpConfig>& vrrp_top_table();
const Table<LvsConfig>& lvs_top_table();

// Every table of an area, top level first, in documentation order (README, --keywords).
std::vector<const TableInfo*> global_tables();
std::vector<const TableInfo*> vrrp_tables();
std::vector<const TableInfo*> lvs_tables();

// The whole top level: the three areas' top-level keywords together.
const Table<Config>& config_table();
std::vector<const TableInfo*> all_tables();

}  // namespace halo::config
