// `halod --dump-conf`: the effective configuration written back, as keepalived syntax (which
// parses back to an equal model) or as JSON (the same structure: blocks become objects,
// repeated keywords arrays).
#pragma once

#include <string>

#include "config/model.h"

namespace halo::config {

std::string dump_keepalived(const Config& config);
std::string dump_json(const Config& config);

}  // namespace halo::config
