// keepalived's checker FIFO lines. The expected texts were recorded from keepalived 2.2.7's
// lvs_notify_fifo in a network namespace. This kernel has no IPVS, so the checker process
// was run under gdb (`set follow-fork-mode child`; keepalived -n -l -D -C) with breakpoints
// that make ipvs_start return 1 and ipvs_add_service, ipvs_del_service,
// ipvs_update_service, ipvs_add_dest, ipvs_del_dest, ipvs_update_dest, ipvs_flush,
// ipvs_close, ipvs_set_timeout and ipvs_update_stats return 0 (the dest calls also printed
// their ip_vs_dest_user, which gave the table steps); real servers were socat listeners
// killed and restarted. The first two recordings stubbed ipvs_cmd itself instead, which hides
// keepalived's omega real-server lines (see RecordedFromKeepalived).
#include "lvs/notice_line.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace halo::lvs {
namespace {

using config::LvsProtocol;
using config::VirtualServerKind;
using Kind = PoolNotice::Kind;

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

config::VirtualServer address_vs(const char* address, std::uint16_t port,
                                 std::optional<LvsProtocol> protocol) {
  config::VirtualServer vs;
  vs.kind = VirtualServerKind::Address;
  vs.address = ip(address);
  vs.port = port;
  vs.protocol = protocol;
  return vs;
}

config::RealServer real(const char* address, std::uint16_t port) {
  config::RealServer rs;
  rs.address = ip(address);
  rs.port = port;
  return rs;
}

TEST(NoticeLineTest, ServerText) {
  EXPECT_EQ(server_text(ip("198.51.100.11"), LvsProtocol::Tcp, 80), "[198.51.100.11]:tcp:80");
  EXPECT_EQ(server_text(ip("2001:db8::11"), LvsProtocol::Udp, 53), "[2001:db8::11]:udp:53");
  EXPECT_EQ(server_text(ip("198.51.100.11"), LvsProtocol::Sctp, 9), "[198.51.100.11]:sctp:9");
  EXPECT_EQ(server_text(ip("198.51.100.12"), std::nullopt, 8080), "[198.51.100.12]:none:8080");
}

// Recorded: "VS [192.0.2.10]:tcp:80", "VS [2001:db8::10]:udp:53", "VS FWM 5", "VS [G1]:0".
TEST(NoticeLineTest, VirtualServerText) {
  EXPECT_EQ(virtual_server_text(address_vs("192.0.2.10", 80, LvsProtocol::Tcp)),
            "[192.0.2.10]:tcp:80");
  EXPECT_EQ(virtual_server_text(address_vs("2001:db8::10", 53, LvsProtocol::Udp)),
            "[2001:db8::10]:udp:53");
  // No protocol: keepalived defaults to UDP ("no protocol set - defaulting to UDP").
  EXPECT_EQ(virtual_server_text(address_vs("192.0.2.10", 80, std::nullopt)), "[192.0.2.10]:udp:80");

  config::VirtualServer fwmark;
  fwmark.kind = VirtualServerKind::Fwmark;
  fwmark.fwmark = 5;
  EXPECT_EQ(virtual_server_text(fwmark), "FWM 5");

  config::VirtualServer group;
  group.kind = VirtualServerKind::Group;
  group.group = "G1";
  EXPECT_EQ(virtual_server_text(group), "[G1]:0");
}

// Recorded: "[198.51.100.12]:none:8080 from VS FWM 5" (keepalived's log, same formatter),
// "[198.51.100.13]:tcp:80" in group G1, "[2001:db8::11]:udp:53".
TEST(NoticeLineTest, RealServerText) {
  config::LvsConfig lvs;
  const auto tcp = address_vs("192.0.2.10", 80, LvsProtocol::Tcp);
  EXPECT_EQ(real_server_text(tcp, real("198.51.100.11", 80), lvs), "[198.51.100.11]:tcp:80");
  EXPECT_EQ(real_server_text(tcp, real("198.51.100.11", 0), lvs), "[198.51.100.11]:tcp:80");
  const auto v6 = address_vs("2001:db8::10", 53, LvsProtocol::Udp);
  EXPECT_EQ(real_server_text(v6, real("2001:db8::11", 53), lvs), "[2001:db8::11]:udp:53");

  config::VirtualServer fwmark;
  fwmark.kind = VirtualServerKind::Fwmark;
  fwmark.fwmark = 5;
  EXPECT_EQ(real_server_text(fwmark, real("198.51.100.12", 8080), lvs),
            "[198.51.100.12]:none:8080");

  config::VirtualServerGroup g1;
  g1.name = "G1";
  g1.ranges.push_back(config::VsgAddressRange{ip("192.0.2.20"), ip("192.0.2.20"), 80, {}});
  config::VirtualServerGroup marks;
  marks.name = "M";
  marks.fwmarks.push_back(config::VsgFwmark{7, std::nullopt, {}});
  lvs.virtual_server_groups = {g1, marks};
  config::VirtualServer group;
  group.kind = VirtualServerKind::Group;
  group.group = "G1";
  group.protocol = LvsProtocol::Tcp;
  EXPECT_EQ(real_server_text(group, real("198.51.100.13", 80), lvs), "[198.51.100.13]:tcp:80");
  group.protocol.reset();
  EXPECT_EQ(real_server_text(group, real("198.51.100.13", 80), lvs), "[198.51.100.13]:udp:80");
  group.group = "M";
  EXPECT_EQ(real_server_text(group, real("198.51.100.13", 80), lvs), "[198.51.100.13]:none:80");
}

PoolSpec one_server_spec(const char* rs_address, bool alpha) {
  PoolSpec spec;
  RealServerSpec rs;
  rs.name = server_text(ip(rs_address), LvsProtocol::Tcp, 80);
  rs.destination.address = ip(rs_address);
  rs.destination.port = 80;
  rs.checker_starts_up = {!alpha};
  spec.real_servers.push_back(rs);
  spec.omega = true;
  return spec;
}

void append(std::string& out, const std::vector<PoolNotice>& notices, const PoolSpec& spec,
            const std::string& vs) {
  for (const auto& n : notices) out += fifo_line(n, spec, vs);
}

TEST(NoticeLineTest, FifoLines) {
  const PoolSpec spec = one_server_spec("198.51.100.11", false);
  const std::string vs = "[192.0.2.10]:tcp:80";
  PoolNotice n{};
  n.kind = Kind::QuorumUp;
  EXPECT_EQ(fifo_line(n, spec, vs), "VS [192.0.2.10]:tcp:80 UP\n");
  n.kind = Kind::QuorumDown;
  EXPECT_EQ(fifo_line(n, spec, vs), "VS [192.0.2.10]:tcp:80 DOWN\n");
  n.kind = Kind::RealServerUp;
  EXPECT_EQ(fifo_line(n, spec, vs), "RS [198.51.100.11]:tcp:80 [192.0.2.10]:tcp:80 UP\n");
  n.kind = Kind::RealServerDown;
  EXPECT_EQ(fifo_line(n, spec, vs), "RS [198.51.100.11]:tcp:80 [192.0.2.10]:tcp:80 DOWN\n");
  n.real_server = 7;  // out of range
  EXPECT_EQ(fifo_line(n, spec, vs), "");
  for (Kind k : {Kind::RealServerWeight, Kind::SorryServerIn, Kind::SorryServerOut}) {
    n.kind = k;
    EXPECT_EQ(fifo_line(n, spec, vs), "");
  }
}

// No line carries a NUL byte (keepalived 2.2.7 writes none either).
TEST(NoticeLineTest, NoStrayNul) {
  const PoolSpec spec = one_server_spec("198.51.100.11", false);
  for (Kind k : {Kind::QuorumUp, Kind::QuorumDown, Kind::RealServerUp, Kind::RealServerDown}) {
    PoolNotice n{};
    n.kind = k;
    const std::string line = fifo_line(n, spec, "FWM 5");
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.find('\0'), std::string::npos);
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
  }
}

