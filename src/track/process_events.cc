// The kernel's process-events connector, read on the event loop.
//
// A NETLINK_CONNECTOR socket bound to the CN_IDX_PROC group, after it sends
// PROC_CN_MCAST_LISTEN, receives one datagram per fork, exec, uid/gid/sid change, ptrace,
// comm change, coredump and exit of every task on the host (linux/cn_proc.h). Each datagram is
// a netlink message of type NLMSG_DONE holding a cn_msg (linux/connector.h) whose data is a
// struct proc_event. halo needs four of them: fork (a new process inherits its parent's
// name), exec and comm (the name may have changed) and exit.
//
// Parsing is pure and bounded: every length is checked against the bytes received before it
// is trusted, fields are copied out with memcpy (a datagram buffer carries no alignment
// promise for a reader), and what does not fit is counted as malformed, never asserted on.
//
// Every event is a datagram of its own, so they are received in batches (recvmmsg), at most
// 512 per wake-up so that a storm cannot starve the rest of the loop. On a host that starts
// processes by the hundred each second, a wake-up per event or two costs more than the events
// themselves (epoll, scheduling, a receive call): when wake-ups come less than 2 ms apart,
// the socket leaves the reactor and is read every 2 ms until a period brings nothing. An idle
// host sees no delay; a busy one at most 2 ms more per event.
//
// The kernel does not flow-control these messages. When the receive buffer is full it drops
// them and the next recv() fails with ENOBUFS; nothing says which were lost, so the owner is
// told (on_overrun), after the events still queued from before the loss are delivered (they
// are older than what it will read), and rebuilds its counts from /proc. A host that starts and
// ends processes by the thousand each second produces a few hundred kilobytes of events in a
// second, so the buffer is made large (8 MiB with SO_RCVBUFFORCE as root, past net.core.rmem_max;
// else what SO_RCVBUF allows).
//
// The connector serves only the initial network namespace: elsewhere the socket opens and
// binds, but the subscription is refused (ECONNREFUSED). halod therefore opens it before it
// enters a configured namespace.
//
// Lifetime: as in net/link_monitor.cc, the wait's completion holds a weak reference to a token
// the socket owns, and the handlers live in a shared block the running completion keeps
// alive, so a handler may destroy the socket (a reload) without pulling anything from under
// the loop.
#include "track/process_events.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "common/errno_text.h"
namespace halo::track {
namespace {

constexpr int kReceiveBuffer = 8 * 1024 * 1024;
constexpr std::size_t kBatch = 64;
constexpr std::size_t kSlot = 1024;  // one datagram, one event: under 100 bytes
constexpr int kMaxBatchesPerWakeup = 8;
// Wake-ups closer together than kBusy mean a busy host: the next read waits kGather.
constexpr auto kBusy = std::chrono::milliseconds(2);
constexpr auto kGather = std::chrono::milliseconds(2);

// Copies a T out of `bytes` at `offset`; false when it does not fit.
template <class T>
bool read_at(std::span<const std::uint8_t> bytes, std::size_t offset, T* out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(out, bytes.data() + offset, sizeof(T));
  return true;
}

constexpr std::size_t kEventDataOffset = offsetof(proc_event, event_data);

// Decodes one proc_event (`data`: the cn_msg's payload, exactly cn_msg.len bytes). Returns
// false when it is malformed; `*out` is left empty for events halo does not follow.
bool decode_event(std::span<const std::uint8_t> data, std::optional<ProcessEvent>* out) {
  std::uint32_t what = 0;
  if (!read_at(data, offsetof(proc_event, what), &what)) return false;
  if (data.size() < kEventDataOffset) return false;
  const auto body = data.subspan(kEventDataOffset);
  ProcessEvent event;
  switch (what) {
    case proc_event::PROC_EVENT_FORK: {
      decltype(proc_event{}.event_data.fork) f{};
      if (!read_at(body, 0, &f)) return false;
      event.kind = ProcessEvent::Kind::Fork;
      event.pid = f.child_pid;
      event.tgid = f.child_tgid;
      event.parent_pid = f.parent_pid;
      event.parent_tgid = f.parent_tgid;
      break;
    }
    case proc_event::PROC_EVENT_EXEC: {
      decltype(proc_event{}.event_data.exec) e{};
      if (!read_at(body, 0, &e)) return false;
      event.kind = ProcessEvent::Kind::Exec;
      event.pid = e.process_pid;
      event.tgid = e.process_tgid;
      break;
    }
    case proc_event::PROC_EVENT_COMM: {
      // Only the ids: the tracker reads the name from /proc with the rest of the identity.
      struct {
        __kernel_pid_t pid, tgid;
      } c{};
      if (!read_at(body, 0, &c)) return false;
      event.kind = ProcessEvent::Kind::Comm;
      event.pid = c.pid;
      event.tgid = c.tgid;
      break;
    }
    case proc_event::PROC_EVENT_EXIT: {
      // Old kernels end the exit event after exit_signal (no parent ids); only the first
      // two fields are needed.
      struct {
        __kernel_pid_t pid, tgid;
      } x{};
      if (!read_at(body, 0, &x)) return false;
      event.kind = ProcessEvent::Kind::Exit;
      event.pid = x.pid;
      event.tgid = x.tgid;
      break;
    }
    default:
      return true;  // the listen ack (PROC_EVENT_NONE), uid, gid, sid, ptrace, coredump
  }
  *out = event;
  return true;
}

}  // namespace

std::vector<ProcessEvent> parse_process_events(std::span<const std::uint8_t> datagram,
                                               std::uint64_t* malformed) {
  std::vector<ProcessEvent> events;
  std::size_t offset = 0;
  while (datagram.size() - offset >= sizeof(nlmsghdr)) {
    nlmsghdr header{};
    read_at(datagram, offset, &header);
    const std::size_t length = header.nlmsg_len;
    if (length < sizeof(nlmsghdr) || length > datagram.size() - offset) {
      ++*malformed;
      return events;  // nothing after a bad length can be trusted
    }
    const auto payload = datagram.subspan(offset + NLMSG_HDRLEN, length - NLMSG_HDRLEN);
    offset += std::min<std::size_t>(NLMSG_ALIGN(length), datagram.size() - offset);

    if (header.nlmsg_type == NLMSG_NOOP || header.nlmsg_type == NLMSG_ERROR) continue;
    cn_msg message{};
    if (!read_at(payload, 0, &message)) {
      ++*malformed;
      continue;
    }
    if (message.id.idx != CN_IDX_PROC || message.id.val != CN_VAL_PROC) continue;
    if (message.len > payload.size() - sizeof(cn_msg)) {
      ++*malformed;
      continue;
    }
    std::optional<ProcessEvent> event;
    if (!decode_event(payload.subspan(sizeof(cn_msg), message.len), &event)) {
      ++*malformed;
      continue;
    }
    if (event) events.push_back(*event);
  }
  if (offset != datagram.size()) ++*malformed;  // bytes that do not make a message
  return events;
}

namespace {

// What the operator can do about a failed subscription.
std::string hint(int error) {
  if (error == EPERM) return " (needs CAP_NET_ADMIN)";
  // The kernel has no connector in other network namespaces.
  if (error == ECONNREFUSED) {
    return " (it works only in the initial network namespace: run halod there with "
           "net_namespace or -s, not under `ip netns exec`)";
  }
  return "";
}

}  // namespace

Result<UniqueFd> open_process_connector() {
  UniqueFd fd(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR));
  if (!fd) {
    const int error = errno;
    if (error == EPROTONOSUPPORT) {
      return fail("process-events connector: " + errno_text(error) +
                  " (kernel without CONFIG_PROC_EVENTS?)");
    }
    return fail("process-events connector: cannot open the netlink socket: " + errno_text(error));
  }
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = CN_IDX_PROC;
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) < 0) {
    return fail("process-events connector: cannot bind to CN_IDX_PROC: " + errno_text(errno));
  }
  const int size = kReceiveBuffer;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0 &&
      setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size) < 0) {
    return fail("process-events connector: cannot size the receive buffer: " + errno_text(errno));
  }

  // nlmsghdr, then cn_msg, then the operation (cn_proc.h's layout, packed).
  nlmsghdr header{};
  header.nlmsg_len = NLMSG_HDRLEN + sizeof(cn_msg) + sizeof(std::uint32_t);
  header.nlmsg_type = NLMSG_DONE;
  cn_msg message{};
  message.id.idx = CN_IDX_PROC;
  message.id.val = CN_VAL_PROC;
  message.len = sizeof(std::uint32_t);
  const std::uint32_t op = PROC_CN_MCAST_LISTEN;
  std::array<std::uint8_t, NLMSG_HDRLEN + sizeof(cn_msg) + sizeof op> request{};
  std::memcpy(request.data(), &header, sizeof header);
  std::memcpy(request.data() + NLMSG_HDRLEN, &message, sizeof message);
  std::memcpy(request.data() + NLMSG_HDRLEN + sizeof message, &op, sizeof op);
  if (send(fd.get(), request.data(), request.size(), 0) < 0) {
    const int error = errno;
    return fail("process-events connector: cannot subscribe (PROC_CN_MCAST_LISTEN): " +
                errno_text(error) + hint(error));
  }
  return fd;
}

