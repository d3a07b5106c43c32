// Component tests of the GARP / NA sender and the ARP listener against the real kernel.
//
// The topology is the VRRP socket tests' (vrrp_socket_test.cc): veth-a in the sandbox
// namespace, veth-b in a peer namespace held by a descriptor, so what leaves veth-a really
// crosses the veth and arrives on veth-b as another host would see it. veth-a has the MAC
// 02:00:00:00:00:0a and fe80::1 (nodad: a tentative address cannot be a source).
#include "net/announce_socket.h"

#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "net/ndisc.h"
#include "support/peer_netns.h"

namespace halo::net {
namespace {

using namespace std::chrono_literals;

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}
MacAddress mac(const char* text) {
  return *MacAddress::parse(text);
}

class AnnounceSocketTest : public halo::testing::PeerVethSandbox {
 protected:
  void SetUp() override {
    PeerVethSandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    add_peer_veth(
        "ip link set veth-a address 02:00:00:00:00:0a && "
        "ip addr add 192.0.2.1/24 dev veth-a && "
        "ip addr add fe80::1/64 dev veth-a nodad",
        "ip link set lo up && ip link set veth-b address 02:00:00:00:00:0b && "
        "ip link set veth-b up && ip addr add 192.0.2.2/24 dev veth-b && "
        "ip addr add fe80::2/64 dev veth-b nodad");
  }

  // A started listener on veth-b, in the peer, collecting into frames_.
  std::unique_ptr<ArpListener> listen_on_b() {
    auto listener = peer_.inside([&] { return ArpListener::open(io_, b_index_); });
    EXPECT_TRUE(listener) << listener.error().message;
    if (!listener) return nullptr;
    (*listener)->start([this](const ArpPacket& p) { frames_.push_back(p); });
    return std::move(*listener);
  }

  std::unique_ptr<AnnounceSocket> announcer() {
    auto socket = AnnounceSocket::open();
    EXPECT_TRUE(socket) << socket.error().message;
    return socket ? std::move(*socket) : nullptr;
  }

