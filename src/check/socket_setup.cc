// The connection options every checker shares (keepalived's conn_opts: bindto, bind_port,
// bind_if, fwmark), the words of failure reasons, and the attempt/deadline bookkeeping of a
// probe. See socket_setup.h.
#include "check/socket_setup.h"

#include <net/if.h>
#include <sys/socket.h>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>

#include "common/errno_text.h"

namespace halo::check::detail {

Result<void> apply_target_options(int fd, const Target& target) {
  if (target.fwmark) {
    const std::uint32_t mark = *target.fwmark;
    if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0) {
      const int error = errno;
      return fail("cannot set fwmark " + std::to_string(mark) + ": " + errno_text(error));
    }
  }
  if (!target.bind_interface.empty()) {
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, target.bind_interface.data(),
                   static_cast<socklen_t>(target.bind_interface.size())) != 0) {
      const int error = errno;
      return fail("cannot bind to interface " + target.bind_interface + ": " + errno_text(error));
    }
  }
  if (target.bind_address || target.bind_port != 0) {
    boost::asio::ip::address local;
    if (target.bind_address) {
      local = *target.bind_address;
      if (local.is_v4() != target.address.is_v4())
        return fail("bindto " + local.to_string() + " is not of the address family of " +
                    target.address.to_string());
    } else if (target.address.is_v6()) {
      local = boost::asio::ip::address_v6::any();
    } else {
      local = boost::asio::ip::address_v4::any();
    }
    if (target.bind_port != 0) {
      // A fixed source port is reused attempt after attempt; a previous connection's TIME_WAIT
      // (an SMTP check closes politely) must not make bind() fail.
      const int on = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    }
    // Any Asio endpoint type gives the sockaddr (with an IPv6 scope id when there is one).
    const boost::asio::ip::udp::endpoint endpoint(local, target.bind_port);
    if (bind(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size())) != 0) {
      const int error = errno;
      const std::string where = local.is_v6() ? "[" + local.to_string() + "]" : local.to_string();
      return fail("cannot bind to " + where + ":" + std::to_string(target.bind_port) + ": " +
                  errno_text(error));
    }
  }
  return {};
}

bool has_target_options(const Target& target) {
  return target.fwmark || !target.bind_interface.empty() || target.bind_address ||
         target.bind_port != 0;
}

std::string errno_words(int error) {
  return error_words(boost::system::error_code(error, boost::system::system_category()));
}

int connect_error(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error != 0 ? error : ECONNABORTED;
}

ProbeSession::ProbeSession(boost::asio::io_context& io, Target target)
    : io_(io), target_(std::move(target)), deadline_(io) {}

std::uint64_t ProbeSession::begin(Probe::Done done) {
  if (running_) cancel();  // a start() over a running attempt replaces it
  running_ = true;
  done_ = std::move(done);
  const std::uint64_t generation = ++generation_;
  deadline_.expires_after(target_.connect_timeout);
  deadline_.async_wait([self = shared_from_this(), generation](boost::system::error_code ec) {
    if (ec || !self->current(generation)) return;
    self->on_deadline();
  });
  return generation;
}

void ProbeSession::finish(Outcome outcome) {
  if (!running_) return;
  running_ = false;
  ++generation_;
  deadline_.cancel();
  close_socket();
  Probe::Done done = std::move(done_);
  done_ = nullptr;
  // The handler that called finish() holds a reference to this session, so `done` may destroy
  // the probe, or start it again, safely.
  if (done) done(std::move(outcome));
}

void ProbeSession::finish_soon(bool success, std::string reason) {
  boost::asio::post(io_, [self = shared_from_this(), generation = generation_, success,
                          reason = std::move(reason)]() mutable {
    if (self->current(generation)) self->finish(success, std::move(reason));
  });
}

void ProbeSession::cancel() {
  ++generation_;
  if (!running_) return;
  running_ = false;
  deadline_.cancel();
  close_socket();
  done_ = nullptr;
}

}  // namespace halo::check::detail
