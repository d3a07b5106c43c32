// Target's text form, the one every log line, dump and event uses for a probe's destination.
#include "check/probe.h"

#include <fmt/format.h>

namespace halo::check {

std::string Target::text() const {
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), port);
  return fmt::format("{}:{}", address.to_string(), port);
}

}  // namespace halo::check
