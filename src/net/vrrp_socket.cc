// Raw IPPROTO_VRRP sockets: how adverts leave and arrive, and why each option is set.
//
// Sending. The kernel writes the IP header (no IP_HDRINCL): we hand it the VRRP message and say,
// per send, where from and with which TTL. The source goes in an IP_PKTINFO / IPV6_PKTINFO control
// message (ipi_spec_dst / ipi6_addr), so one socket serves instances with different sources
// (unicast_src_ip, the primary address, a link-local one), and the kernel refuses a source that is
// not an address of this host, as it should (IPv4: ENETUNREACH from the route lookup; IPv6:
// EINVAL). The TTL / hop limit goes in an IP_TTL / IPV6_HOPLIMIT control message: both work on raw
// sockets (Linux's ip_cmsg_send and ip6_datagram_send_ctl), and a receiver drops anything but 255
// (RFC 5798 §5.1.1.3, §5.1.2.3; RFC 3768 §5.2.3). The socket defaults are 255 too, so a message
// without the control message is still right. Multicast leaves through the bound interface
// (IP_MULTICAST_IF / IPV6_MULTICAST_IF) and is not looped back (IP_MULTICAST_LOOP /
// IPV6_MULTICAST_LOOP 0): our own adverts are not input.
//
// Receiving. A raw IPv4 socket gets the whole datagram, IP header included: the codec reads TTL,
// addresses and protocol from it (vrrp::parse_ipv4). A raw IPv6 socket gets only what follows the
// IPv6 header, so the source comes from recvmsg's name, the destination and arrival interface from
// IPV6_PKTINFO and the hop limit from IPV6_HOPLIMIT (IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT; RFC 3542
// §6). IPv4 asks for IP_PKTINFO too, for the arrival interface. IPV6_CHECKSUM stays off: with it
// the kernel would drop a bad checksum silently, and a peer with a bad checksum (or keepalived's
// v3_checksum_as_v2) must be seen and counted by the codec.
//
// Multicast. The kernel accepts a datagram for 224.0.0.18 / ff02::12 on an interface only when
// someone joined the group there (ip_check_mc_rcu, ipv6_chk_mcast_addr); the joins below (ip_mreqn
// / ipv6_mreq with the interface index, never an address that may change) do it, and the membership
// lives and dies with the socket. A raw socket would then see every datagram of protocol 112 for
// any group any socket of the host joined (IP_MULTICAST_ALL and IPV6_MULTICAST_ALL are on by
// default): we turn both off (keepalived turns off the IPv4 one; the IPv6 one is Linux 4.20), so a
// socket hears the groups it joined and nothing else (a unicast-only socket, no multicast at all),
// and SO_BINDTOIFINDEX narrows it to the socket's interface.
//
// The event loop is net/read_loop's (shared with the ARP listener): the descriptor is
// non-blocking and wrapped in an Asio stream_descriptor, async_wait(read), then recvmsg until
// EAGAIN, a burst at a time. The reading state is shared between the socket and its pending
// completion (a shared_ptr, for this reason only): the destructor marks it closed and closes the
// descriptor, so the aborted completion that Asio still delivers finds a live object that tells
// it to stop, and a handler that destroys the socket while it runs (a reload) does not pull the
// buffer or itself from under its own feet.
#include "net/vrrp_socket.h"

#include <fmt/format.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/unique_fd.h"
#include "net/read_loop.h"
#include "net/socket_util.h"

