// The README's configuration compatibility table, generated from the keyword tables (never
// written by hand): `halod --keywords`.
#pragma once

#include <string>
#include <vector>

#include "config/keyword.h"

namespace halo::config {

std::string keywords_markdown(const std::vector<const TableInfo*>& tables);

}  // namespace halo::config
