// Link and address notifications from the kernel, read on the event loop.
//
// A NETLINK_ROUTE socket that joins RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR
// receives a copy of every RTM_NEWLINK / RTM_DELLINK / RTM_NEWADDR / RTM_DELADDR the kernel
// broadcasts (rtnetlink(7)): `ip link set eth0 down`, a cable pulled, an address added by
// hand or expired. One datagram may hold several messages; each is parsed by the pure codecs
// (net/netlink_link, net/netlink_address) and handed to the owner. Malformed ones are counted,
// never trusted.
//
// The socket is non-blocking and watched with stream_descriptor::async_wait; when it is
// readable, datagrams are received until EAGAIN (at most 64 per wake-up, so a storm of
// notifications cannot starve the rest of the loop; the next wait fires at once).
//
// Notifications are not flow-controlled: when the receive buffer is full the kernel drops
// them and the next recv() fails with ENOBUFS. Nothing tells which were lost, so the owner is
// told (on_overrun) to re-read links and addresses with a dump. A 1 MiB buffer (SO_RCVBUFFORCE
// when root, past net.core.rmem_max) makes that rare: a notification is under 2 KiB, so it
// holds several hundred even with the kernel's per-skb overhead.
//
// Lifetime: the completion of the wait may already be queued on the io_context when the
// monitor is destroyed, and a handler may destroy the monitor while it runs. Completions hold
// a weak reference to a token the monitor owns and stop when it has expired; the handlers
// themselves live in a shared block that the running completion keeps alive, so a
// std::function is never destroyed while it is executing.
#include "net/link_monitor.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include "net/socket_util.h"

namespace halo::net {
namespace {

constexpr int kReceiveBuffer = 1024 * 1024;
constexpr std::size_t kDatagramBuffer = std::size_t{64} * 1024;
constexpr int kMaxDatagramsPerWakeup = 64;

}  // namespace

struct LinkMonitor::Impl {
  struct Callbacks {
    Handlers handlers;
    std::function<void()> on_overrun;
  };

  explicit Impl(boost::asio::io_context& io) : descriptor(io) {}

  void arm();
  void on_readable();
  // Dispatches the messages of one datagram; false when the monitor died in a handler.
  static bool dispatch(LinkMonitor& owner, std::span<const std::uint8_t> datagram,
                       const Callbacks& callbacks, const std::weak_ptr<char>& alive);

  boost::asio::posix::stream_descriptor descriptor;
  LinkMonitor* owner = nullptr;
  // shared_ptr: the completion running a handler keeps the handlers alive even if the handler
  // destroys the monitor (and with it this Impl).
  std::shared_ptr<const Callbacks> callbacks;
  // shared_ptr: the only owner; completions hold weak_ptrs to learn that the monitor is gone.
  std::shared_ptr<char> alive = std::make_shared<char>();
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(kDatagramBuffer);
};

void LinkMonitor::Impl::arm() {
  descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                        [this, token = std::weak_ptr<char>(alive)](boost::system::error_code ec) {
                          if (token.expired() || ec) return;  // gone, or closed (cancelled)
                          on_readable();
                        });
}

void LinkMonitor::Impl::on_readable() {
  const std::shared_ptr<const Callbacks> keep = callbacks;
  const std::weak_ptr<char> token = alive;
  const int fd = descriptor.native_handle();
  for (int i = 0; i < kMaxDatagramsPerWakeup; ++i) {
    const auto received = receive_netlink(fd, buffer, MSG_DONTWAIT);
    const ssize_t n = received.size;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        ++owner->overruns_;
        if (keep->on_overrun) keep->on_overrun();
        if (token.expired()) return;
        continue;
      }
      break;  // EAGAIN: drained (anything else: try again on the next wake-up)
    }
    if (received.sender != 0) continue;  // only the kernel speaks on these groups
    if (received.truncated) {
      ++owner->malformed_;
      continue;
    }
    if (!dispatch(*owner, std::span(buffer.data(), static_cast<std::size_t>(n)), *keep, token))
      return;
  }
  arm();
}

bool LinkMonitor::Impl::dispatch(LinkMonitor& owner, std::span<const std::uint8_t> datagram,
                                 const Callbacks& cb, const std::weak_ptr<char>& token) {
  int len = static_cast<int>(datagram.size());
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(datagram.data());
  for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
    const std::span<const std::uint8_t> message(reinterpret_cast<const std::uint8_t*>(nlh),
                                                nlh->nlmsg_len);
    switch (nlh->nlmsg_type) {
      case RTM_NEWLINK:
      case RTM_DELLINK: {
        auto parsed = parse_link_message(message);
        if (!parsed) {
          ++owner.malformed_;
          break;
        }
        // AF_BRIDGE messages are about bridge ports, not about links coming and going.
        if (parsed->family != AF_UNSPEC || !cb.handlers.on_link) break;
        cb.handlers.on_link(parsed->link, parsed->event == LinkEvent::Removed);
        if (token.expired()) return false;
        break;
      }
      case RTM_NEWADDR:
      case RTM_DELADDR: {
        auto parsed = parse_address_message(message);
        if (!parsed) {
          ++owner.malformed_;
          break;
        }
        if (!cb.handlers.on_address) break;
        cb.handlers.on_address(*parsed);
        if (token.expired()) return false;
        break;
      }
      default:
        break;  // NLMSG_NOOP, or a group we did not ask for
    }
  }
  if (len != 0) ++owner.malformed_;  // bytes that do not make a message
  return true;
}

Result<std::unique_ptr<LinkMonitor>> LinkMonitor::open(boost::asio::io_context& io) {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) return fail("cannot open the link monitor socket: " + errno_text(errno));
  auto impl = std::make_unique<Impl>(io);
  boost::system::error_code ec;
  impl->descriptor.assign(fd, ec);  // owns fd from here on
  if (ec) {
    ::close(fd);
    return fail("cannot watch the link monitor socket: " + ec.message());
  }
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) < 0) {
    return fail("cannot bind the link monitor socket: " + errno_text(errno));
  }
  for (const int group : {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR}) {
    if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0) {
      return fail("cannot join rtnetlink group " + std::to_string(group) + ": " +
                  errno_text(errno));
    }
  }
  const int size = kReceiveBuffer;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) < 0) {
    return fail("cannot size the link monitor's receive buffer: " + errno_text(errno));
  }
  return std::unique_ptr<LinkMonitor>(new LinkMonitor(std::move(impl)));
}

LinkMonitor::LinkMonitor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->owner = this;
}

LinkMonitor::~LinkMonitor() = default;

void LinkMonitor::start(Handlers handlers, std::function<void()> on_overrun) {
  impl_->callbacks = std::make_shared<const Impl::Callbacks>(
      Impl::Callbacks{std::move(handlers), std::move(on_overrun)});
  impl_->arm();
}

int LinkMonitor::receive_buffer() const {
  int size = 0;
  socklen_t len = sizeof size;
  if (getsockopt(impl_->descriptor.native_handle(), SOL_SOCKET, SO_RCVBUF, &size, &len) < 0) {
    return -1;
  }
  return size;
}

}  // namespace halo::net