namespace halo::net {
namespace {

constexpr int kIpProtocolVrrp = 112;  // RFC 5798 §5.1.1.4 (no IPPROTO_VRRP in the libc)
constexpr int kDefaultTtl = 255;      // RFC 5798 §5.1.1.3, §5.1.2.3
// An IPv4 datagram's largest total length: nothing a raw socket delivers is longer, so
// nothing is truncated (VRRP itself is at most 1,096 bytes over IPv4, 4,088 over IPv6).
constexpr std::size_t kReceiveBufferSize = 65535;

std::string describe_interface(const VrrpSocketOptions& options) {
  if (!options.interface_name.empty()) return options.interface_name;
  if (options.ifindex != 0) return fmt::format("ifindex {}", options.ifindex);
  return "any interface";
}

const char* family_name(Family family) {
  return family == Family::V4 ? "IPv4" : "IPv6";
}

template <class T>
Result<void> set_option(int fd, int level, int name, const T& value, std::string_view what,
                        const VrrpSocketOptions& options) {
  if (net::set_option(fd, level, name, value)) return {};
  return fail(fmt::format("cannot set {} on the {} VRRP socket for {}: {}", what,
                          family_name(options.family), describe_interface(options),
                          errno_text(errno)));
}

in_addr to_in_addr(const IpAddress& address) {
  in_addr out{};
  std::memcpy(&out, address.bytes().data(), 4);
  return out;
}

in6_addr to_in6_addr(const IpAddress& address) {
  in6_addr out{};
  std::memcpy(&out, address.bytes().data(), 16);
  return out;
}

IpAddress from_in_addr(const in_addr& address) {
  std::array<std::uint8_t, 4> bytes{};
  std::memcpy(bytes.data(), &address, 4);
  return IpAddress::v4(bytes);
}

IpAddress from_in6_addr(const in6_addr& address) {
  std::array<std::uint8_t, 16> bytes{};
  std::memcpy(bytes.data(), &address, 16);
  return IpAddress::v6(bytes);
}

// Binds to the interface by index (SO_BINDTOIFINDEX, Linux 5.0), by name before that.
// SO_BINDTOIFINDEX takes any index, even one no interface has (Linux 6.x does not look), so
// the index is checked first: a vanished interface is a clear error, not a deaf socket.
Result<void> bind_to_interface(int fd, const VrrpSocketOptions& options) {
  std::array<char, IF_NAMESIZE> name{};
  int error = 0;
  if (::if_indextoname(options.ifindex, name.data()) == nullptr) {
    error = errno == ENXIO ? ENODEV : errno;
  } else {
    const int index = static_cast<int>(options.ifindex);
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &index, sizeof index) == 0) return {};
    error = errno;
  }
  if (error == ENOPROTOOPT) {  // before Linux 5.0: by the name the index has now
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name.data(),
                     static_cast<socklen_t>(std::strlen(name.data()))) == 0) {
      return {};
    }
    error = errno;
  }
  return fail(fmt::format("cannot bind the {} VRRP socket to {}: {}", family_name(options.family),
                          describe_interface(options), errno_text(error)));
}

Result<void> configure_v4(int fd, const VrrpSocketOptions& options) {
  const int on = 1, off = 0, ttl = kDefaultTtl;
  if (auto r = set_option(fd, IPPROTO_IP, IP_PKTINFO, on, "IP_PKTINFO", options); !r) return r;
  if (auto r = set_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, off, "IP_MULTICAST_LOOP", options);
      !r) {
    return r;
  }
  if (auto r = set_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL", options); !r) {
    return r;
  }
  if (auto r = set_option(fd, IPPROTO_IP, IP_TTL, ttl, "IP_TTL", options); !r) return r;
  if (auto r = set_option(fd, IPPROTO_IP, IP_MULTICAST_ALL, off, "IP_MULTICAST_ALL", options); !r) {
    return r;
  }
  if (options.ifindex != 0) {
    ip_mreqn request{};
    request.imr_ifindex = static_cast<int>(options.ifindex);
    if (auto r = set_option(fd, IPPROTO_IP, IP_MULTICAST_IF, request, "IP_MULTICAST_IF", options);
        !r) {
      return r;
    }
  }
  for (const auto& group : options.groups) {
    if (!group.is_v4() || !group.is_multicast()) {
      return fail(fmt::format("cannot join {} on {}: not an IPv4 multicast group",
                              group.to_string(), describe_interface(options)));
    }
    ip_mreqn request{};
    request.imr_multiaddr = to_in_addr(group);
    request.imr_ifindex = static_cast<int>(options.ifindex);
    if (::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request) != 0) {
      return fail(fmt::format("cannot join {} on {}: {}", group.to_string(),
                              describe_interface(options), errno_text(errno)));
    }
  }
  return {};
}

