// One notify FIFO (notify_fifo, vrrp_notify_fifo or lvs_notify_fifo) and the script that reads
// it (the *_fifo_script form), L3.
//
// The FIFO is created (mode 0600, owner from the FifoSpec) when it does not exist, and halo
// keeps it open read-write and non-blocking, so a writer never blocks and never gets SIGPIPE
// whether or not a reader is there. Lines that do not fit in the pipe wait in a bounded
// buffer, flushed when the reader catches up; past the bound they are dropped and counted.
// The script is started once, under the Supervisor, with the FIFO path as its last argument.
// At stop the caller writes the final lines first; stop() then waits (at most `grace`) until
// the script has read everything, sends it SIGTERM, and SIGKILL only after another `grace`.
// A FIFO that halo created is removed at stop (keepalived does the same); one the operator
// made is left alone.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/model.h"
#include "process/supervisor.h"

namespace halo::notify {

class NotifyFifo {
 public:
  // Lines waiting for the reader beyond what the pipe holds (64 KiB on Linux by default).
  static constexpr std::size_t kDefaultMaxPendingBytes = std::size_t{256} * 1024;

  // `script_credentials` are used only with a script. A script that is refused (script
  // security) is simply not passed.
  NotifyFifo(boost::asio::io_context& io, process::Supervisor& supervisor, config::FifoSpec fifo,
             std::optional<config::Script> script, process::Credentials script_credentials,
             std::size_t max_pending_bytes = kDefaultMaxPendingBytes);
  ~NotifyFifo();  // no grace: the script gets SIGKILL if still running (stop() is polite)
  NotifyFifo(const NotifyFifo&) = delete;
  NotifyFifo& operator=(const NotifyFifo&) = delete;

  // Creates/opens the FIFO and starts the script. Fails with the path and errno text; a
  // script that cannot be started is logged and the FIFO stays open.
  Result<void> open();
  // Writes one line (newline included) now, or queues it; never blocks. Dropped and counted
  // when the FIFO is not open or the queue is full.
  void write(std::string_view line);
  // Flushes, waits until the script read everything (at most `grace`), then terminates the
  // script (SIGTERM, SIGKILL after `grace`); `done` runs once the script is reaped (at once
  // without a script). Lines written after stop() are dropped.
  void stop(process::Duration grace, std::function<void()> done);

  const config::FifoSpec& spec() const;
  const std::optional<config::Script>& script() const;
  // The running script, if any (for tests and the status dump).
  std::optional<process::ChildId> script_id() const;
  std::uint64_t lines_written() const;  // complete lines handed to the pipe
  std::uint64_t lines_dropped() const;
  std::size_t pending_bytes() const;  // queued, not yet in the pipe

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace halo::notify
