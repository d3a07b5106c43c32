#include <cstdio>

#include "config/dump.h"
#include "config/load.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  auto loaded = halo::config::load_file(argv[1], {});
  std::fputs(loaded.diagnostics.render(loaded.sources).c_str(), stderr);
  std::fputs(halo::config::dump_keepalived(*loaded.config).c_str(), stdout);
  std::fputs(halo::config::dump_json(*loaded.config).c_str(), stdout);
  return halo::config::config_test_exit_code(loaded.diagnostics);
}
