// haloctl's side of the control socket (protocol: src/control/command.h).
//
// Blocking POSIX I/O with poll(2) deadlines: a client sends one line and reads one reply, so
// an event loop would buy nothing. Every failure carries the exit code a script sees (Exit),
// so the commands only pass failures up. Nothing waits without a deadline except where the
// caller asks for it (`events --follow`), and even then SIGINT ends the wait once
// catch_interrupts() is on.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "common/unique_fd.h"

namespace halo::ctl {

// haloctl's exit codes, an interface for scripts (also in `haloctl --help`).
enum Exit : int {
  kOk = 0,
  kDaemonError = 1,    // the daemon answered "error: …" (or a reply haloctl cannot read)
  kUsage = 2,          // bad command line
  kCannotConnect = 3,  // no socket, permission denied, nothing listening
  kBusy = 4,           // the daemon refused the connection: every slot in use
  kTimeout = 5,        // no (complete) reply within --timeout, or the connection closed early
};

struct Failure {
  int exit = kDaemonError;
  std::string message;  // for stderr; empty when the user interrupted (exit kOk)
};

template <class T>
using Outcome = tl::expected<T, Failure>;

using Clock = std::chrono::steady_clock;

// From now on SIGINT (and SIGTERM) end every wait of this process: the wait returns the
// Failure {kOk, ""}. For the commands that run until stopped (watch, events --follow).
void catch_interrupts();
bool interrupted();
// Sleeps for `d` unless interrupted first; false when interrupted.
bool sleep_unless_interrupted(std::chrono::milliseconds d);

class Connection {
 public:
  // Connects to the UNIX socket at `path`, waiting at most until `deadline`.
  static Outcome<Connection> open(const std::string& path, Clock::time_point deadline);

  Outcome<void> send_line(std::string_view line, Clock::time_point deadline);
  // The next line without its '\n' (a last line without one included); nullopt at the end of
  // the stream. No deadline: wait until a line comes or the process is interrupted.
  Outcome<std::optional<std::string>> read_line(std::optional<Clock::time_point> deadline);

  const std::string& path() const { return path_; }

 private:
  Connection(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  UniqueFd fd_;
  std::string path_;
  std::string buffer_;
  bool eof_ = false;
};

// One command and its reply (the lines before the empty line that ends it, each ending in
// '\n'). "busy: …" -> kBusy; "closing: …", a missing reply or a reply cut short -> kTimeout;
// a reply "error: …" -> kDaemonError with the daemon's message.
Outcome<std::string> exchange(const std::string& path, std::string_view command,
                              std::chrono::milliseconds timeout);

// `raw`: sends `line` and returns everything the daemon sends until it closes the connection
// (it does after answering a line, outside prompt mode) into `received`, unchanged. A
// timeout is a Failure; what came before it is in `received` all the same.
Outcome<void> exchange_raw(const std::string& path, std::string_view line,
                           std::chrono::milliseconds timeout, std::string& received);

}  // namespace halo::ctl
