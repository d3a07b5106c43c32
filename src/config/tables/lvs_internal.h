// Shared by the lvs area's table files (lvs.cc, checkers.cc, bfd.cc); not part of the
// config library's interface.
#pragma once

#include <algorithm>
#include <cassert>
#include <initializer_list>
#include <string_view>
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

// Marks `names` (each must be in `keywords`, merely parsed so far) as acted on: what the
// daemon's load balancer uses (src/daemon/checker_build.cc and load_balancer.cc). One list per
// table, so the README's compatibility table says what a running halod does.
template <class T>
std::vector<Keyword<T>> acted_on(std::vector<Keyword<T>> keywords,
                                 std::initializer_list<std::string_view> names) {
  for (const auto name : names) {
    auto it = std::find_if(keywords.begin(), keywords.end(),
                           [&](const Keyword<T>& k) { return k.info.name == name; });
    assert(it != keywords.end() && it->info.support == Support::Parsed);
    if (it != keywords.end()) it->info.support = Support::Acted;
  }
  return keywords;
}

// The real_server keyword of each checker type, and every checker table (checkers.cc).
std::vector<Keyword<RealServer>> checker_keywords();
std::vector<const TableInfo*> checker_tables();

const Table<BfdInstance>& bfd_instance_table();  // bfd.cc

}  // namespace halo::config