// The pool driven through the recorded runs gives keepalived's lines byte for byte. At stop,
// the recording lacks keepalived's omega "RS ... DOWN" lines: the gdb stub of ipvs_cmd()
// never marked a server as installed, and keepalived only reports installed ones at
// shutdown; halo gives them (pool.h R8), so stop is compared on its VS line.
TEST(NoticeLineTest, RecordedFromKeepalived) {
  {
    // virtual_server 192.0.2.10 80 { protocol TCP omega; real_server 198.51.100.11 80 {
    // TCP_CHECK } }: up at start, listener killed, restarted, SIGTERM.
    const PoolSpec spec = one_server_spec("198.51.100.11", false);
    const std::string vs = "[192.0.2.10]:tcp:80";
    Pool pool(spec);
    std::string out;
    append(out, pool.start(), spec, vs);
    append(out, pool.set_checker(0, 0, true), spec, vs);
    append(out, pool.set_checker(0, 0, false), spec, vs);
    append(out, pool.set_checker(0, 0, true), spec, vs);
    EXPECT_EQ(out,
              "VS [192.0.2.10]:tcp:80 UP\n"
              "RS [198.51.100.11]:tcp:80 [192.0.2.10]:tcp:80 DOWN\n"
              "VS [192.0.2.10]:tcp:80 DOWN\n"
              "RS [198.51.100.11]:tcp:80 [192.0.2.10]:tcp:80 UP\n"
              "VS [192.0.2.10]:tcp:80 UP\n");
    std::string stop;
    append(stop, pool.stop(), spec, vs);
    EXPECT_EQ(stop,
              "RS [198.51.100.11]:tcp:80 [192.0.2.10]:tcp:80 DOWN\n"
              "VS [192.0.2.10]:tcp:80 DOWN\n");
  }
  {
    // virtual_server 192.0.2.30 80 { alpha omega; real_server 198.51.100.21 80 { TCP_CHECK } }
    // with nothing listening: no line at start, RS DOWN on the first failed check, VS DOWN
    // at stop although the quorum was never up.
    const PoolSpec spec = one_server_spec("198.51.100.21", true);
    const std::string vs = "[192.0.2.30]:tcp:80";
    Pool pool(spec);
    std::string out;
    append(out, pool.start(), spec, vs);
    EXPECT_EQ(out, "");
    append(out, pool.set_checker(0, 0, false), spec, vs);
    append(out, pool.stop(), spec, vs);
    EXPECT_EQ(out,
              "RS [198.51.100.21]:tcp:80 [192.0.2.30]:tcp:80 DOWN\n"
              "VS [192.0.2.30]:tcp:80 DOWN\n");
  }
  {
    // virtual_server 192.0.2.31 80 { alpha omega sorry_server 198.51.100.99 80;
    // real_server 198.51.100.22 80 { TCP_CHECK } }: VS DOWN at start (sorry server in),
    // RS DOWN on the first failed check, then a listener starts: RS UP, VS UP.
    PoolSpec spec = one_server_spec("198.51.100.22", true);
    Destination sorry;
    sorry.address = ip("198.51.100.99");
    sorry.port = 80;
    spec.sorry_server = sorry;
    const std::string vs = "[192.0.2.31]:tcp:80";
    Pool pool(spec);
    std::string out;
    append(out, pool.start(), spec, vs);
    append(out, pool.set_checker(0, 0, false), spec, vs);
    append(out, pool.set_checker(0, 0, true), spec, vs);
    EXPECT_EQ(out,
              "VS [192.0.2.31]:tcp:80 DOWN\n"
              "RS [198.51.100.22]:tcp:80 [192.0.2.31]:tcp:80 DOWN\n"
              "RS [198.51.100.22]:tcp:80 [192.0.2.31]:tcp:80 UP\n"
              "VS [192.0.2.31]:tcp:80 UP\n");
    std::string stop;
    append(stop, pool.stop(), spec, vs);
    EXPECT_EQ(stop.substr(stop.find("VS ")), "VS [192.0.2.31]:tcp:80 DOWN\n");
  }
}

