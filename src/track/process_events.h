// The kernel's process-events connector (NETLINK_CONNECTOR, CN_IDX_PROC): fork, exec, comm
// and exit of every process on the host, as they happen (L1: no /proc polling).
//
// The connector delivers events only to sockets opened in the initial network namespace, so
// halod opens it in main() before it enters net_namespace / --namespace, and hands the open,
// subscribed descriptor to the daemon.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace halo::track {

struct ProcessEvent {
  enum class Kind : std::uint8_t { Fork, Exec, Comm, Exit };
  Kind kind = Kind::Exec;
  pid_t pid = 0;         // the thread (task) the event is about; for Fork the child
  pid_t tgid = 0;        // its process (thread group); a thread's events have pid != tgid
  pid_t parent_pid = 0;  // Fork only: the parent task
  pid_t parent_tgid = 0;

  friend bool operator==(const ProcessEvent&, const ProcessEvent&) = default;
};

// Decodes one netlink datagram from the connector (it may carry several messages). Messages
// that are not process events (acks, other connector users) are skipped; malformed ones
// are counted in `*malformed`.
std::vector<ProcessEvent> parse_process_events(std::span<const std::uint8_t> datagram,
                                               std::uint64_t* malformed);

// Opens a NETLINK_CONNECTOR socket, binds to CN_IDX_PROC and sends PROC_CN_MCAST_LISTEN.
// Must run in the initial network namespace. Fails with a message naming the reason
// ("process-events connector: Protocol not supported (kernel without CONFIG_PROC_EVENTS?)").
Result<UniqueFd> open_process_connector();

class ProcessEventSocket {
 public:
  // Takes over a descriptor from open_process_connector().
  ProcessEventSocket(boost::asio::io_context& io, UniqueFd fd);
  ~ProcessEventSocket();
  ProcessEventSocket(const ProcessEventSocket&) = delete;
  ProcessEventSocket& operator=(const ProcessEventSocket&) = delete;

  // `on_event` runs for every event, in order, on the io_context's thread. `on_overrun` runs
  // after the socket lost events (ENOBUFS), once the events still queued from before the
  // loss have been delivered (they are older than anything the owner reads then): the owner
  // rescans /proc. Call once.
  void start(std::function<void(const ProcessEvent&)> on_event, std::function<void()> on_overrun);

  std::uint64_t malformed() const;
  std::uint64_t overruns() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace halo::track