  // Sends `frame` as is out of veth-a (the test's own packet socket).
  void send_raw_frame(const std::vector<std::uint8_t>& frame) const {
    UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(fd);
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = static_cast<int>(a_index_);
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    ASSERT_EQ(::sendto(fd.get(), frame.data(), frame.size(), 0,
                       reinterpret_cast<const sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(frame.size()));
  }

  std::vector<ArpPacket> frames_;
};

TEST_F(AnnounceSocketTest, GratuitousArpIsSeenOnThePeer) {
  auto listener = listen_on_b();
  auto socket = announcer();
  ASSERT_TRUE(listener && socket);
  const auto vmac = MacAddress::vrrp_v4(7);
  const auto sent = socket->send_garp(a_index_, ip("192.0.2.100"), vmac);
  ASSERT_TRUE(sent) << sent.error().message;

  ASSERT_TRUE(run_until([&] { return !frames_.empty(); }));
  const auto& p = frames_.front();
  EXPECT_EQ(p.frame_destination, MacAddress::broadcast());
  EXPECT_EQ(p.frame_source, vmac);
  EXPECT_EQ(p.operation, ArpOperation::Request);
  EXPECT_EQ(p.sender_mac, vmac);
  EXPECT_EQ(p.sender_ip, ip("192.0.2.100"));
  EXPECT_EQ(p.target_ip, ip("192.0.2.100"));
  EXPECT_TRUE(p.is_announcement());
  EXPECT_EQ(listener->rejected().total(), 0U);
}

// PACKET_IGNORE_OUTGOING: a listener does not hear its own host's frames, only the others'.
TEST_F(AnnounceSocketTest, ListenerIgnoresOwnFrames) {
  auto opened = ArpListener::open(io_, a_index_);
  ASSERT_TRUE(opened) << opened.error().message;
  auto listener = std::move(*opened);
  listener->start([this](const ArpPacket& p) { frames_.push_back(p); });
  auto ours = announcer();
  auto theirs = peer_.inside([] { return AnnounceSocket::open(); });
  ASSERT_TRUE(ours && theirs);
  ASSERT_TRUE(ours->send_garp(a_index_, ip("192.0.2.100"), mac("02:00:00:00:00:0a")));
  ASSERT_TRUE((*theirs)->send_garp(b_index_, ip("192.0.2.200"), mac("02:00:00:00:00:0b")));
  ASSERT_TRUE(run_until([&] { return !frames_.empty(); }));
  io_.restart();
  io_.run_for(50ms);
  ASSERT_EQ(frames_.size(), 1U);
  EXPECT_EQ(frames_[0].sender_ip, ip("192.0.2.200"));
}

TEST_F(AnnounceSocketTest, MalformedFramesAreCountedByReason) {
  auto listener = listen_on_b();
  ASSERT_TRUE(listener);
  // A valid announcement with the hardware type changed to 7, and a truncated ARP frame.
  const auto garp = build_gratuitous_arp(ip("192.0.2.100"), mac("02:00:00:00:00:0a"));
  ASSERT_TRUE(garp);
  std::vector<std::uint8_t> bad_hardware(garp->begin(), garp->end());
  bad_hardware[kEthernetHeaderSize + 1] = 7;
  send_raw_frame(bad_hardware);
  send_raw_frame(std::vector<std::uint8_t>(garp->begin(), garp->begin() + 20));

  const auto& rejected = listener->rejected();
  ASSERT_TRUE(run_until([&] { return rejected.total() == 2; }));
  EXPECT_EQ(rejected.count(ArpReject::BadHardwareType), 1U);
  // veth does not pad to 60 bytes, so the short frame arrives short.
  EXPECT_EQ(rejected.count(ArpReject::TooShort), 1U);
  EXPECT_TRUE(frames_.empty());
}

// What a raw ICMPv6 socket on veth-b, in the peer, receives: the first NA for `target`.
struct ReceivedNa {
  std::vector<std::uint8_t> bytes;
  IpAddress source;
  int hop_limit = -1;
};

std::optional<ReceivedNa> receive_na(int fd, const IpAddress& target) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10) <= 0) continue;
    std::array<std::uint8_t, 1500> buffer{};
    sockaddr_in6 from{};
    iovec iov{buffer.data(), buffer.size()};
    alignas(cmsghdr) std::array<unsigned char, 256> control{};
    msghdr m{};
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control.data();
    m.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(fd, &m, 0);
    if (n < static_cast<ssize_t>(kUnsolicitedNaSize)) continue;
    if (!std::equal(target.bytes().begin(), target.bytes().end(), buffer.begin() + 8)) continue;
    ReceivedNa na;
    na.bytes.assign(buffer.begin(), buffer.begin() + n);
    std::array<std::uint8_t, 16> source{};
    std::memcpy(source.data(), &from.sin6_addr, 16);
    na.source = IpAddress::v6(source);
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
        std::memcpy(&na.hop_limit, CMSG_DATA(c), sizeof na.hop_limit);
      }
    }
    return na;
  }
  return std::nullopt;
}

TEST_F(AnnounceSocketTest, UnsolicitedNaReachesThePeerWithHopLimit255) {
  UniqueFd receiver = peer_.inside(
      [] { return UniqueFd(::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6)); });
  ASSERT_TRUE(receiver);
  const int on = 1;
  const int index = static_cast<int>(b_index_);
  icmp6_filter filter{};
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &filter);
  ASSERT_EQ(::setsockopt(receiver.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter), 0);
  ASSERT_EQ(::setsockopt(receiver.get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on), 0);
  ASSERT_EQ(::setsockopt(receiver.get(), SOL_SOCKET, SO_BINDTOIFINDEX, &index, sizeof index), 0);

  auto socket = announcer();
  ASSERT_TRUE(socket);
  const auto vip = ip("2001:db8::100");
  const auto vmac = MacAddress::vrrp_v6(7);
  const auto sent = socket->send_unsolicited_na(a_index_, vip, vmac, ip("fe80::1"), true);
  ASSERT_TRUE(sent) << sent.error().message;

  const auto na = receive_na(receiver.get(), vip);
  ASSERT_TRUE(na) << "no NA for " << vip.to_string() << " on veth-b";
  EXPECT_EQ(na->hop_limit, 255);
  EXPECT_EQ(na->source, ip("fe80::1"));
  // The kernel filled the checksum in: exactly the bytes of the self-checksummed builder.
  const auto expected = build_unsolicited_na_with_checksum({vip, vmac, true}, ip("fe80::1"));
  ASSERT_TRUE(expected);
  EXPECT_EQ(na->bytes, std::vector<std::uint8_t>(expected->begin(), expected->end()));
}

// One line of /proc/net/raw6 (this namespace's raw IPv6 sockets).
struct RawSocketLine {
  unsigned protocol = 0;  // the "port" of local_address
  unsigned long rx_queue = 0;
  unsigned long inode = 0;
};

