// Golden bytes of the IPVS generic-netlink messages, written out by hand from linux/ip_vs.h and
// the attribute list keepalived's check/libipvs.c sends (ipvs_nl_fill_service_attr,
// ipvs_nl_fill_dest_attr): same attributes, same order, same sizes (16-byte addresses, flags
// with mask ~0, TIMEOUT and NETMASK always present). One difference from libnl: libmnl marks
// nests with NLA_F_NESTED (0x8000), which the kernel accepts either way.
#include "lvs/ipvs_message.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace halo::lvs::ipvs {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes hex(const std::string& text) {
  Bytes out;
  std::istringstream in(text);
  std::string byte;
  while (in >> byte) out.push_back(static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16)));
  return out;
}

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

Service v4_tcp_service() {
  Service s;
  s.name = "192.0.2.10:80";
  s.protocol = config::LvsProtocol::Tcp;
  s.family = Family::V4;
  s.frontends = {Frontend{ip("192.0.2.10"), ip("192.0.2.10"), 80}};
  s.scheduler = config::LvsScheduler::Wrr;
  return s;
}

ServiceKey v4_key() {
  return ServiceKey{Family::V4, ip("192.0.2.10"), 80, 0};
}

// The service nest of v4_tcp_service(): 84 bytes.
const char* const kV4ServiceNest =
    "54 00 01 80 "                                      // IPVS_CMD_ATTR_SERVICE, nested
    "06 00 01 00 02 00 00 00 "                          // AF = AF_INET
    "06 00 02 00 06 00 00 00 "                          // PROTOCOL = IPPROTO_TCP
    "14 00 03 00 c0 00 02 0a 00 00 00 00 00 00 00 00 "  // ADDR 192.0.2.10
    "00 00 00 00 "                                      //   (16 bytes)
    "06 00 04 00 00 50 00 00 "                          // PORT 80, network order
    "08 00 06 00 77 72 72 00 "                          // SCHED_NAME "wrr"
    "0c 00 07 00 00 00 00 00 ff ff ff ff "              // FLAGS 0, mask ~0
    "08 00 08 00 00 00 00 00 "                          // TIMEOUT 0
    "08 00 09 00 ff ff ff ff ";                         // NETMASK 255.255.255.255

TEST(IpvsMessage, V4TcpServiceAdd) {
  const Bytes expected = hex(std::string("68 00 00 00 1c 00 05 00 01 00 00 00 00 00 00 00 "
                                         "01 01 00 00 ") +
                             kV4ServiceNest);
  EXPECT_EQ(service_message(0x1c, 1, Command::NewService, v4_tcp_service(), v4_key()), expected);
}

// flag-1, flag-3, ops and hashed: ipvsadm's -b flag-1,flag-3 -o.
TEST(IpvsMessage, SchedulerFlagsOnePacketAndHashed) {
  Service s = v4_tcp_service();
  s.scheduler_flags = 1U | 4U;
  s.one_packet = true;
  s.hashed = true;
  std::string nest = kV4ServiceNest;
  const std::string no_flags = "0c 00 07 00 00 00 00 00 ff ff ff ff ";
  // HASHED 0x02 | ONEPACKET 0x04 | SCHED1 0x08 | SCHED3 0x20
  nest.replace(nest.find(no_flags), no_flags.size(), "0c 00 07 00 2e 00 00 00 ff ff ff ff ");
  const Bytes expected =
      hex(std::string("68 00 00 00 1c 00 05 00 01 00 00 00 00 00 00 00 01 01 00 00 ") + nest);
  EXPECT_EQ(service_message(0x1c, 1, Command::NewService, s, v4_key()), expected);
}

TEST(IpvsMessage, V6UdpPersistentShPortServiceSet) {
  Service s;
  s.name = "[2001:db8::10]:53";
  s.protocol = config::LvsProtocol::Udp;
  s.family = Family::V6;
  s.frontends = {Frontend{ip("2001:db8::10"), ip("2001:db8::10"), 53}};
  s.scheduler = config::LvsScheduler::Sh;
  s.sh_port = true;
  s.persistence_timeout = 300;
  s.persistence_granularity = config::PersistenceGranularity{std::nullopt, 64};
  const Bytes expected =
      hex("68 00 00 00 1c 00 05 00 02 00 00 00 00 00 00 00 "  // nlmsghdr, seq 2
          "02 01 00 00 "                                      // IPVS_CMD_SET_SERVICE, version 1
          "54 00 01 80 "
          "06 00 01 00 0a 00 00 00 "                          // AF_INET6
          "06 00 02 00 11 00 00 00 "                          // IPPROTO_UDP
          "14 00 03 00 20 01 0d b8 00 00 00 00 00 00 00 00 "  // 2001:db8::10
          "00 00 00 10 "
          "06 00 04 00 00 35 00 00 "              // port 53
          "07 00 06 00 73 68 00 00 "              // "sh" + NUL, padded
          "0c 00 07 00 11 00 00 00 ff ff ff ff "  // PERSISTENT | SCHED_SH_PORT
          "08 00 08 00 2c 01 00 00 "              // 300 s
          "08 00 09 00 40 00 00 00 ");            // prefix length 64
  const ServiceKey key{Family::V6, ip("2001:db8::10"), 53, 0};
  EXPECT_EQ(service_message(0x1c, 2, Command::SetService, s, key), expected);
}

