// Component tests of the raw VRRP sockets against the real kernel.
//
// Two hosts joined by a veth pair: veth-a stays in the sandbox namespace (NetnsSandbox),
// veth-b moves to a peer namespace (support/peer_netns.h says why one is needed and how it is
// made and entered).
//
// Addresses: veth-a = 192.0.2.1/24, fe80::1/64, 2001:db8::1/64; veth-b = 192.0.2.2/24,
// fe80::2/64, 2001:db8::2/64; IPv6 ones with `nodad`, as the kernel refuses a tentative
// source. (Not plain "a" and "b": `ip link add a ...` reads "a" as "address".)
#include "net/vrrp_socket.h"

#include <gtest/gtest.h>
#include <net/if.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "support/peer_netns.h"
#include "vrrp/packet.h"

namespace halo::net {
namespace {

using namespace std::chrono_literals;

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

struct Received {
  std::vector<std::uint8_t> bytes;
  IpAddress source;
  IpAddress destination;
  int hop_limit = 0;
  std::uint32_t ifindex = 0;
};

class VrrpSocketTest : public halo::testing::PeerVethSandbox {
 protected:
  void SetUp() override {
    PeerVethSandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    add_peer_veth(
        "ip addr add 192.0.2.1/24 dev veth-a && ip addr add fe80::1/64 dev veth-a nodad && "
        "ip addr add 2001:db8::1/64 dev veth-a nodad",
        "ip link set lo up && ip link set veth-b up && ip addr add 192.0.2.2/24 dev veth-b && "
        "ip addr add fe80::2/64 dev veth-b nodad && ip addr add 2001:db8::2/64 dev veth-b nodad");
  }

  VrrpSocketOptions options_a(Family family, std::vector<IpAddress> groups = {}) const {
    return {family, a_index_, "veth-a", std::move(groups), 0};
  }
  VrrpSocketOptions options_b(Family family, std::vector<IpAddress> groups = {}) const {
    return {family, b_index_, "veth-b", std::move(groups), 0};
  }

  std::unique_ptr<VrrpSocket> open_a(VrrpSocketOptions options) {
    auto socket = VrrpSocket::open(io_, std::move(options));
    EXPECT_TRUE(socket) << socket.error().message;
    return socket ? std::move(*socket) : nullptr;
  }
  // A socket on b, in the peer, collecting what it receives into received_.
  std::unique_ptr<VrrpSocket> open_receiver_b(VrrpSocketOptions options) {
    auto socket = peer_.inside([&] { return VrrpSocket::open(io_, std::move(options)); });
    EXPECT_TRUE(socket) << socket.error().message;
    if (!socket) return nullptr;
    (*socket)->start([this](const VrrpDatagram& d) {
      received_.push_back(
          {{d.bytes.begin(), d.bytes.end()}, d.source, d.destination, d.hop_limit, d.ifindex});
    });
    return std::move(*socket);
  }

  static vrrp::Advert advert(std::vector<IpAddress> addresses) {
    vrrp::Advert a;
    a.version = 3;
    a.vrid = 7;
    a.priority = 150;
    a.advert_interval = vrrp::Centiseconds{100};
    a.addresses = std::move(addresses);
    return a;
  }

  std::vector<Received> received_;
};

TEST_F(VrrpSocketTest, Ipv4MulticastArrivesWhole) {
  const auto group = ip("224.0.0.18");
  auto receiver = open_receiver_b(options_b(Family::V4, {group}));
  auto sender = open_a(options_a(Family::V4, {group}));
  ASSERT_TRUE(receiver && sender);

  const auto sent = advert({ip("192.0.2.100")});
  const auto message = vrrp::build(sent, ip("192.0.2.1"), group);
  ASSERT_TRUE(message);
  const auto result = sender->send(*message, ip("192.0.2.1"), group);
  ASSERT_TRUE(result) << result.error().message;

  ASSERT_TRUE(run_until([&] { return !received_.empty(); }));
  const auto& r = received_.front();
  ASSERT_EQ(r.bytes.size(), 20 + message->size());  // IP header included
  EXPECT_EQ(r.bytes[8], 255);                       // TTL on the wire
  EXPECT_EQ(r.bytes[9], 112);
  EXPECT_EQ(r.source, ip("192.0.2.1"));
  EXPECT_EQ(r.destination, group);
  EXPECT_EQ(r.ifindex, b_index_);
  EXPECT_EQ(r.hop_limit, -1);

  const auto parsed = vrrp::parse_ipv4(r.bytes);
  ASSERT_TRUE(parsed) << vrrp::to_string(parsed.error());
  EXPECT_EQ(parsed->advert, sent);
  EXPECT_EQ(parsed->source, ip("192.0.2.1"));
  EXPECT_EQ(parsed->destination, group);
  EXPECT_EQ(parsed->ttl, 255);
  EXPECT_EQ(parsed->checksum_form, vrrp::ChecksumForm::Standard);
  EXPECT_EQ(receiver->receive_errors(), 0U);
}

TEST_F(VrrpSocketTest, Ipv4TtlIsPerSend) {
  const auto group = ip("224.0.0.18");
  auto receiver = open_receiver_b(options_b(Family::V4, {group}));
  auto sender = open_a(options_a(Family::V4));
  ASSERT_TRUE(receiver && sender);
  const auto message = vrrp::build(advert({ip("192.0.2.100")}), ip("192.0.2.1"), group);
  ASSERT_TRUE(message);
  ASSERT_TRUE(sender->send(*message, ip("192.0.2.1"), group, 64));
  ASSERT_TRUE(sender->send(*message, ip("192.0.2.1"), group));
  ASSERT_TRUE(run_until([&] { return received_.size() == 2; }));
  EXPECT_EQ(received_[0].bytes[8], 64);
  EXPECT_EQ(received_[1].bytes[8], 255);
  const auto parsed = vrrp::parse_ipv4(received_[0].bytes);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), vrrp::Reject::BadTtl);
}

