// Gratuitous ARP and unsolicited NA out, ARP in: the sockets around net/arp and net/ndisc.
//
// Gratuitous ARP (RFC 5798 §6.4.1, RFC 5227 §3). The frame from build_gratuitous_arp() is
// complete, Ethernet header included, so it goes out as is on an AF_PACKET/SOCK_RAW socket
// addressed with sockaddr_ll{interface index, EtherType 0x0806, broadcast}. That socket is
// opened with protocol 0: a packet socket with protocol 0 is never attached to the receive
// path, so it queues nothing however much traffic the host sees. One socket serves every
// interface: the index is per send.
//
// Unsolicited NA (RFC 5798 §6.4.1, RFC 4861 §7.2.6). The message from build_unsolicited_na()
// goes on a raw IPPROTO_ICMPV6 socket, where the kernel writes the IPv6 header and the ICMPv6
// checksum (RFC 3542 §3.1). Receivers drop an NA whose hop limit is not 255 (RFC 4861
// §7.1.2): IPV6_MULTICAST_HOPS and IPV6_UNICAST_HOPS are 255. The interface and the
// link-local source ride on each send in an IPV6_PKTINFO control message (ipi6_ifindex,
// ipi6_addr); the destination ff02::1 carries the interface as its scope too. The socket
// would otherwise receive a copy of every ICMPv6 message the host gets, queued until the
// buffer fills: ICMP6_FILTER blocks every type, so nothing is queued. Our own NA is not
// looped back (IPV6_MULTICAST_LOOP 0): this host knows where its addresses are. A host
// booted with IPv6 off (ipv6.disable=1) has no AF_INET6 sockets: then open() still succeeds
// and send_unsolicited_na() says why it cannot.
//
// ARP listener (design §2 L6). An AF_PACKET/SOCK_RAW socket bound to (ETH_P_ARP, ifindex).
// It is created with protocol 0 and given its protocol by bind(), so it never sees a frame
// of another interface or type in the window between socket() and bind(). Our own frames
// are not input: PACKET_IGNORE_OUTGOING (Linux 4.20) drops them in the kernel, and the
// packet type in the sender address (PACKET_OUTGOING) drops them here on older kernels.
// Frames are untrusted: parse_arp() validates them and every refusal is counted by reason.
// The read loop and its lifetime rules are those of the VRRP socket (net/read_loop.h): the
// reading state is shared with the pending completion and marked closed by the destructor.
#include "net/announce_socket.h"

#include <fmt/format.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "net/ndisc.h"
#include "net/read_loop.h"
#include "net/socket_util.h"

namespace halo::net {
namespace {

constexpr int kHopLimit = kNdiscHopLimit;  // RFC 4861 §7.1.2
// An Ethernet frame without FCS, VLAN tag included; ARP frames are 42 to 60 bytes.
constexpr std::size_t kFrameBufferSize = 1518;

// "eth0", or "ifindex 7" when the interface has gone (error messages only).
std::string interface_name(std::uint32_t ifindex) {
  std::array<char, IF_NAMESIZE> name{};
  if (::if_indextoname(ifindex, name.data()) != nullptr) return name.data();
  return fmt::format("ifindex {}", ifindex);
}

// The reading half of an ArpListener, shared with its pending completion.
class ArpReceiver : public ReadLoop {
 public:
  ArpReceiver(boost::asio::io_context& io, ArpRejectCounters* rejected, std::uint64_t* errors)
      : ReadLoop(io, errors), rejected_(rejected) {}

  void start(ArpListener::Handler handler) {
    handler_ = std::move(handler);
    wait();
  }

 private:
  int receive_one() override {
    sockaddr_ll from{};
    socklen_t from_size = sizeof from;
    ssize_t size = 0;
    do {
      size = ::recvfrom(fd(), buffer_.data(), buffer_.size(), 0, reinterpret_cast<sockaddr*>(&from),
                        &from_size);
    } while (size < 0 && errno == EINTR);
    if (size < 0) return errno == EWOULDBLOCK ? EAGAIN : errno;
    if (from.sll_pkttype == PACKET_OUTGOING) return 0;  // ours, on a kernel before 4.20
    const auto parsed =
        parse_arp(std::span<const std::uint8_t>(buffer_.data(), static_cast<std::size_t>(size)));
    if (!parsed) {
      rejected_->add(parsed.error());
      return 0;
    }
    handler_(*parsed);
    return 0;
  }

  ArpRejectCounters* rejected_;  // the owning ArpListener's counters; touched only while open
  ArpListener::Handler handler_;
  std::array<std::uint8_t, kFrameBufferSize> buffer_{};
};

// The reading half of an NaListener, shared with its pending completion.
class NaReceiver : public ReadLoop {
 public:
  NaReceiver(boost::asio::io_context& io, std::uint64_t* malformed, std::uint64_t* errors)
      : ReadLoop(io, errors), malformed_(malformed) {}

