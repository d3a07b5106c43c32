// Corpus replay for fuzz targets built without libFuzzer (g++): runs every regular file of the
// directories (or files) named on the command line through LLVMFuzzerTestOneInput, so each
// CI run checks the seed corpus, past crashers and sample configurations. A directory that
// does not exist is skipped with a note (optional corpora such as keepalived's samples).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

namespace {

bool run_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return false;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::printf("replay %s (%zu bytes)\n", path.c_str(), bytes.size());
  std::fflush(stdout);  // a trap below must leave the file's name in the log
  const int rc =
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (rc != 0) std::printf("  (rejected by the target: %d)\n", rc);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int files = 0, unreadable = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg = argv[i];
    std::error_code ec;
    if (fs::is_regular_file(arg, ec)) {
      ++files;
      unreadable += run_file(arg) ? 0 : 1;
      continue;
    }
    if (!fs::is_directory(arg, ec)) {
      std::printf("skip %s: not present\n", arg.c_str());
      continue;
    }
    std::vector<fs::path> paths;
    for (auto it = fs::recursive_directory_iterator(arg, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) paths.push_back(it->path());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      ++files;
      unreadable += run_file(p) ? 0 : 1;
    }
  }
  std::printf("%d passed, %d failed\n", files - unreadable, unreadable);
  return unreadable == 0 ? 0 : 1;
}
