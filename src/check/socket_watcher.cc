// See socket_watcher.h. A watch is a slot (client, generation); the epoll event carries the
// slot's index and generation, so an event that was already fetched for a watch forgotten in
// the same loop turn (a client's callback may cancel or destroy other probes) finds the
// generation moved on and is dropped.
#include "check/socket_watcher.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "common/errno_text.h"

namespace halo::check {

boost::asio::execution_context::id SocketWatcher::id;

namespace {

SocketWatcher::Ticket ticket_of(std::uint32_t index, std::uint32_t generation) {
  return (static_cast<std::uint64_t>(index + 1) << 32) | generation;
}

}  // namespace

SocketWatcher::SocketWatcher(boost::asio::io_context& io)
    : boost::asio::execution_context::service(io), descriptor_(io) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return;  // watch() reports it
  boost::system::error_code ec;
  descriptor_.assign(epoll_fd_, ec);
  if (ec) {
    ::close(epoll_fd_);
    epoll_fd_ = -1;
  }
}

SocketWatcher::~SocketWatcher() = default;  // descriptor_ closes the epoll fd

void SocketWatcher::shutdown() {
  shut_down_ = true;
  for (auto* idle : {&idle_v4_, &idle_v6_}) {
    for (const int fd : *idle) ::close(fd);
    idle->clear();
  }
  boost::system::error_code ignored;
  descriptor_.close(ignored);
  epoll_fd_ = -1;
  slots_.clear();
  free_.clear();
  watching_ = 0;
}

Result<SocketWatcher::Ticket> SocketWatcher::watch(int fd, Client& client, Mode mode) {
  if (epoll_fd_ < 0) return fail("cannot watch the connection: no epoll set");
  std::uint32_t index = 0;
  if (free_.empty()) {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    index = free_.back();
    free_.pop_back();
  }
  Slot& slot = slots_[index];
  const Ticket ticket = ticket_of(index, slot.generation);
  // One-shot: after its event the fd stays in the set, disarmed, until its owner closes it.
  // A stream is edge-triggered: one event per change, however long the owner takes.
  const std::uint32_t events =
      mode == Mode::Connect ? EPOLLOUT | EPOLLONESHOT : EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  epoll_event event{.events = events, .data = {.u64 = ticket}};
  // An idle socket taken again is still in the set: re-armed with the new ticket. A fd closed
  // behind the watcher's back (not through close_tcp) and reused by a new socket is not, so
  // ENOENT falls back to adding it.
  int rc = -1;
  if (in_set(fd)) {
    rc = epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
    if (rc != 0 && errno == ENOENT) set_in_set(fd, false);
  }
  if (!in_set(fd)) {
    rc = epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
    if (rc == 0) set_in_set(fd, true);
  }
  if (rc != 0) {
    const int error = errno;
    free_.push_back(index);
    return fail("cannot watch the connection: " + errno_text(error));
  }
  slot.client = &client;
  slot.once = mode == Mode::Connect;
  ++watching_;
  if (!waiting_) wait();
  return ticket;
}

void SocketWatcher::forget(Ticket ticket) {
  if (ticket == 0 || shut_down_) return;
  const auto index = static_cast<std::uint32_t>((ticket >> 32) - 1);
  const auto generation = static_cast<std::uint32_t>(ticket);
  if (index >= slots_.size()) return;
  Slot& slot = slots_[index];
  if (slot.generation != generation || slot.client == nullptr) return;
  slot.client = nullptr;
  ++slot.generation;
  free_.push_back(index);
  --watching_;
  if (watching_ == 0 && waiting_) {
    // Nothing to watch: no wait may keep io_context::run() from returning.
    ++wait_generation_;
    waiting_ = false;
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);
  }
}

int SocketWatcher::open_tcp(int family) {
  auto& idle = family == AF_INET6 ? idle_v6_ : idle_v4_;
  if (!idle.empty()) {
    const int fd = idle.back();
    idle.pop_back();
    return fd;
  }
  const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return -1;
  // Whatever ends a check (verdict, deadline, cancel) resets its connection: no TIME_WAIT
  // (tcp_probe.cc). Set once: the option stays through every reuse.
  const linger reset{.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  set_in_set(fd, false);
  return fd;
}

void SocketWatcher::close_tcp(int fd, int family, bool reusable) {
  if (fd < 0) return;
  auto& idle = family == AF_INET6 ? idle_v6_ : idle_v4_;
  if (reusable && !shut_down_ && idle.size() < kMaxIdle) {
    // tcp_disconnect: a RST for a connection that was made, nothing for a SYN still in
    // flight; the ephemeral port is released. The error it leaves (ECONNRESET) is cleared by
    // the next connect.
    const sockaddr unspec{.sa_family = AF_UNSPEC, .sa_data = {}};
    if (::connect(fd, &unspec, sizeof unspec) == 0) {
      idle.push_back(fd);
      return;
    }
  }
  set_in_set(fd, false);
  ::close(fd);
}

void SocketWatcher::set_in_set(int fd, bool in) {
  if (fd < 0) return;
  const auto index = static_cast<std::size_t>(fd);
  if (index >= in_set_.size()) {
    if (!in) return;
    in_set_.resize(index + 1, 0);
  }
  in_set_[index] = in ? 1 : 0;
}

void SocketWatcher::wait() {
  waiting_ = true;
  descriptor_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                         [this, generation = wait_generation_](boost::system::error_code ec) {
                           if (ec || shut_down_ || generation != wait_generation_) return;
                           waiting_ = false;
                           drain();
                           if (watching_ > 0 && !waiting_) wait();
                         });
}

void SocketWatcher::drain() {
  std::array<epoll_event, 256> events{};
  for (;;) {
    const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      const Ticket ticket = events[i].data.u64;
      const auto index = static_cast<std::uint32_t>((ticket >> 32) - 1);
      if (index >= slots_.size()) continue;
      Slot& slot = slots_[index];
      if (slot.generation != static_cast<std::uint32_t>(ticket) || slot.client == nullptr) {
        continue;  // forgotten after the event was fetched
      }
      Client* client = slot.client;
      if (slot.once) forget(ticket);
      client->on_socket_ready(events[i].events);
      if (shut_down_) return;
    }
    // Edge-triggered in the reactor: read until the set is empty, or a wake-up could be lost.
    if (n < static_cast<int>(events.size())) return;
  }
}

}  // namespace halo::check