  void start(NaListener::Handler handler) {
    handler_ = std::move(handler);
    wait();
  }

 private:
  int receive_one() override {
    ssize_t size = 0;
    do {
      size = ::recv(fd(), buffer_.data(), buffer_.size(), 0);
    } while (size < 0 && errno == EINTR);
    if (size < 0) return errno == EWOULDBLOCK ? EAGAIN : errno;
    const auto na = parse_neighbor_advert(
        std::span<const std::uint8_t>(buffer_.data(), static_cast<std::size_t>(size)));
    if (!na) {
      ++*malformed_;
      return 0;
    }
    handler_(*na);
    return 0;
  }

  std::uint64_t* malformed_;  // the owning NaListener's counter; touched only while open
  NaListener::Handler handler_;
  std::array<std::uint8_t, kFrameBufferSize> buffer_{};
};

}  // namespace

// --- AnnounceSocket ------------------------------------------------------------------------

Result<std::unique_ptr<AnnounceSocket>> AnnounceSocket::open() {
  UniqueFd arp(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!arp) {
    return fail(
        fmt::format("cannot open a packet socket for gratuitous ARP: {}", errno_text(errno)));
  }
  UniqueFd icmpv6(::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6));
  if (!icmpv6) {
    if (errno == EAFNOSUPPORT)
      return std::unique_ptr<AnnounceSocket>(new AnnounceSocket(std::move(arp), UniqueFd()));
    return fail(fmt::format("cannot open a raw ICMPv6 socket for neighbour advertisements: {}",
                            errno_text(errno)));
  }
  const auto option_failed = [](const char* what) {
    return fail(fmt::format("cannot set {} on the ICMPv6 socket for neighbour advertisements: {}",
                            what, errno_text(errno)));
  };
  icmp6_filter filter{};
  ICMP6_FILTER_SETBLOCKALL(&filter);
  if (!set_option(icmpv6.get(), IPPROTO_ICMPV6, ICMP6_FILTER, filter)) {
    return option_failed("ICMP6_FILTER");
  }
  if (!set_option(icmpv6.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kHopLimit)) {
    return option_failed("IPV6_MULTICAST_HOPS");
  }
  if (!set_option(icmpv6.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, kHopLimit)) {
    return option_failed("IPV6_UNICAST_HOPS");
  }
  if (!set_option(icmpv6.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0)) {
    return option_failed("IPV6_MULTICAST_LOOP");
  }
  return std::unique_ptr<AnnounceSocket>(new AnnounceSocket(std::move(arp), std::move(icmpv6)));
}

AnnounceSocket::AnnounceSocket(UniqueFd arp_fd, UniqueFd icmpv6_fd)
    : arp_fd_(std::move(arp_fd)), icmpv6_fd_(std::move(icmpv6_fd)) {}

AnnounceSocket::~AnnounceSocket() = default;

Result<void> AnnounceSocket::send_garp(std::uint32_t ifindex, const IpAddress& vip,
                                       const MacAddress& mac) {
  const auto frame = build_gratuitous_arp(vip, mac);
  if (!frame) {
    return fail(fmt::format("cannot build a gratuitous ARP for {} at {}: {}", vip.to_string(),
                            mac.to_string(), frame.error().message));
  }
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = static_cast<int>(ifindex);
  to.sll_halen = 6;
  const auto broadcast = MacAddress::broadcast().bytes();
  std::memcpy(to.sll_addr, broadcast.data(), broadcast.size());
  ssize_t sent = 0;
  do {
    sent = ::sendto(arp_fd_.get(), frame->data(), frame->size(), 0,
                    reinterpret_cast<const sockaddr*>(&to), sizeof to);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    return fail(fmt::format("cannot send a gratuitous ARP for {} on {}: {}", vip.to_string(),
                            interface_name(ifindex), errno_text(errno)));
  }
  return {};
}