struct ProcessEventSocket::Impl {
  struct Callbacks {
    std::function<void(const ProcessEvent&)> on_event;
    std::function<void()> on_overrun;
  };

  explicit Impl(boost::asio::io_context& io) : descriptor(io), gather(io) {}

  void arm();
  void on_readable();

  boost::asio::posix::stream_descriptor descriptor;
  boost::asio::steady_timer gather;
  std::chrono::steady_clock::time_point last_wakeup;
  UniqueFd polled;               // the socket while it is read on the timer (busy host), else empty
  bool overrun_pending = false;  // ENOBUFS seen; on_overrun once the queue is drained
  std::uint64_t malformed = 0;
  std::uint64_t overruns = 0;
  // shared_ptr: the completion running a handler keeps the handlers alive even if the handler
  // destroys the socket (and with it this Impl).
  std::shared_ptr<const Callbacks> callbacks;
  // shared_ptr: the only owner; completions hold weak_ptrs to learn that the socket is gone.
  std::shared_ptr<char> alive = std::make_shared<char>();
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(kBatch * kSlot);
};

void ProcessEventSocket::Impl::arm() {
  descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                        [this, token = std::weak_ptr<char>(alive)](boost::system::error_code ec) {
                          if (token.expired() || ec) return;  // gone, or closed (cancelled)
                          on_readable();
                        });
}