TEST(IpvsMessage, FwmarkServiceDelete) {
  Service s;
  s.name = "FWM 5";
  s.fwmarks = {5};
  s.scheduler = config::LvsScheduler::Rr;
  const Bytes expected =
      hex("4c 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00 "
          "03 01 00 00 "              // IPVS_CMD_DEL_SERVICE
          "38 00 01 80 "              // 56-byte nest
          "06 00 01 00 02 00 00 00 "  // AF_INET
          "08 00 05 00 05 00 00 00 "  // FWMARK 5 (no protocol, address, port)
          "07 00 06 00 72 72 00 00 "  // "rr"
          "0c 00 07 00 00 00 00 00 ff ff ff ff "
          "08 00 08 00 00 00 00 00 "
          "08 00 09 00 ff ff ff ff ");
  const auto keys = service_keys(s);
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 1U);
  EXPECT_EQ(service_message(0x1c, 7, Command::DelService, s, keys->front()), expected);
}

Destination nat_dest(const char* address, std::uint16_t port, std::uint32_t weight) {
  Destination d;
  d.address = ip(address);
  d.port = port;
  d.weight = weight;
  return d;
}

TEST(IpvsMessage, DestAdd) {
  const Bytes expected = hex(std::string("b0 00 00 00 1c 00 05 00 03 00 00 00 00 00 00 00 "
                                         "05 01 00 00 ") +  // IPVS_CMD_NEW_DEST
                             kV4ServiceNest +
                             "48 00 02 80 "              // IPVS_CMD_ATTR_DEST, nested
                             "06 00 0b 00 02 00 00 00 "  // ADDR_FAMILY AF_INET
                             "14 00 01 00 c6 33 64 0b 00 00 00 00 00 00 00 00 "
                             "00 00 00 00 "                // ADDR 198.51.100.11
                             "06 00 02 00 1f 90 00 00 "    // PORT 8080
                             "08 00 03 00 00 00 00 00 "    // FWD_METHOD masquerade (NAT)
                             "08 00 04 00 03 00 00 00 "    // WEIGHT 3
                             "08 00 05 00 00 00 00 00 "    // U_THRESH
                             "08 00 06 00 00 00 00 00 ");  // L_THRESH
  EXPECT_EQ(dest_message(0x1c, 3, Command::NewDest, v4_tcp_service(), v4_key(),
                         nat_dest("198.51.100.11", 8080, 3)),
            expected);
}

TEST(IpvsMessage, DestSetDirectRoutingWithThresholds) {
  Destination d = nat_dest("198.51.100.11", 8080, 0);
  d.method.method = config::LvsMethod::Dr;
  d.upper_threshold = 100;
  d.lower_threshold = 10;
  const Bytes expected = hex(std::string("b0 00 00 00 1c 00 05 00 04 00 00 00 00 00 00 00 "
                                         "06 01 00 00 ") +  // IPVS_CMD_SET_DEST
                             kV4ServiceNest +
                             "48 00 02 80 "
                             "06 00 0b 00 02 00 00 00 "
                             "14 00 01 00 c6 33 64 0b 00 00 00 00 00 00 00 00 "
                             "00 00 00 00 "
                             "06 00 02 00 1f 90 00 00 "
                             "08 00 03 00 03 00 00 00 "    // IP_VS_CONN_F_DROUTE
                             "08 00 04 00 00 00 00 00 "    // weight 0 (inhibited)
                             "08 00 05 00 64 00 00 00 "    // 100
                             "08 00 06 00 0a 00 00 00 ");  // 10
  EXPECT_EQ(dest_message(0x1c, 4, Command::SetDest, v4_tcp_service(), v4_key(), d), expected);
}