Result<void> AnnounceSocket::send_unsolicited_na(std::uint32_t ifindex, const IpAddress& vip,
                                                 const MacAddress& mac, const IpAddress& source,
                                                 bool router) {
  const auto describe = [&] {
    return fmt::format("an unsolicited neighbour advertisement for {} on {}", vip.to_string(),
                       interface_name(ifindex));
  };
  if (!icmpv6_fd_) return fail(fmt::format("cannot send {}: IPv6 is off on this host", describe()));
  if (!source.is_v6()) {
    return fail(
        fmt::format("cannot send {}: source {} is not IPv6", describe(), source.to_string()));
  }
  const auto message = build_unsolicited_na(UnsolicitedNa{vip, mac, router});
  if (!message)
    return fail(fmt::format("cannot build {}: {}", describe(), message.error().message));

  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  std::memcpy(&to.sin6_addr, all_nodes_multicast().bytes().data(), 16);
  to.sin6_scope_id = ifindex;

  iovec iov{const_cast<std::uint8_t*>(message->data()), message->size()};
  alignas(cmsghdr) std::array<unsigned char, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
  msghdr header{};
  header.msg_name = &to;
  header.msg_namelen = sizeof to;
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  header.msg_control = control.data();
  header.msg_controllen = control.size();
  cmsghdr* c = CMSG_FIRSTHDR(&header);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
  in6_pktinfo info{};
  std::memcpy(&info.ipi6_addr, source.bytes().data(), 16);
  info.ipi6_ifindex = ifindex;
  std::memcpy(CMSG_DATA(c), &info, sizeof info);

  ssize_t sent = 0;
  do {
    sent = ::sendmsg(icmpv6_fd_.get(), &header, MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    return fail(fmt::format("cannot send {} from {}: {}", describe(), source.to_string(),
                            errno_text(errno)));
  }
  return {};
}

// --- ArpListener ---------------------------------------------------------------------------

struct ArpListener::Impl {
  std::shared_ptr<ArpReceiver> receiver;
};

Result<std::unique_ptr<ArpListener>> ArpListener::open(boost::asio::io_context& io,
                                                       std::uint32_t ifindex) {
  const auto where = interface_name(ifindex);
  UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    return fail(fmt::format("cannot open a packet socket to listen to ARP on {}: {}", where,
                            errno_text(errno)));
  }
  // Before bind(): from bind() on, frames are queued.
  if (!set_option(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, 1) && errno != ENOPROTOOPT) {
    return fail(fmt::format("cannot set PACKET_IGNORE_OUTGOING on the ARP socket for {}: {}", where,
                            errno_text(errno)));
  }
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ARP);
  address.sll_ifindex = static_cast<int>(ifindex);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return fail(fmt::format("cannot listen to ARP on {}: {}", where, errno_text(errno)));
  }

  auto listener = std::unique_ptr<ArpListener>(new ArpListener(std::make_unique<Impl>()));
  listener->impl_->receiver =
      std::make_shared<ArpReceiver>(io, &listener->rejected_, &listener->receive_errors_);
  if (const auto ec = listener->impl_->receiver->assign(fd.get()); ec) {
    return fail(fmt::format("cannot watch the ARP socket for {}: {}", where, ec.message()));
  }
  static_cast<void>(fd.release());  // the stream_descriptor owns it now
  return listener;
}

ArpListener::ArpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ArpListener::~ArpListener() {
  if (impl_->receiver) impl_->receiver->close();
}

void ArpListener::start(Handler handler) {
  impl_->receiver->start(std::move(handler));
}

// NA listener (design §2 L6). A raw ICMPv6 socket bound to the interface whose ICMP6_FILTER
// passes Neighbor Advertisements only, so the kernel drops everything else before it is queued.
// Advertisements to ff02::1 arrive without joining anything: every IPv6 node is a member.
struct NaListener::Impl {
  std::shared_ptr<NaReceiver> receiver;
};

NaListener::NaListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NaListener::~NaListener() {
  if (impl_->receiver) impl_->receiver->close();
}

Result<std::unique_ptr<NaListener>> NaListener::open(boost::asio::io_context& io,
                                                     std::uint32_t ifindex) {
  const auto where = interface_name(ifindex);
  UniqueFd fd(::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6));
  if (!fd) {
    return fail(
        fmt::format("cannot open an ICMPv6 socket to listen to neighbour "
                    "advertisements on {}: {}",
                    where, errno_text(errno)));
  }
  icmp6_filter filter{};
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &filter);
  if (!set_option(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, filter) ||
      !set_option(fd.get(), SOL_SOCKET, SO_BINDTOIFINDEX, static_cast<int>(ifindex))) {
    return fail(fmt::format("cannot set up the neighbour advertisement socket for {}: {}", where,
                            errno_text(errno)));
  }
  auto listener = std::unique_ptr<NaListener>(new NaListener(std::make_unique<Impl>()));
  listener->impl_->receiver =
      std::make_shared<NaReceiver>(io, &listener->malformed_, &listener->receive_errors_);
  if (const auto ec = listener->impl_->receiver->assign(fd.get()); ec) {
    return fail(fmt::format("cannot watch the neighbour advertisement socket for {}: {}", where,
                            ec.message()));
  }
  static_cast<void>(fd.release());  // the stream_descriptor owns it now
  return listener;
}

void NaListener::start(Handler handler) {
  impl_->receiver->start(std::move(handler));
}

}  // namespace halo::net
