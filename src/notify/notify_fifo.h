// One notify FIFO (notify_fifo, vrrp_notify_fifo or lvs_notify_fifo) and the script that reads
// it (the *_fifo_script form), L3.
//
// The FIFO is created (mode 0600, owner from the FifoSpec) when it does not exist, and halo
// keeps it open read-write and non-blocking, so a writer never blocks and never gets SIGPIPE
// whether or not a reader is there. Lines that do not fit in the pipe wait in a bounded
// buffer, flushed when the reader catches up; past the bound they are dropped and counted.
// The script is started once, under the Supervisor, with the FIFO path as its last argument.
// At stop the caller writes the final lines first; stop() then flushes what it can, sends the
// script SIGTERM and SIGKILL only after `grace`.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "config/model.h"
#include "process/supervisor.h"

namespace halo::notify {

class NotifyFifo {
 public:
  NotifyFifo(boost::asio::io_context& io, process::Supervisor& supervisor, config::FifoSpec fifo,
             std::optional<config::Script> script, process::Credentials script_credentials);
  ~NotifyFifo();  // no grace: the script gets SIGKILL if still running (stop() is polite)
  NotifyFifo(const NotifyFifo&) = delete;
  NotifyFifo& operator=(const NotifyFifo&) = delete;

  // Creates/opens the FIFO and starts the script. Fails with the path and errno text.
  Result<void> open();
  void write(std::string_view line);
  // Flushes, then terminates the script (SIGTERM, SIGKILL after `grace`); `done` runs once the
  // script is reaped (at once without a script).
  void stop(process::Duration grace, std::function<void()> done);

  const config::FifoSpec& spec() const;
  std::uint64_t lines_written() const;
  std::uint64_t lines_dropped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace halo::notify