// Unicast needs the peer in its own namespace (see the top): in one namespace the datagram
// would be delivered locally through lo.
TEST_F(VrrpSocketTest, Ipv4UnicastReachesThePeerAddress) {
  auto receiver = open_receiver_b(options_b(Family::V4));
  auto sender = open_a(options_a(Family::V4));
  ASSERT_TRUE(receiver && sender);
  const auto sent = advert({ip("192.0.2.100")});
  const auto message = vrrp::build(sent, ip("192.0.2.1"), ip("192.0.2.2"));
  ASSERT_TRUE(message);
  const auto result = sender->send(*message, ip("192.0.2.1"), ip("192.0.2.2"));
  ASSERT_TRUE(result) << result.error().message;

  ASSERT_TRUE(run_until([&] { return !received_.empty(); }));
  const auto& r = received_.front();
  EXPECT_EQ(r.bytes[8], 255);
  EXPECT_EQ(r.source, ip("192.0.2.1"));
  EXPECT_EQ(r.destination, ip("192.0.2.2"));
  EXPECT_EQ(r.ifindex, b_index_);
  const auto parsed = vrrp::parse_ipv4(r.bytes);
  ASSERT_TRUE(parsed) << vrrp::to_string(parsed.error());
  EXPECT_EQ(parsed->advert, sent);
  EXPECT_EQ(parsed->checksum_form, vrrp::ChecksumForm::Standard);
}

