// Per-interface sysctls through /proc/sys (see sysctl.h).
#include "net/sysctl.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace halo::net {

std::string sysctl_path(std::string_view family, std::string_view interface,
                        std::string_view setting) {
  std::string path = "/proc/sys/net/";
  path.append(family).append("/conf/").append(interface).append("/").append(setting);
  return path;
}

Result<std::string> read_sysctl(const std::string& path) {
  std::ifstream in(path);
  std::string value;
  if (!std::getline(in, value)) return fail("cannot read " + path + ": " + std::strerror(errno));
  return value;
}

Result<void> write_sysctl(const std::string& path, std::string_view value) {
  std::ofstream out(path);
  out << value << '\n';
  out.flush();
  if (!out) return fail("cannot write " + path + ": " + std::strerror(errno));
  return {};
}

}  // namespace halo::net