// Recorded with keepalived's dest calls logged too: virtual_server 192.0.2.40 80 { omega
// quorum 3 sorry_server 198.51.100.99 80 sorry_server_inhibit; real servers .11
// (inhibit_on_failure), .12, .13, weight 1, TCP_CHECK }, all listening; .12's listener
// killed; SIGTERM. keepalived's table steps (add .11/.12/.13 w1, sorry w0; del .12; .11 w0,
// del .13, sorry w1) are the pool's desired() at each step. At stop keepalived reports .11
// (inhibited, still installed) but not .13 (alive, removed for the sorry server); halo
// reports both (pool.h R8).
TEST(NoticeLineTest, RecordedSorryServerInhibitRun) {
  PoolSpec spec;
  for (const char* a : {"198.51.100.11", "198.51.100.12", "198.51.100.13"}) {
    RealServerSpec rs;
    rs.name = server_text(ip(a), LvsProtocol::Tcp, 80);
    rs.destination.address = ip(a);
    rs.destination.port = 80;
    rs.checker_starts_up = {true};
    spec.real_servers.push_back(rs);
  }
  spec.real_servers[0].inhibit_on_failure = true;
  spec.quorum = 3;
  spec.omega = true;
  Destination sorry;
  sorry.address = ip("198.51.100.99");
  sorry.port = 80;
  spec.sorry_server = sorry;
  spec.sorry_server_inhibit = true;
  const std::string vs = "[192.0.2.40]:tcp:80";

  using Table = std::vector<std::pair<std::string, std::uint32_t>>;
  auto table = [](const Pool& pool) {
    Table out;
    for (const auto& d : pool.desired().destinations) {
      out.emplace_back(d.address.to_string(), d.weight);
    }
    return out;
  };

  Pool pool(spec);
  std::string out;
  append(out, pool.start(), spec, vs);
  EXPECT_EQ(
      table(pool),
      (Table{
          {"198.51.100.11", 1}, {"198.51.100.12", 1}, {"198.51.100.13", 1}, {"198.51.100.99", 0}}));
  for (std::size_t i = 0; i < 3; ++i) append(out, pool.set_checker(i, 0, true), spec, vs);
  append(out, pool.set_checker(1, 0, false), spec, vs);
  EXPECT_EQ(table(pool), (Table{{"198.51.100.11", 0}, {"198.51.100.99", 1}}));
  EXPECT_EQ(out,
            "VS [192.0.2.40]:tcp:80 UP\n"
            "RS [198.51.100.12]:tcp:80 [192.0.2.40]:tcp:80 DOWN\n"
            "VS [192.0.2.40]:tcp:80 DOWN\n");
  std::string stop;
  append(stop, pool.stop(), spec, vs);
  EXPECT_EQ(stop,
            "RS [198.51.100.11]:tcp:80 [192.0.2.40]:tcp:80 DOWN\n"
            "RS [198.51.100.13]:tcp:80 [192.0.2.40]:tcp:80 DOWN\n"  // keepalived: absent
            "VS [192.0.2.40]:tcp:80 DOWN\n");
}