// ifindex 0: an instance with unicast peers and no interface; routing picks the way out.
TEST_F(VrrpSocketTest, UnboundSocketsCarryUnicast) {
  auto receiver = open_receiver_b({Family::V4, 0, "", {}, 0});
  auto sender = open_a({Family::V4, 0, "", {}, 0});
  ASSERT_TRUE(receiver && sender);
  const auto message = vrrp::build(advert({ip("192.0.2.100")}), ip("192.0.2.1"), ip("192.0.2.2"));
  ASSERT_TRUE(message);
  const auto result = sender->send(*message, ip("192.0.2.1"), ip("192.0.2.2"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_TRUE(run_until([&] { return !received_.empty(); }));
  EXPECT_EQ(received_[0].ifindex, b_index_);
  EXPECT_TRUE(vrrp::parse_ipv4(received_[0].bytes));
}

// More datagrams than one turn of the loop reads (the rest is posted): all arrive, in order.
TEST_F(VrrpSocketTest, ALongBurstIsDeliveredWhole) {
  const auto group = ip("224.0.0.18");
  auto receiver = open_receiver_b(options_b(Family::V4, {group}));
  auto sender = open_a(options_a(Family::V4));
  ASSERT_TRUE(receiver && sender);
  constexpr int kCount = 100;
  for (int i = 0; i < kCount; ++i) {
    auto a = advert({ip("192.0.2.100")});
    a.priority = static_cast<std::uint8_t>(i + 1);
    const auto message = vrrp::build(a, ip("192.0.2.1"), group);
    ASSERT_TRUE(message);
    ASSERT_TRUE(sender->send(*message, ip("192.0.2.1"), group));
  }
  ASSERT_TRUE(run_until([&] { return received_.size() == kCount; })) << received_.size();
  for (int i = 0; i < kCount; ++i) {
    const auto parsed = vrrp::parse_ipv4(received_[static_cast<std::size_t>(i)].bytes);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->advert.priority, i + 1);
  }
}

TEST_F(VrrpSocketTest, Ipv6MulticastFromALinkLocalSource) {
  const auto group = ip("ff02::12");
  auto receiver = open_receiver_b(options_b(Family::V6, {group}));
  auto sender = open_a(options_a(Family::V6, {group}));
  ASSERT_TRUE(receiver && sender);
  const auto sent = advert({ip("2001:db8::100")});
  const auto message = vrrp::build(sent, ip("fe80::1"), group);
  ASSERT_TRUE(message);
  const auto result = sender->send(*message, ip("fe80::1"), group);
  ASSERT_TRUE(result) << result.error().message;

  ASSERT_TRUE(run_until([&] { return !received_.empty(); }));
  const auto& r = received_.front();
  EXPECT_EQ(r.bytes, *message);  // no IPv6 header
  EXPECT_EQ(r.source, ip("fe80::1"));
  EXPECT_EQ(r.destination, group);
  EXPECT_EQ(r.hop_limit, 255);
  EXPECT_EQ(r.ifindex, b_index_);
  const auto parsed = vrrp::parse_ipv6(r.bytes, r.source, r.destination, r.hop_limit);
  ASSERT_TRUE(parsed) << vrrp::to_string(parsed.error());
  EXPECT_EQ(parsed->advert, sent);
}

TEST_F(VrrpSocketTest, Ipv6UnicastAndPerSendHopLimit) {
  auto receiver = open_receiver_b(options_b(Family::V6));
  auto sender = open_a(options_a(Family::V6));
  ASSERT_TRUE(receiver && sender);
  const auto message =
      vrrp::build(advert({ip("2001:db8::100")}), ip("2001:db8::1"), ip("2001:db8::2"));
  ASSERT_TRUE(message);
  auto result = sender->send(*message, ip("2001:db8::1"), ip("2001:db8::2"));
  ASSERT_TRUE(result) << result.error().message;
  result = sender->send(*message, ip("2001:db8::1"), ip("2001:db8::2"), 7);
  ASSERT_TRUE(result) << result.error().message;

  ASSERT_TRUE(run_until([&] { return received_.size() == 2; }));
  EXPECT_EQ(received_[0].source, ip("2001:db8::1"));
  EXPECT_EQ(received_[0].destination, ip("2001:db8::2"));
  EXPECT_EQ(received_[0].hop_limit, 255);
  EXPECT_EQ(received_[1].hop_limit, 7);
  EXPECT_TRUE(vrrp::parse_ipv6(received_[0].bytes, received_[0].source, received_[0].destination,
                               received_[0].hop_limit));
}

// No IPV6_CHECKSUM: a corrupted message reaches the codec, which counts it.
TEST_F(VrrpSocketTest, Ipv6BadChecksumReachesTheCodec) {
  const auto group = ip("ff02::12");
  auto receiver = open_receiver_b(options_b(Family::V6, {group}));
  auto sender = open_a(options_a(Family::V6));
  ASSERT_TRUE(receiver && sender);
  auto message = vrrp::build(advert({ip("2001:db8::100")}), ip("fe80::1"), group);
  ASSERT_TRUE(message);
  (*message)[6] ^= 0xff;  // the checksum
  ASSERT_TRUE(sender->send(*message, ip("fe80::1"), group));
  ASSERT_TRUE(run_until([&] { return !received_.empty(); }));
  const auto& r = received_.front();
  const auto parsed = vrrp::parse_ipv6(r.bytes, r.source, r.destination, r.hop_limit);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), vrrp::Reject::BadChecksum);
}

TEST_F(VrrpSocketTest, MulticastIsNotLoopedBack) {
  const auto group = ip("224.0.0.18");
  auto sender = open_a(options_a(Family::V4, {group}));
  ASSERT_TRUE(sender);
  int own = 0;
  sender->start([&](const VrrpDatagram&) { ++own; });
  auto receiver = open_receiver_b(options_b(Family::V4, {group}));
  ASSERT_TRUE(receiver);
  const auto message = vrrp::build(advert({ip("192.0.2.100")}), ip("192.0.2.1"), group);
  ASSERT_TRUE(message);
  ASSERT_TRUE(sender->send(*message, ip("192.0.2.1"), group));
  ASSERT_TRUE(run_until([&] { return !received_.empty(); }));
  io_.restart();
  io_.run_for(50ms);  // a looped copy would be queued by now
  EXPECT_EQ(own, 0);
}

