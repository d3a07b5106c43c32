// Helpers of the notify tests: a private directory for scripts, FIFOs and their output, and
// running the event loop until something happened.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "support/run_loop.h"

namespace halo::notify::testing {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/halo-notify-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    path_ = made ? made : "";
    ::chmod(path_.c_str(), 0755);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes an executable script (mode 0755).
inline std::string write_script(const std::string& path, const std::string& body) {
  std::ofstream(path) << "#!/bin/sh\n" << body;
  ::chmod(path.c_str(), 0755);
  return path;
}

// Appends its arguments to OUT as one line "TAG [arg] [arg]...": `log.sh OUT TAG`.
inline std::string write_log_script(const TempDir& dir) {
  return write_script(dir / "log.sh",
                      "out=$1; tag=$2; shift 2\n"
                      "line=$tag\n"
                      "for a in \"$@\"; do line=\"$line [$a]\"; done\n"
                      "printf '%s\\n' \"$line\" >> \"$out\"\n");
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

using halo::testing::run_for;
using halo::testing::run_until;

// A non-blocking read end of a FIFO, closed at scope exit.
struct UniqueReader {
  explicit UniqueReader(const std::string& path)
      : fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)) {}
  ~UniqueReader() {
    if (fd >= 0) ::close(fd);
  }
  UniqueReader(const UniqueReader&) = delete;
  UniqueReader& operator=(const UniqueReader&) = delete;
  int fd;
};

inline int open_fd_count() {
  int n = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return -1;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n;
}

// The children of this process (running or zombie), "pid state command" each.
inline std::string children() {
  std::string out;
  std::ifstream list("/proc/self/task/" + std::to_string(::gettid()) + "/children");
  std::string pid;
  while (list >> pid) {
    std::ifstream stat("/proc/" + pid + "/stat");
    std::string line;
    std::getline(stat, line);
    out += line + "\n";
  }
  return out;
}

// True when this process has no child at all (running or zombie).
inline bool no_children() {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == -1 && errno == ECHILD;
}

}  // namespace halo::notify::testing
