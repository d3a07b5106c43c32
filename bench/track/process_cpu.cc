// CPU that halo's ProcessTracker spends while the host starts and ends processes quickly.
//
// A child process of its own (forked first, before any thread exists) starts `--rate`
// short-lived processes a second for `--seconds` seconds: copies of /bin/true under the
// tracked name, spawned on a fixed schedule and reaped as they end. Beside them runs one
// long-lived copy of /bin/sleep under the same name, so the tracker's count moves between 1
// and a few and its status stays up. Meanwhile this process runs a ProcessTracker on the real
// process-events connector and measures its own CPU time with getrusage(RUSAGE_SELF) (which
// counts neither the spawner nor its children), printed as a percentage of one core.
//
// `--full-command` adds a tracker that matches on the command line, so that every exec on the
// host also costs a read of /proc/PID/cmdline.
//
// Needs root in the initial network namespace (the connector). Touches no network state.
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "track/process_tracker.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Starts `path` with argv[0] = the tracked name (both trackers then match it).
pid_t spawn(const std::string& path, const char* arg) {
  std::string arg0 = path.substr(path.rfind('/') + 1);
  std::string arg1 = arg ? arg : "";
  char* argv[] = {arg0.data(), arg ? arg1.data() : nullptr, nullptr};
  pid_t pid = -1;
  if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv, environ) != 0) return -1;
  return pid;
}

// The spawner's life: `rate` processes a second for `seconds`, on a fixed schedule. Exits with
// 0 when it kept up.
[[noreturn]] void run_spawner(const std::string& path, int rate, int seconds) {
  const auto start = Clock::now();
  const long total = static_cast<long>(rate) * seconds;
  long spawned = 0;
  long running = 0;
  for (long i = 0; i < total; ++i) {
    const auto due = start + std::chrono::microseconds(i * 1'000'000 / rate);
    while (running > 0 && waitpid(-1, nullptr, WNOHANG) > 0) --running;
    std::this_thread::sleep_until(due);
    if (spawn(path, nullptr) > 0) {
      ++spawned;
      ++running;
    }
  }
  while (running > 0 && waitpid(-1, nullptr, 0) > 0) --running;
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("spawner: %ld processes in %.2f s (%.0f/s)\n", spawned, took, spawned / took);
  std::fflush(stdout);
  _exit(spawned == total && took < seconds * 1.1 ? 0 : 1);
}

struct Cpu {
  double user = 0;
  double system = 0;
};

Cpu cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {static_cast<double>(usage.ru_utime.tv_sec) + usage.ru_utime.tv_usec / 1e6,
          static_cast<double>(usage.ru_stime.tv_sec) + usage.ru_stime.tv_usec / 1e6};
}

}  // namespace

int main(int argc, char** argv) {
  int rate = 1000;
  int seconds = 10;
  bool full_command = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--rate" && i + 1 < argc) {
      rate = std::atoi(argv[++i]);
    } else if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atoi(argv[++i]);
    } else if (arg == "--full-command") {
      full_command = true;
    } else {
      std::fprintf(stderr, "usage: %s [--rate N] [--seconds N] [--full-command]\n", argv[0]);
      return 2;
    }
  }
  if (rate <= 0 || seconds <= 0) return 2;

  const std::string name = "halobench" + std::to_string(getpid());
  const fs::path dir = fs::temp_directory_path() / name;
  fs::create_directories(dir);
  const std::string tracked = (dir / name).string();
  fs::create_directories(dir / "q");
  const std::string quick_named = (dir / "q" / name).string();
  fs::copy_file("/bin/true", quick_named);
  fs::copy_file("/bin/sleep", tracked);
  const pid_t long_lived = spawn(tracked, "3600");

  halo::log::Options quiet;
  quiet.syslog = false;
  halo::log::init(quiet);

  boost::asio::io_context io;
  std::vector<halo::config::TrackProcess> trackers(1);
  trackers[0].name = "bench";
  trackers[0].process = {name};
  if (full_command) {
    trackers.emplace_back();
    trackers[1].name = "bench-cmdline";
    trackers[1].process = {name};
    trackers[1].full_command = true;
  }
  int changes = 0;
  halo::track::ProcessTracker tracker(io, trackers, [&](std::size_t, bool) { ++changes; });
  auto fd = halo::track::open_process_connector();
  if (!fd) {
    std::fprintf(stderr, "%s\n", fd.error().message.c_str());
    kill(long_lived, SIGKILL);
    fs::remove_all(dir);
    return 1;
  }
  tracker.start(std::make_unique<halo::track::ProcessEventSocket>(io, std::move(*fd)));

  std::fflush(stdout);
  const pid_t spawner = fork();
  if (spawner == 0) run_spawner(quick_named, rate, seconds);

  const Cpu cpu_before = cpu_seconds();
  const auto wall_before = Clock::now();
  // Until the spawner is done (it may lag behind its schedule on a busy host), then a little
  // longer for the last events.
  int status = 0;
  while (waitpid(spawner, &status, WNOHANG) == 0) io.run_for(std::chrono::milliseconds(100));
  io.run_for(std::chrono::milliseconds(300));
  const Cpu cpu_after = cpu_seconds();
  const double user = cpu_after.user - cpu_before.user;
  const double system = cpu_after.system - cpu_before.system;
  const double cpu = user + system;
  const double wall = std::chrono::duration<double>(Clock::now() - wall_before).count();

  kill(long_lived, SIGKILL);
  waitpid(long_lived, nullptr, 0);
  fs::remove_all(dir);

  const auto& stats = tracker.stats();
  std::printf("trackers: %zu%s; count at the end %u, status changes %d\n", trackers.size(),
              full_command ? " (one on the command line)" : "", tracker.count(0), changes);
  std::printf("events: %llu, vanished before read: %llu, rescans: %llu\n",
              static_cast<unsigned long long>(stats.events),
              static_cast<unsigned long long>(stats.vanished),
              static_cast<unsigned long long>(stats.rescans));
  std::printf(
      "halo ProcessTracker CPU: %.3f s (user %.3f, system %.3f) in %.2f s = %.2f %% of "
      "one core\n",
      cpu, user, system, wall, 100.0 * cpu / wall);
  const bool kept_up = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!kept_up) std::printf("note: the spawner did not keep up with the requested rate\n");
  return 0;
}