// IP_MULTICAST_ALL off: a socket hears the groups it joined itself, not those another
// socket of the host joined on the same interface.
TEST_F(VrrpSocketTest, MulticastReachesOnlySocketsThatJoined) {
  const auto group = ip("224.0.0.18");
  auto joined = open_receiver_b(options_b(Family::V4, {group}));
  int others = 0;
  auto other = peer_.inside([&] { return VrrpSocket::open(io_, options_b(Family::V4)); });
  ASSERT_TRUE(other) << other.error().message;
  (*other)->start([&](const VrrpDatagram&) { ++others; });
  auto sender = open_a(options_a(Family::V4));
  ASSERT_TRUE(joined && sender);
  const auto message = vrrp::build(advert({ip("192.0.2.100")}), ip("192.0.2.1"), group);
  ASSERT_TRUE(message);
  ASSERT_TRUE(sender->send(*message, ip("192.0.2.1"), group));
  ASSERT_TRUE(run_until([&] { return !received_.empty(); }));
  io_.restart();
  io_.run_for(50ms);
  EXPECT_EQ(others, 0);
}

TEST_F(VrrpSocketTest, ErrorsNameTheInterfaceAndTheCause) {
  auto missing = VrrpSocket::open(io_, {Family::V4, 9999, "nosuch0", {}, 0});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "cannot bind the IPv4 VRRP socket to nosuch0: No such device");

  auto wrong_group = VrrpSocket::open(io_, options_a(Family::V6, {ip("224.0.0.18")}));
  ASSERT_FALSE(wrong_group);
  EXPECT_EQ(wrong_group.error().message,
            "cannot join 224.0.0.18 on veth-a: not an IPv6 multicast group");

  auto sender = open_a(options_a(Family::V4));
  ASSERT_TRUE(sender);
  const std::vector<std::uint8_t> message(8, 0);
  // The kernel refuses a source that is not ours.
  auto foreign = sender->send(message, ip("198.51.100.1"), ip("224.0.0.18"));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().message,
            "cannot send a VRRP message from 198.51.100.1 to 224.0.0.18 on veth-a: Network is "
            "unreachable");
  auto sender6 = open_a(options_a(Family::V6));
  ASSERT_TRUE(sender6);
  auto foreign6 = sender6->send(message, ip("2001:db8:1::1"), ip("ff02::12"));
  ASSERT_FALSE(foreign6);
  EXPECT_EQ(
      foreign6.error().message,
      "cannot send a VRRP message from 2001:db8:1::1 to ff02::12 on veth-a: Invalid argument");
  auto mixed = sender->send(message, ip("fe80::1"), ip("224.0.0.18"));
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().message,
            "cannot send a VRRP message from fe80::1 to 224.0.0.18 on veth-a: not IPv4 addresses");
}

// The receive is pending in the kernel and in Asio when the socket dies; a datagram that
// arrives afterwards wakes nothing (ASan would see a use after free).
TEST_F(VrrpSocketTest, DestroyedWithAPendingReceive) {
  const auto group = ip("224.0.0.18");
  int calls = 0;
  auto receiver =
      peer_.inside([&] { return VrrpSocket::open(io_, options_b(Family::V4, {group})); });
  ASSERT_TRUE(receiver) << receiver.error().message;
  (*receiver)->start([&](const VrrpDatagram&) { ++calls; });
  io_.poll();
  auto sender = open_a(options_a(Family::V4));
  ASSERT_TRUE(sender);
  const auto message = vrrp::build(advert({ip("192.0.2.100")}), ip("192.0.2.1"), group);
  ASSERT_TRUE(message);
  ASSERT_TRUE(sender->send(*message, ip("192.0.2.1"), group));
  receiver->reset();  // a datagram may be queued, the wait is pending
  ASSERT_TRUE(sender->send(*message, ip("192.0.2.1"), group));
  io_.restart();
  io_.run_for(50ms);
  EXPECT_EQ(calls, 0);
}

// A handler may destroy its socket (a reload does); the rest of the burst is not delivered.
TEST_F(VrrpSocketTest, HandlerMayDestroyItsSocket) {
  const auto group = ip("224.0.0.18");
  auto opened = peer_.inside([&] { return VrrpSocket::open(io_, options_b(Family::V4, {group})); });
  ASSERT_TRUE(opened) << opened.error().message;
  std::unique_ptr<VrrpSocket> receiver = std::move(*opened);
  int calls = 0;
  receiver->start([&](const VrrpDatagram& d) {
    ++calls;
    receiver.reset();
    EXPECT_FALSE(d.bytes.empty());  // still readable after the reset
  });
  auto sender = open_a(options_a(Family::V4));
  ASSERT_TRUE(sender);
  const auto message = vrrp::build(advert({ip("192.0.2.100")}), ip("192.0.2.1"), group);
  ASSERT_TRUE(message);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sender->send(*message, ip("192.0.2.1"), group));
  ASSERT_TRUE(run_until([&] { return calls > 0; }));
  io_.restart();
  io_.run_for(50ms);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(receiver, nullptr);
}

}  // namespace
}  // namespace halo::net
