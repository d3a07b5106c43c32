// See plain_get.h. The socket is watched edge-triggered for reading and writing from the
// start: the first event says the connect is over (EPOLLOUT, or EPOLLERR with the reason in
// SO_ERROR), the next ones that response bytes or the close arrived. Every step reads or writes
// until EAGAIN, as edge-triggering asks.
#include "check/plain_get.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <cerrno>

#include "check/socket_setup.h"

namespace halo::check::detail {
namespace {

std::string errno_reason(int error) {
  return io_error_text(boost::system::error_code(error, boost::system::system_category()));
}

}  // namespace

PlainGet::PlainGet(boost::asio::io_context& io) : socket_(io) {}

PlainGet::~PlainGet() {
  stop();
}

Result<void> PlainGet::start(const HttpFetch& fetch, std::string_view request, Owner& owner) {
  stop();
  // The handshake's last ACK rides on the request (CheckSocket holds it back): one packet
  // less. The request leaves in one send on an idle connection, so Nagle never holds it: no
  // TCP_NODELAY needed.
  const Target& target = fetch.target;
  if (auto opened = socket_.open(target); !opened) return opened;
  const boost::asio::ip::tcp::endpoint endpoint(target.address, target.port);
  if (::connect(socket_.fd(), endpoint.data(), static_cast<socklen_t>(endpoint.size())) != 0 &&
      errno != EINPROGRESS) {
    const int error = errno;
    socket_.close();
    return fail(errno_reason(error));
  }
  // Connected at once or not, the watch reports it: a socket already writable when it is
  // added gives its event at the next wait.
  if (auto watched = socket_.watch(*this, SocketWatcher::Mode::Stream); !watched) {
    socket_.close();
    return watched;
  }
  stage_ = Stage::Connecting;
  unsent_ = request;
  reader_.emplace(fetch);
  owner_ = &owner;
  return {};
}

void PlainGet::stop() {
  socket_.close();
  stage_ = Stage::Idle;
  unsent_ = {};
  reader_.reset();
  owner_ = nullptr;
}

std::string PlainGet::timeout_reason(Duration limit) const {
  switch (stage_) {
    case Stage::Sending:
      return timeout_text(limit, "request not sent");
    case Stage::Receiving:
      return timeout_text(
          limit, reader_ && reader_->received() > 0 ? "response not complete" : "no response");
    case Stage::Idle:
    case Stage::Connecting:
      break;
  }
  return timeout_text(limit, "no connection");
}

void PlainGet::on_socket_ready(std::uint32_t events) {
  switch (stage_) {
    case Stage::Idle:
      return;
    case Stage::Connecting:
      if ((events & EPOLLERR) != 0) return end(fail(errno_reason(connect_error(socket_.fd()))));
      if ((events & EPOLLOUT) == 0) {
        if ((events & (EPOLLHUP | EPOLLRDHUP)) != 0) return end(fail("connection closed"));
        return;
      }
      stage_ = Stage::Sending;
      [[fallthrough]];
    case Stage::Sending:
      if (!send_request()) return;
      stage_ = Stage::Receiving;
      // Bytes that came with this event would give no edge of their own.
      if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0) return;
      [[fallthrough]];
    case Stage::Receiving:
      receive();
      return;
  }
}

bool PlainGet::send_request() {
  while (!unsent_.empty()) {
    const ssize_t sent = ::send(socket_.fd(), unsent_.data(), unsent_.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      unsent_.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && errno == EAGAIN) return false;  // the next writable edge goes on
    end(fail("cannot send the request: " + errno_reason(sent < 0 ? errno : EPIPE)));
    return false;
  }
  return true;
}

void PlainGet::receive() {
  std::array<char, 16384> chunk;  // NOLINT(cppcoreguidelines-pro-type-member-init): recv fills it
  for (;;) {
    const ssize_t n = ::recv(socket_.fd(), chunk.data(), chunk.size(), 0);
    if (n > 0) {
      if (auto fed = reader_->feed(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
          !fed) {
        return end(tl::unexpected(fed.error()));
      }
      if (reader_->complete()) return end(reader_->finish());
      continue;
    }
    if (n == 0) return end(reader_->finish());
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return;  // the next readable edge goes on
    return end(fail(errno_reason(errno)));
  }
}

void PlainGet::end(Result<HttpResponse> response) {
  Owner* owner = owner_;
  stop();
  if (owner != nullptr) owner->on_get_done(std::move(response));
}

}  // namespace halo::check::detail