// Recorded: virtual_server 192.0.2.50 80 { quorum 3 hysteresis 1; four real servers of
// weight 1 with TCP_CHECK }, listeners .1, .2, .3 killed in turn, then restarted in turn.
// keepalived: "Lost quorum 3-1=2 > 1" only at the third loss, "Gained quorum 3+1=4 <= 4"
// only when the fourth server is back.
TEST(NoticeLineTest, RecordedHysteresisRun) {
  PoolSpec spec;
  for (const char* a : {"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"}) {
    RealServerSpec rs;
    rs.name = server_text(ip(a), LvsProtocol::Tcp, 80);
    rs.destination.address = ip(a);
    rs.destination.port = 80;
    rs.checker_starts_up = {true};
    spec.real_servers.push_back(rs);
  }
  spec.quorum = 3;
  spec.hysteresis = 1;
  const std::string vs = "[192.0.2.50]:tcp:80";
  Pool pool(spec);
  std::string out;
  append(out, pool.start(), spec, vs);
  for (std::size_t i = 0; i < 4; ++i) append(out, pool.set_checker(i, 0, true), spec, vs);
  for (std::size_t i = 0; i < 3; ++i) append(out, pool.set_checker(i, 0, false), spec, vs);
  for (std::size_t i = 0; i < 3; ++i) append(out, pool.set_checker(i, 0, true), spec, vs);
  EXPECT_EQ(out,
            "VS [192.0.2.50]:tcp:80 UP\n"
            "RS [198.51.100.1]:tcp:80 [192.0.2.50]:tcp:80 DOWN\n"
            "RS [198.51.100.2]:tcp:80 [192.0.2.50]:tcp:80 DOWN\n"
            "RS [198.51.100.3]:tcp:80 [192.0.2.50]:tcp:80 DOWN\n"
            "VS [192.0.2.50]:tcp:80 DOWN\n"
            "RS [198.51.100.1]:tcp:80 [192.0.2.50]:tcp:80 UP\n"
            "RS [198.51.100.2]:tcp:80 [192.0.2.50]:tcp:80 UP\n"
            "RS [198.51.100.3]:tcp:80 [192.0.2.50]:tcp:80 UP\n"
            "VS [192.0.2.50]:tcp:80 UP\n");
}

}  // namespace
}  // namespace halo::lvs