Result<void> configure_v6(int fd, const VrrpSocketOptions& options) {
  const int on = 1, off = 0, hops = kDefaultTtl;
  if (auto r = set_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, on, "IPV6_RECVPKTINFO", options);
      !r) {
    return r;
  }
  if (auto r = set_option(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on, "IPV6_RECVHOPLIMIT", options);
      !r) {
    return r;
  }
  if (auto r =
          set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, off, "IPV6_MULTICAST_LOOP", options);
      !r) {
    return r;
  }
  if (auto r =
          set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hops, "IPV6_MULTICAST_HOPS", options);
      !r) {
    return r;
  }
  if (auto r = set_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, hops, "IPV6_UNICAST_HOPS", options);
      !r) {
    return r;
  }
  if (auto r = set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, off, "IPV6_MULTICAST_ALL", options);
      !r) {
    return r;
  }
  if (options.ifindex != 0) {
    const int index = static_cast<int>(options.ifindex);
    if (auto r =
            set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, index, "IPV6_MULTICAST_IF", options);
        !r) {
      return r;
    }
  }
  for (const auto& group : options.groups) {
    if (!group.is_v6() || !group.is_multicast()) {
      return fail(fmt::format("cannot join {} on {}: not an IPv6 multicast group",
                              group.to_string(), describe_interface(options)));
    }
    ipv6_mreq request{};
    request.ipv6mr_multiaddr = to_in6_addr(group);
    request.ipv6mr_interface = options.ifindex;
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &request, sizeof request) != 0) {
      return fail(fmt::format("cannot join {} on {}: {}", group.to_string(),
                              describe_interface(options), errno_text(errno)));
    }
  }
  return {};
}

// Room for the control messages either family receives or sends: a pktinfo and an int.
constexpr std::size_t kControlSize =
    CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo)) + CMSG_SPACE(sizeof(int));

// The reading half, shared between the socket and its pending completion (see the top).
class Receiver : public ReadLoop {
 public:
  Receiver(boost::asio::io_context& io, Family family, std::uint64_t* errors)
      : ReadLoop(io, errors), family_(family) {}

  void start(VrrpSocket::Handler handler) {
    handler_ = std::move(handler);
    buffer_.resize(kReceiveBufferSize);
    wait();
  }

 private:
  int receive_one() override {
    sockaddr_storage from{};
    iovec iov{buffer_.data(), buffer_.size()};
    alignas(cmsghdr) std::array<unsigned char, kControlSize> control{};
    msghdr message{};
    message.msg_name = &from;
    message.msg_namelen = sizeof from;
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    ssize_t size = 0;
    do {
      size = ::recvmsg(fd(), &message, 0);
    } while (size < 0 && errno == EINTR);
    if (size < 0) return errno == EWOULDBLOCK ? EAGAIN : errno;
    if ((message.msg_flags & MSG_TRUNC) != 0) return EMSGSIZE;

    VrrpDatagram datagram;
    datagram.bytes = std::span<const std::uint8_t>(buffer_.data(), static_cast<std::size_t>(size));
    if (family_ == Family::V4) {
      if (from.ss_family == AF_INET) {
        datagram.source = from_in_addr(reinterpret_cast<const sockaddr_in&>(from).sin_addr);
      }
      datagram.destination = IpAddress::v4({0, 0, 0, 0});
    } else {
      if (from.ss_family == AF_INET6) {
        datagram.source = from_in6_addr(reinterpret_cast<const sockaddr_in6&>(from).sin6_addr);
      }
      datagram.destination = IpAddress::v6({});
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        datagram.destination = from_in_addr(info.ipi_addr);
        datagram.ifindex = static_cast<std::uint32_t>(info.ipi_ifindex);
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        datagram.destination = from_in6_addr(info.ipi6_addr);
        datagram.ifindex = info.ipi6_ifindex;
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
        std::memcpy(&datagram.hop_limit, CMSG_DATA(c), sizeof datagram.hop_limit);
      }
    }
    handler_(datagram);
    return 0;
  }

  Family family_;
  VrrpSocket::Handler handler_;
  std::vector<std::uint8_t> buffer_;
};

}  // namespace

struct VrrpSocket::Impl {
  std::shared_ptr<Receiver> receiver;
};

