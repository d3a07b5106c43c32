// errno as text for error messages: "No such device", strerror()'s words without its shared
// buffer (so it is safe wherever it is called from).
#pragma once

#include <string>
#include <system_error>

namespace halo {

inline std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

}  // namespace halo
