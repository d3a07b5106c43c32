// The read loop of halo's raw sockets (net/vrrp_socket, and net/announce_socket's ARP
// listener): a non-blocking descriptor in an Asio stream_descriptor, async_wait(read), then
// receive until EAGAIN, at most kBurst datagrams per turn; the rest is posted so that other
// sockets get their turn.
//
// The loop is shared between its socket and the pending completion (a shared_ptr, for this
// reason only): the socket's destructor calls close(), which marks it closed and closes the
// descriptor, so the aborted completion that Asio still delivers finds a live object that
// tells it to stop, and a handler that destroys the socket while it runs (a reload) does not
// pull the buffer or the loop from under its own feet.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <memory>

namespace halo::net {

class ReadLoop : public std::enable_shared_from_this<ReadLoop> {
 public:
  // `errors` counts failed waits and receives; it belongs to the socket and is touched only
  // while the loop is open.
  ReadLoop(boost::asio::io_context& io, std::uint64_t* errors);
  ReadLoop(const ReadLoop&) = delete;
  ReadLoop& operator=(const ReadLoop&) = delete;
  virtual ~ReadLoop() = default;

  // Takes ownership of `fd` (non-blocking) unless it fails.
  boost::system::error_code assign(int fd);
  int fd() { return descriptor_.native_handle(); }

  // No receive_one() runs after this; the aborted wait finds the loop closed and returns.
  void close();

 protected:
  // Starts (or resumes) waiting for datagrams.
  void wait();

 private:
  // Reads and delivers one datagram: 0, EAGAIN when there is none, or the errno.
  virtual int receive_one() = 0;
  void drain();

  boost::asio::posix::stream_descriptor descriptor_;
  std::uint64_t* errors_;
  bool closed_ = false;
};

}  // namespace halo::net