Result<std::unique_ptr<VrrpSocket>> VrrpSocket::open(boost::asio::io_context& io,
                                                     VrrpSocketOptions options) {
  const bool v4 = options.family == Family::V4;
  UniqueFd fd(
      ::socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpProtocolVrrp));
  if (!fd) {
    return fail(fmt::format("cannot open a raw {} VRRP socket for {}: {}",
                            family_name(options.family), describe_interface(options),
                            errno_text(errno)));
  }
  if (options.receive_buffer > 0) {
    if (auto r = set_option(fd.get(), SOL_SOCKET, SO_RCVBUF, options.receive_buffer, "SO_RCVBUF",
                            options);
        !r) {
      return tl::unexpected(r.error());
    }
  }
  if (options.ifindex != 0) {
    if (auto r = bind_to_interface(fd.get(), options); !r) return tl::unexpected(r.error());
  }
  if (auto r = v4 ? configure_v4(fd.get(), options) : configure_v6(fd.get(), options); !r) {
    return tl::unexpected(r.error());
  }

  auto impl = std::make_unique<Impl>();
  auto socket = std::unique_ptr<VrrpSocket>(new VrrpSocket(std::move(impl), std::move(options)));
  socket->impl_->receiver =
      std::make_shared<Receiver>(io, socket->options_.family, &socket->receive_errors_);
  if (const auto ec = socket->impl_->receiver->assign(fd.get()); ec) {
    return fail(fmt::format("cannot watch the {} VRRP socket for {}: {}",
                            family_name(socket->options_.family),
                            describe_interface(socket->options_), ec.message()));
  }
  static_cast<void>(fd.release());  // the stream_descriptor owns it now
  return socket;
}

VrrpSocket::VrrpSocket(std::unique_ptr<Impl> impl, VrrpSocketOptions options)
    : impl_(std::move(impl)), options_(std::move(options)) {}

VrrpSocket::~VrrpSocket() {
  if (impl_->receiver) impl_->receiver->close();
}

void VrrpSocket::start(Handler handler) {
  impl_->receiver->start(std::move(handler));
}

Result<void> VrrpSocket::send(std::span<const std::uint8_t> message, const IpAddress& source,
                              const IpAddress& destination, std::uint8_t ttl) {
  const auto describe = [&] {
    return fmt::format("a VRRP message from {} to {} on {}", source.to_string(),
                       destination.to_string(), describe_interface(options_));
  };
  if (source.family() != options_.family || destination.family() != options_.family) {
    return fail(
        fmt::format("cannot send {}: not {} addresses", describe(), family_name(options_.family)));
  }

  iovec iov{const_cast<std::uint8_t*>(message.data()), message.size()};
  alignas(cmsghdr) std::array<unsigned char, kControlSize> control{};
  msghdr header{};
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  header.msg_control = control.data();
  const int hops = ttl;

  sockaddr_in to4{};
  sockaddr_in6 to6{};
  if (options_.family == Family::V4) {
    to4.sin_family = AF_INET;
    to4.sin_addr = to_in_addr(destination);
    header.msg_name = &to4;
    header.msg_namelen = sizeof to4;
    header.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo)) + CMSG_SPACE(sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&header);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_ifindex = static_cast<int>(options_.ifindex);
    info.ipi_spec_dst = to_in_addr(source);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    c = CMSG_NXTHDR(&header, c);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_TTL;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &hops, sizeof hops);
  } else {
    to6.sin6_family = AF_INET6;
    to6.sin6_addr = to_in6_addr(destination);
    to6.sin6_scope_id = options_.ifindex;  // read only for link-scoped destinations
    header.msg_name = &to6;
    header.msg_namelen = sizeof to6;
    header.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&header);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    in6_pktinfo info{};
    info.ipi6_addr = to_in6_addr(source);
    info.ipi6_ifindex = options_.ifindex;
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    c = CMSG_NXTHDR(&header, c);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_HOPLIMIT;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &hops, sizeof hops);
  }

  ssize_t sent = 0;
  do {
    sent = ::sendmsg(impl_->receiver->fd(), &header, MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return fail(fmt::format("cannot send {}: {}", describe(), errno_text(errno)));
  if (static_cast<std::size_t>(sent) != message.size()) {
    return fail(
        fmt::format("cannot send {}: only {} of {} bytes sent", describe(), sent, message.size()));
  }
  return {};
}

}  // namespace halo::net
