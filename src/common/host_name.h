// This host's name (gethostname), or "" when it cannot be read.
#pragma once

#include <unistd.h>

#include <array>
#include <string>

namespace halo {

inline std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return {};
  return name.data();
}

}  // namespace halo