std::vector<RawSocketLine> raw6_sockets() {
  std::vector<RawSocketLine> lines;
  std::ifstream file("/proc/thread-self/net/raw6");
  std::string line;
  std::getline(file, line);  // the heading
  while (std::getline(file, line)) {
    std::istringstream in(line);
    std::string sl, local, remote, state, queues, timer, retransmits, uid, timeout;
    RawSocketLine r;
    in >> sl >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >>
        r.inode;
    r.protocol = static_cast<unsigned>(std::stoul(local.substr(local.find(':') + 1), nullptr, 16));
    r.rx_queue = std::stoul(queues.substr(queues.find(':') + 1), nullptr, 16);
    lines.push_back(r);
  }
  return lines;
}

// The send-only ICMPv6 socket blocks every type (ICMP6_FILTER), so ICMPv6 that reaches the
// host is not queued on it. The control: an unfiltered raw ICMPv6 socket beside it gets the
// same NA, and its queue is not empty.
TEST_F(AnnounceSocketTest, SendOnlySocketQueuesNothing) {
  auto socket = announcer();
  ASSERT_TRUE(socket);
  UniqueFd control(::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6));
  ASSERT_TRUE(control);
  struct stat control_stat {};
  ASSERT_EQ(::fstat(control.get(), &control_stat), 0);

  auto peer = peer_.inside([] { return AnnounceSocket::open(); });
  ASSERT_TRUE(peer) << peer.error().message;
  const auto vip = ip("2001:db8::200");
  const auto sent =
      (*peer)->send_unsolicited_na(b_index_, vip, mac("02:00:00:00:00:0b"), ip("fe80::2"), true);
  ASSERT_TRUE(sent) << sent.error().message;
  pollfd p{control.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1) << "the NA did not arrive on veth-a";

  int filtered = 0;
  for (const auto& line : raw6_sockets()) {
    if (line.protocol != IPPROTO_ICMPV6) continue;
    if (line.inode == control_stat.st_ino) {
      EXPECT_GT(line.rx_queue, 0U);
    } else {
      ++filtered;
      EXPECT_EQ(line.rx_queue, 0U);
    }
  }
  EXPECT_EQ(filtered, 1);
}

TEST_F(AnnounceSocketTest, ErrorsNameTheCause) {
  auto socket = announcer();
  ASSERT_TRUE(socket);
  auto v6_garp = socket->send_garp(a_index_, ip("2001:db8::100"), mac("02:00:00:00:00:0a"));
  ASSERT_FALSE(v6_garp);
  EXPECT_NE(v6_garp.error().message.find("cannot build a gratuitous ARP for 2001:db8::100"),
            std::string::npos)
      << v6_garp.error().message;

  auto v4_source = socket->send_unsolicited_na(a_index_, ip("2001:db8::100"),
                                               mac("02:00:00:00:00:0a"), ip("192.0.2.1"), true);
  ASSERT_FALSE(v4_source);
  EXPECT_EQ(v4_source.error().message,
            "cannot send an unsolicited neighbour advertisement for 2001:db8::100 on veth-a: "
            "source 192.0.2.1 is not IPv6");

  // Not an address of veth-a: the kernel refuses it.
  auto foreign = socket->send_unsolicited_na(a_index_, ip("2001:db8::100"),
                                             mac("02:00:00:00:00:0a"), ip("fe80::99"), true);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().message,
            "cannot send an unsolicited neighbour advertisement for 2001:db8::100 on veth-a "
            "from fe80::99: Invalid argument");

  auto missing = ArpListener::open(io_, 9999);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "cannot listen to ARP on ifindex 9999: No such device");
}

// The wait is pending when the listener dies; a frame that arrives afterwards wakes nothing.
TEST_F(AnnounceSocketTest, ListenerDestroyedWithAPendingReceive) {
  auto listener = listen_on_b();
  auto socket = announcer();
  ASSERT_TRUE(listener && socket);
  io_.poll();
  ASSERT_TRUE(socket->send_garp(a_index_, ip("192.0.2.100"), mac("02:00:00:00:00:0a")));
  listener.reset();
  ASSERT_TRUE(socket->send_garp(a_index_, ip("192.0.2.101"), mac("02:00:00:00:00:0a")));
  io_.restart();
  io_.run_for(50ms);
  EXPECT_TRUE(frames_.empty());
}

}  // namespace
}  // namespace halo::net
