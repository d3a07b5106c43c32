// The top level of keepalived.conf: the union of each area's top-level keywords, each bound to
// its area's part of the Config.
#include <algorithm>

#include "config/tables/tables.h"

namespace halo::config {
namespace {

template <class Sub>
void lift(std::vector<Keyword<Config>>& out, Sub Config::*member, const Table<Sub>& table) {
  for (const auto& k : table.keywords()) {
    Keyword<Config> lifted;
    lifted.info = k.info;
    const Keyword<Sub>* inner = &k;  // tables are immortal statics
    lifted.parse = [member, inner](Config& c, const Statement& st) { inner->parse(c.*member, st); };
    if (inner->dump) {
      lifted.dump = [member, inner](const Config& c, Writer& w) { inner->dump(c.*member, w); };
    }
    out.push_back(std::move(lifted));
  }
}

}  // namespace

const Table<Config>& config_table() {
  static const Table<Config> table = [] {
    std::vector<Keyword<Config>> keywords;
    lift(keywords, &Config::global, global_top_table());
    lift(keywords, &Config::vrrp, vrrp_top_table());
    lift(keywords, &Config::lvs, lvs_top_table());
    // keepalived reads a file once, so a dump must write a block before the blocks that name
    // it: bfd_instance (load-balancing area) is named by vrrp_instance's track_bfd.
    std::stable_partition(keywords.begin(), keywords.end(),
                          [](const Keyword<Config>& k) { return k.info.name == "bfd_instance"; });
    return Table<Config>("top level", "the blocks and keywords of a keepalived.conf file",
                         std::move(keywords));
  }();
  return table;
}

std::vector<const TableInfo*> all_tables() {
  std::vector<const TableInfo*> out;
  for (auto* list : {&global_tables, &vrrp_tables, &lvs_tables}) {
    auto part = (*list)();
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

}  // namespace halo::config
