// Shared by the lvs area's table files (lvs.cc, checkers.cc, bfd.cc); not part of the
// config library's interface.
#pragma once

#include <vector>

#include "config/keyword.h"
#include "config/model.h"

namespace halo::config {

// Lifts a keyword written for `Inner` into a table of `Outer`. `get` returns the Inner part of
// an Outer, for both a mutable Outer (parse) and a const one (dump).
template <class Outer, class Inner, class Get>
Keyword<Outer> nest(const Keyword<Inner>& k, Get get) {
  Keyword<Outer> out;
  out.info = k.info;
  auto parse = k.parse;
  if (parse) out.parse = [parse, get](Outer& o, const Statement& st) { parse(get(o), st); };
  if (k.dump) {
    auto dump = k.dump;
    out.dump = [dump, get](const Outer& o, Writer& w) { dump(get(o), w); };
  }
  return out;
}

// The real_server keyword of each checker type, and every checker table (checkers.cc).
std::vector<Keyword<RealServer>> checker_keywords();
std::vector<const TableInfo*> checker_tables();

const Table<BfdInstance>& bfd_instance_table();  // bfd.cc

}  // namespace halo::config