TEST(IpvsMessage, DestDeleteV6) {
  Service s;
  s.name = "[2001:db8::10]:80";
  s.family = Family::V6;
  s.frontends = {Frontend{ip("2001:db8::10"), ip("2001:db8::10"), 80}};
  s.scheduler = config::LvsScheduler::Wlc;
  const Bytes expected =
      hex("b0 00 00 00 1c 00 05 00 05 00 00 00 00 00 00 00 "
          "07 01 00 00 "  // IPVS_CMD_DEL_DEST
          "54 00 01 80 "
          "06 00 01 00 0a 00 00 00 "
          "06 00 02 00 06 00 00 00 "
          "14 00 03 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 10 "
          "06 00 04 00 00 50 00 00 "
          "08 00 06 00 77 6c 63 00 "  // "wlc"
          "0c 00 07 00 00 00 00 00 ff ff ff ff "
          "08 00 08 00 00 00 00 00 "
          "08 00 09 00 80 00 00 00 "  // IPv6 default granularity: /128
          "48 00 02 80 "
          "06 00 0b 00 0a 00 00 00 "
          "14 00 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 11 "
          "06 00 02 00 00 50 00 00 "
          "08 00 03 00 00 00 00 00 "
          "08 00 04 00 01 00 00 00 "
          "08 00 05 00 00 00 00 00 "
          "08 00 06 00 00 00 00 00 ");
  EXPECT_EQ(
      dest_message(0x1c, 5, Command::DelDest, s, ServiceKey{Family::V6, ip("2001:db8::10"), 80, 0},
                   nat_dest("2001:db8::11", 80, 1)),
      expected);
}

TEST(IpvsMessage, TunnelDestinationCarriesTunnelAttributes) {
  Destination d = nat_dest("198.51.100.11", 80, 1);
  d.method.method = config::LvsMethod::Tun;
  d.method.tunnel = config::TunnelType::Gue;
  d.method.tunnel_port = 6080;
  d.method.checksum = config::TunnelChecksum::Csum;
  const auto message = dest_message(0x1c, 1, Command::NewDest, v4_tcp_service(), v4_key(), d);
  // The dest nest grows by TUN_TYPE (u8), TUN_PORT and TUN_FLAGS (u16), 8 bytes each.
  ASSERT_EQ(message.size(), 0xb0U + 24U);
  const Bytes tail(message.end() - 24, message.end());
  EXPECT_EQ(tail, hex("05 00 0d 00 01 00 00 00 "     // TUN_TYPE GUE
                      "06 00 0e 00 17 c0 00 00 "     // TUN_PORT 6080, network order
                      "06 00 0f 00 01 00 00 00 "));  // TUN_FLAGS CSUM
  // headers 20, service nest 84, dest nest header 4, ADDR_FAMILY 8, ADDR 20, PORT 8, then
  // FWD_METHOD's value after its 4-byte header: IP_VS_CONN_F_TUNNEL.
  EXPECT_EQ(message[20 + 84 + 4 + 8 + 20 + 8 + 4], 0x02);
}

TEST(IpvsMessage, Flush) {
  EXPECT_EQ(flush_message(0x1c, 9), hex("14 00 00 00 1c 00 05 00 09 00 00 00 00 00 00 00 "
                                        "11 01 00 00"));
}

TEST(IpvsMessage, ServiceKeysExpandRangesAndFwmarks) {
  Service s;
  s.name = "group G";
  s.frontends = {Frontend{ip("192.0.2.254"), ip("192.0.3.1"), 80},
                 Frontend{ip("192.0.2.10"), ip("192.0.2.10"), 443}};
  s.fwmarks = {7};
  const auto keys = service_keys(s);
  ASSERT_TRUE(keys);
  const std::vector<ServiceKey> expected = {
      {Family::V4, ip("192.0.2.254"), 80, 0}, {Family::V4, ip("192.0.2.255"), 80, 0},
      {Family::V4, ip("192.0.3.0"), 80, 0},   {Family::V4, ip("192.0.3.1"), 80, 0},
      {Family::V4, ip("192.0.2.10"), 443, 0}, {Family::V4, std::nullopt, 0, 7},
  };
  EXPECT_EQ(*keys, expected);
  EXPECT_FALSE(service_keys(s, 3));  // more addresses than allowed
  s.frontends = {Frontend{ip("192.0.2.10"), ip("192.0.2.9"), 80}};
  EXPECT_FALSE(service_keys(s));  // backwards range
}

}  // namespace
}  // namespace halo::lvs::ipvs