void ProcessEventSocket::Impl::on_readable() {
  const std::shared_ptr<const Callbacks> keep = callbacks;
  const std::weak_ptr<char> token = alive;
  const int fd = polled ? polled.get() : descriptor.native_handle();
  std::size_t received = 0;
  bool drained = false;
  for (int batch = 0; batch < kMaxBatchesPerWakeup; ++batch) {
    // One event per datagram: recvmmsg() takes a batch of them in one system call.
    std::array<mmsghdr, kBatch> messages{};
    std::array<iovec, kBatch> iov{};
    std::array<sockaddr_nl, kBatch> from{};
    for (std::size_t i = 0; i < kBatch; ++i) {
      iov[i] = {buffer.data() + i * kSlot, kSlot};
      messages[i].msg_hdr.msg_iov = &iov[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_name = &from[i];
      messages[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    const int n = recvmmsg(fd, messages.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        ++overruns;
        overrun_pending = true;
        continue;
      }
      drained = errno == EAGAIN;  // anything else: try again on the next wake-up
      break;
    }
    received += static_cast<std::size_t>(n);
    for (int i = 0; i < n; ++i) {
      if (from[i].nl_pid != 0) continue;  // only the kernel speaks on this group
      if ((messages[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
        ++malformed;
        continue;
      }
      const std::span datagram(buffer.data() + static_cast<std::size_t>(i) * kSlot,
                               messages[i].msg_len);
      for (const auto& event : parse_process_events(datagram, &malformed)) {
        if (keep->on_event) keep->on_event(event);
        if (token.expired()) return;
      }
    }
    if (static_cast<std::size_t>(n) < kBatch) {
      drained = true;  // the queue ran empty
      break;
    }
  }
  // Events were lost. What was still queued is older than the loss and has been delivered;
  // only now may the owner rebuild its view (from /proc), or those older events would undo
  // the fresh one.
  if (overrun_pending && drained) {
    overrun_pending = false;
    if (keep->on_overrun) keep->on_overrun();
    if (token.expired()) return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!polled) {
    // Busy host: the last wake-up was moments ago. Take the socket out of the reactor (which
    // would wake up for every datagram even with no wait pending) and read it on a timer.
    const bool busy = now - last_wakeup < kBusy;
    last_wakeup = now;
    if (!busy) {
      arm();
      return;
    }
    polled.reset(descriptor.release());  // deregisters it from the reactor; cannot fail
  } else if (received == 0) {
    // A quiet period: back to waking up on the first datagram.
    boost::system::error_code ec;
    descriptor.assign(polled.get(), ec);
    if (!ec) {
      (void)polled.release();
      last_wakeup = now;
      arm();
      return;
    }
  }
  gather.expires_after(kGather);
  gather.async_wait([this, token = std::weak_ptr<char>(alive)](boost::system::error_code ec) {
    if (token.expired() || ec) return;
    on_readable();
  });
}

ProcessEventSocket::ProcessEventSocket(boost::asio::io_context& io, UniqueFd fd)
    : impl_(std::make_unique<Impl>(io)) {
  boost::system::error_code ec;
  impl_->descriptor.assign(fd.get(), ec);
  if (!ec) (void)fd.release();  // the descriptor owns it now (else fd closes it)
}

ProcessEventSocket::~ProcessEventSocket() = default;

void ProcessEventSocket::start(std::function<void(const ProcessEvent&)> on_event,
                               std::function<void()> on_overrun) {
  impl_->callbacks = std::make_shared<const Impl::Callbacks>(
      Impl::Callbacks{std::move(on_event), std::move(on_overrun)});
  if (impl_->descriptor.is_open()) impl_->arm();
}

std::uint64_t ProcessEventSocket::malformed() const {
  return impl_->malformed;
}

std::uint64_t ProcessEventSocket::overruns() const {
  return impl_->overruns;
}

}  // namespace halo::track
