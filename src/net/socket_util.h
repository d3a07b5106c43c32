// Small helpers the sockets of src/net share: setsockopt() of one value, and receiving one
// netlink datagram with its sender (errno_text comes with them, from common/).
#pragma once

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>

#include "common/errno_text.h"

namespace halo::net {

// setsockopt() of one value of any type (int, a struct); false with errno set when refused.
template <class T>
bool set_option(int fd, int level, int name, const T& value) {
  return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
}

// One datagram from a netlink socket: recvmsg()'s result (-1 with errno set), the sender's
// port id (0 is the kernel) and whether it was cut to fit `buffer` (MSG_TRUNC).
struct NetlinkDatagram {
  ssize_t size = -1;
  std::uint32_t sender = 0;
  bool truncated = false;
};

inline NetlinkDatagram receive_netlink(int fd, std::span<std::uint8_t> buffer, int flags) {
  sockaddr_nl from{};
  iovec iov{buffer.data(), buffer.size()};
  msghdr mh{};
  mh.msg_name = &from;
  mh.msg_namelen = sizeof from;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  const ssize_t n = ::recvmsg(fd, &mh, flags);
  return {.size = n, .sender = from.nl_pid, .truncated = (mh.msg_flags & MSG_TRUNC) != 0};
}

}  // namespace halo::net
