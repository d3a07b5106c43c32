// Thousands of non-blocking TCP sockets in flight (checks' connects, plain HTTP exchanges),
// watched through one epoll set of their own that sits in the io_context's reactor as a single
// descriptor.
//
// Why not an Asio socket per check: Asio registers every socket with its epoll set when it is
// opened, switches it to non-blocking with an ioctl, adds EPOLLOUT with a second epoll_ctl for
// the connect, then polls and reads SO_ERROR when it completes: ten system calls for a check
// whose work is a SYN and a reset. Here a check is a socket (already non-blocking), its
// options, connect, one epoll_ctl and its end, and with an idle socket (below) not even the
// socket; a successful connect needs nothing more (EPOLLOUT without EPOLLERR), and the ready
// sockets of a loop turn come back in one epoll_wait. HAProxy's checks take the same path
// without the reuse. A plain HTTP_GET watches its socket as a stream instead (edge-triggered
// for reading and writing, registered once): connected, then response bytes, with no
// epoll_ctl between them.
//
// Idle sockets: a check's TCP socket is not closed when the check ends but reset with
// connect(AF_UNSPEC) (the kernel's tcp_disconnect: a RST if a connection was made, as the
// SO_LINGER 0 close it replaces) and kept, still in the epoll set, for the next check. A check
// then costs no socket, close or epoll_ctl ADD, and the kernel allocates and frees no socket,
// file and inode: about a third less CPU per loopback connection (14-16 us instead of 20-23
// in bench/check/socket_reuse.cc). Only sockets without per-target options (fwmark, bind_if,
// bindto, bind_port) are kept, since those options stay on a socket; at most kMaxIdle per address
// family, closed with the watcher.
//
// An Asio service: one watcher per io_context (asio::use_service<SocketWatcher>(io)), on the
// io_context's thread only, gone with the io_context.
#pragma once

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <vector>

#include "common/result.h"

namespace halo::check {

class SocketWatcher final : public boost::asio::execution_context::service {
 public:
  using key_type = SocketWatcher;
  static boost::asio::execution_context::id id;

  class Client {
   public:
    // The watched socket is ready or failed. `events` are epoll's: for a connect, EPOLLOUT
    // alone is an established connection and EPOLLERR means SO_ERROR holds the reason.
    virtual void on_socket_ready(std::uint32_t events) = 0;

   protected:
    ~Client() = default;
  };

  // Names one watch; 0 is none.
  using Ticket = std::uint64_t;

  explicit SocketWatcher(boost::asio::io_context& io);
  ~SocketWatcher() override;

  enum class Mode {
    // Until the socket is writable or has an error; then the client is called once and the
    // watch is over (the fd stays in the set, disarmed, until it is closed).
    Connect,
    // Every time the socket becomes readable, writable, half-closed or failed (edge-triggered:
    // the client reads or writes until EAGAIN), until forget().
    Stream,
  };

  // Watches `fd`, a socket with a connect in progress, and calls client.on_socket_ready from
  // the io_context, never from watch() itself. `client` must stay valid until the watch is over
  // or forgotten.
  Result<Ticket> watch(int fd, Client& client, Mode mode = Mode::Connect);
  // The client is not called for this watch any more. Call it before closing the fd (closing
  // removes the fd from the epoll set). Idempotent; forget(0) does nothing.
  void forget(Ticket ticket);

  std::size_t watching() const { return watching_; }

  // A non-blocking TCP socket of `family` (AF_INET, AF_INET6) whose close is a reset
  // (SO_LINGER 0): an idle one when there is one, else a new one. -1 with errno on failure.
  int open_tcp(int family);
  // Ends the use of `fd`, a socket from open_tcp() whose watch is forgotten: with `reusable`
  // (the socket carries no per-target option) and room left, it is reset and kept for the
  // next open_tcp(); otherwise it is closed. Either way a connection on it ends with a RST.
  void close_tcp(int fd, int family, bool reusable);

  static constexpr std::size_t kMaxIdle = 256;
  std::size_t idle() const { return idle_v4_.size() + idle_v6_.size(); }

 private:
  struct Slot {
    Client* client = nullptr;
    std::uint32_t generation = 0;
    bool once = true;  // Mode::Connect
  };

  void shutdown() override;
  bool in_set(int fd) const {
    return fd >= 0 && static_cast<std::size_t>(fd) < in_set_.size() && in_set_[fd] != 0;
  }
  void set_in_set(int fd, bool in);
  void wait();
  void drain();

  int epoll_fd_ = -1;
  boost::asio::posix::stream_descriptor descriptor_;  // epoll_fd_ in the io_context's reactor
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::vector<std::uint8_t> in_set_;  // by fd: added to the epoll set (idle sockets stay in it)
  std::vector<int> idle_v4_;
  std::vector<int> idle_v6_;
  std::size_t watching_ = 0;
  std::uint64_t wait_generation_ = 0;  // a cancelled wait's late handler is not current
  bool waiting_ = false;
  bool shut_down_ = false;
};

}  // namespace halo::check
