// One supervisor for every child process halo starts: vrrp_script runs, notify scripts, FIFO
// readers and (later) MISC_CHECK scripts.
//
// A child is started with fork + execve and watched through a pidfd on the event loop, so
// its exit is noticed without SIGCHLD and reaped at once (no zombies). The child gets
// /dev/null on stdin, the daemon's stdout/stderr, and no other descriptor (close_range before
// exec, so nothing halo opened leaks into it). Credentials are dropped in the child (setgroups,
// setgid, setuid) before exec. A timeout sends SIGTERM, then SIGKILL after the kill grace;
// terminate() does the same on request. Every child is reaped exactly once and its handler
// runs exactly once, on the io_context's thread.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace halo::process {

using Duration = std::chrono::microseconds;

// Who a child runs as. The defaults are the daemon's own identity (no change).
struct Credentials {
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::vector<gid_t> supplementary;  // used only when uid is set
  std::string user;                  // for logs and $HOME/$USER; empty: unchanged
  std::string home;

  friend bool operator==(const Credentials&, const Credentials&) = default;
};

struct Command {
  std::vector<std::string> argv;  // argv[0] is the program: absolute, or searched in PATH
  Credentials credentials;
  std::vector<std::string> environment;  // extra "NAME=value" entries on top of the daemon's
  Duration timeout{0};                   // 0: none
  Duration kill_grace = std::chrono::seconds(1);  // after SIGTERM at the timeout, then SIGKILL
  std::string description;                        // what it is, for logs: "notify_master of VI_1"
};

struct ExitStatus {
  enum class How : std::uint8_t {
    Exited,       // exit_code is valid
    Signaled,     // signal is valid (also when halo's own terminate() killed it)
    SpawnFailed,  // fork/exec failed: error says why; exit_code is 127 like a shell's
  };
  How how = How::Exited;
  int exit_code = 0;
  int signal = 0;
  bool timed_out = false;   // the timeout fired (it was signalled because of it)
  bool terminated = false;  // terminate() or shutdown() was asked for it
  std::chrono::steady_clock::duration runtime{};
  std::string error;  // SpawnFailed: "cannot exec /x: No such file or directory"; also set
                      // (with Signaled, signal 0) if someone else reaped the child first

  bool success() const { return how == How::Exited && exit_code == 0 && !timed_out; }
};

using ChildId = std::uint64_t;  // never reused within a run (pids are)

class Supervisor {
 public:
  using ExitHandler = std::function<void(const ExitStatus&)>;

  explicit Supervisor(boost::asio::io_context& io);
  ~Supervisor();  // SIGKILLs and reaps what is still running (shutdown() is the polite way)
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Starts `command`. The handler runs once, after the child was reaped (also for an exec
  // that failed in the child, reported as SpawnFailed). Fails only when nothing was started
  // (fork or pidfd failure); then the handler never runs.
  Result<ChildId> spawn(Command command, ExitHandler on_exit);

  // SIGTERM now, SIGKILL after `grace` unless it has exited by then. Unknown or already
  // exited ids are ignored. Signals go to the child's process group (every child leads its
  // own session), so a shell's own children are stopped with it.
  void terminate(ChildId id, Duration grace);

  // terminate(), and the handler of `id` never runs: for an owner that goes away before its
  // child has exited (the child is still reaped and counted).
  void cancel(ChildId id, Duration grace);

  // Terminates every running child with `grace` and calls `done` once all are reaped
  // (at once if none runs).
  void shutdown(Duration grace, std::function<void()> done);

  std::size_t running() const;
  std::uint64_t started() const;
  std::uint64_t timed_out() const;
  std::optional<pid_t> pid_of(ChildId id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace halo::process
