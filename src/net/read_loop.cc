// The read loop shared by the raw sockets: see net/read_loop.h.
#include "net/read_loop.h"

#include <boost/asio/post.hpp>
#include <cerrno>

namespace halo::net {
namespace {

constexpr int kBurst = 32;  // datagrams read per readiness before yielding to the event loop

}  // namespace

ReadLoop::ReadLoop(boost::asio::io_context& io, std::uint64_t* errors)
    : descriptor_(io), errors_(errors) {}

boost::system::error_code ReadLoop::assign(int fd) {
  boost::system::error_code ec;
  descriptor_.assign(fd, ec);
  return ec;
}

void ReadLoop::close() {
  closed_ = true;
  boost::system::error_code ignored;
  descriptor_.close(ignored);
}

void ReadLoop::wait() {
  descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [self = shared_from_this()](const boost::system::error_code& ec) {
                           if (self->closed_ || ec == boost::asio::error::operation_aborted) {
                             return;
                           }
                           if (ec) ++*self->errors_;
                           self->drain();
                         });
}

void ReadLoop::drain() {
  const auto self = shared_from_this();  // the handler may destroy the socket
  for (int i = 0; i < kBurst; ++i) {
    if (closed_) return;
    const int result = receive_one();
    if (result == EAGAIN) return wait();
    if (result != 0) ++*errors_;
  }
  if (!closed_) {
    boost::asio::post(descriptor_.get_executor(), [self] {
      if (!self->closed_) self->drain();
    });
  }
}

}  // namespace halo::net
