// keepalived_check.data from hand-made snapshots: the exact text, with keepalived 2.2.7's
// banners, field names and order (check_data.c dump_vs / dump_rs, check_api.c dump_checker,
// check_misc.c dump_misc_check), and MISC_CHECK's "Last status" following each exit code (L2).
#include "status/keepalived_check_data.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace halo::status {
namespace {

using namespace std::chrono_literals;

// 2026-11-22T21:30:00Z
const WallClock::time_point kTaken{std::chrono::seconds(1795383000)};

class KeepalivedCheckDataTest : public ::testing::Test {
 protected:
  // "Last ran" is local time, as keepalived's ctime(): pin the zone.
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};

CheckView tcp_check() {
  CheckView c;
  c.kind = "TCP_CHECK";
  c.target = "198.51.100.11:80";
  c.id = "web/1";
  c.has_result = true;
  c.connect_timeout_ms = 3000;
  c.delay_loop_ms = 6000;
  c.delay_before_retry_ms = 1500;
  c.retry = 3;
  return c;
}

CheckView misc_check() {
  CheckView c;
  c.kind = "MISC_CHECK";
  c.target = "/usr/local/bin/check.sh";
  c.id = "web/2";
  c.up = false;
  c.has_result = true;
  c.last_exit_code = 2;
  c.last_attempt = kTaken - 750ms;
  c.weight_contribution = -1;
  c.delay_loop_ms = 5000;
  c.warmup_ms = 2000;
  c.alpha = true;
  c.details = {{"Keepalive method", "MISC_CHECK"},
               {"script", "'/usr/local/bin/check.sh' 'web'"},
               {"timeout", "10"},
               {"dynamic", "YES"},
               {"uid:gid", "0:0"}};
  return c;
}

Snapshot snapshot() {
  Snapshot s;
  s.taken = kTaken;
  s.info.router_id = "lb1";
  VirtualServerView v;
  v.name = "[192.0.2.10]:tcp:80";
  v.protocol = "TCP";
  v.scheduler = "wrr";
  v.method = "NAT";
  v.delay_loop_ms = 6000;
  v.quorum = 2;
  v.hysteresis = 1;
  v.quorum_up = true;
  v.alive_weight_sum = 3;
  v.persistence_timeout = 300;
  v.sorry_server = "[198.51.100.99]:tcp:80";
  v.quorum_down_script = "'/usr/local/bin/quorum-down'";
  RealServerView a;
  a.name = "[198.51.100.11]:tcp:80";
  a.address = "198.51.100.11";
  a.port = 80;
  a.method = "NAT";
  a.weight = 2;
  a.effective_weight = 2;
  a.notify_down = "'/usr/local/bin/rs-down'";
  a.checks = {tcp_check()};
  RealServerView b = a;
  b.name = "[198.51.100.12]:tcp:80";
  b.address = "198.51.100.12";
  b.weight = 2;
  b.effective_weight = 1;
  b.alive = false;
  b.in_pool = true;
  b.inhibit_on_failure = true;
  b.notify_down = "";
  b.checks = {misc_check()};
  v.real_servers = {a, b};
  s.virtual_servers = {v};
  return s;
}

TEST_F(KeepalivedCheckDataTest, WholeFileIsKeepalivedsLayout) {
  EXPECT_EQ(keepalived_check_data(snapshot()),
            "------< Global definitions >------\n"
            " Network namespace = (default)\n"
            " Router ID = lb1\n"
            "------< LVS Topology >------\n"
            " ------< Virtual server >------\n"
            " VS VIP = 192.0.2.10, VPORT = 80\n"
            "   Address family = inet\n"
            "   delay_loop = 6.000000\n"
            "   lvs_sched = wrr\n"
            "   persistence timeout = 300\n"
            "   protocol = TCP\n"
            "   alpha is OFF\n"
            "   omega is OFF\n"
            "   Inhibit on failure is OFF\n"
            "   quorum = 2, hysteresis = 1\n"
            "   Quorum down notify script = '/usr/local/bin/quorum-down'\n"
            "   default forwarding method = NAT\n"
            "   sorry server = [198.51.100.99]:tcp:80\n"
            "   quorum_state_up = 1\n"
            "   ------< Real server >------\n"
            "   RIP = 198.51.100.11, RPORT = 80, WEIGHT = 2 EFF WEIGHT = 2\n"
            "   forwarding method = NAT\n"
            "   Inhibit on failure is OFF\n"
            "     RS down notify script = '/usr/local/bin/rs-down'\n"
            "   initial weight = 2\n"
            "   effective weight = 2\n"
            "   alive = 1\n"
            "   num failed checkers = 0\n"
            "   RS set = 1\n"
            "   ------< Real server >------\n"
            "   RIP = 198.51.100.12, RPORT = 80, WEIGHT = 1 EFF WEIGHT = 1\n"
            "   forwarding method = NAT\n"
            "   Inhibit on failure is ON\n"
            "   initial weight = 2\n"
            "   effective weight = 1\n"
            "   alive = 0\n"
            "   num failed checkers = 1\n"
            "   RS set = 1\n"
            "------< Health checkers >------\n"
            " [192.0.2.10]:tcp:80 -> [198.51.100.11]:tcp:80\n"
            "   Enabled = yes\n"
            "   Up = yes\n"
            "   Has run = yes\n"
            "   Current weight = 0\n"
            "   Alpha = no\n"
            "   Delay loop = 6000000 us\n"
            "   Warmup = 0 us\n"
            "   Retries = 3\n"
            "   Delay before retry = 1500000 us\n"
            "   Connection\n"
            "     Dest = [198.51.100.11]:80\n"
            "     Timeout = 3.000000\n"
            "   Keepalive method = TCP_CHECK\n"
            " [192.0.2.10]:tcp:80 -> [198.51.100.12]:tcp:80\n"
            "   Enabled = yes\n"
            "   Up = no\n"
            "   Has run = yes\n"
            "   Current weight = -1\n"
            "   Alpha = yes\n"
            "   Delay loop = 5000000 us\n"
            "   Warmup = 2000000 us\n"
            "   Retries = 0\n"
            "   Keepalive method = MISC_CHECK\n"
            "   script = '/usr/local/bin/check.sh' 'web'\n"
            "   timeout = 10\n"
            "   dynamic = YES\n"
            "   uid:gid = 0:0\n"
            "   Last ran = 1795382999.250000 (Sun Nov 22 21:29:59 2026.250000)\n"
            "   Last status = 2\n");
}

// L2: a MISC_CHECK whose exit code goes 0 -> 2 -> 1 -> 0 shows each one as "Last status".
TEST_F(KeepalivedCheckDataTest, LastStatusFollowsEveryExitCode) {
  auto s = snapshot();
  auto& check = s.virtual_servers[0].real_servers[1].checks[0];
  for (const int code : {0, 2, 1, 0}) {
    check.last_exit_code = code;
    const auto text = keepalived_check_data(s);
    EXPECT_NE(text.find(fmt::format("   dynamic = YES\n   uid:gid = 0:0\n   Last ran = "
                                    "1795382999.250000 (Sun Nov 22 21:29:59 2026.250000)\n"
                                    "   Last status = {}\n",
                                    code)),
              std::string::npos)
        << text;
  }
}

// Before its first run keepalived writes the epoch and 0, and a kind without details its
// method line; FILE_CHECK has no timing lines and no connection; FWM and IPv6 services.
TEST_F(KeepalivedCheckDataTest, OtherFormsAndDefaults) {
  Snapshot s;
  VirtualServerView fwm;
  fwm.name = "FWM 5";
  fwm.protocol = "";
  fwm.scheduler = "rr";
  fwm.method = "DR";
  fwm.quorum_up = false;
  fwm.delay_loop_ms = 1500;
  RealServerView r;
  r.name = "[2001:db8::11]:tcp:443";
  r.address = "2001:db8::11";
  r.port = 443;
  r.method = "DR";
  CheckView misc;
  misc.kind = "MISC_CHECK";
  misc.enabled = false;
  CheckView file;
  file.kind = "FILE_CHECK";
  file.weight_contribution = 7;
  CheckView https;
  https.kind = "SSL_GET";
  https.target = "[2001:db8::11]:443";
  https.connect_timeout_ms = 2500;
  r.checks = {misc, file, https};
  fwm.real_servers = {r};
  VirtualServerView v6;
  v6.name = "[2001:db8::10]:udp:53";
  v6.protocol = "UDP";
  s.virtual_servers = {fwm, v6};
  const auto text = keepalived_check_data(s);
  EXPECT_NE(text.find(" VS FWMARK = 5\n   delay_loop = 1.500000\n   lvs_sched = rr\n"
                      "   protocol = none\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("   quorum_state_up = 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("   RIP = 2001:db8::11, RPORT = 443, WEIGHT = 1 EFF WEIGHT = 1\n"
                      "   forwarding method = DR\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(" VS VIP = 2001:db8::10, VPORT = 53\n   Address family = inet6\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("   Enabled = no\n"), std::string::npos) << text;
  EXPECT_NE(text.find("   Retries = 0\n   Keepalive method = MISC_CHECK\n"
                      "   Last ran = 0.000000 (Thu Jan  1 00:00:00 1970.000000)\n"
                      "   Last status = 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(" FWM 5 -> [2001:db8::11]:tcp:443\n   Enabled = yes\n   Up = yes\n"
                      "   Has run = no\n   Current weight = 7\n"
                      "   Keepalive method = FILE_CHECK\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("   Connection\n     Dest = [2001:db8::11]:443\n     Timeout = 2.500000\n"
                      "   Keepalive method = SSL_GET\n"),
            std::string::npos)
      << text;
}

TEST_F(KeepalivedCheckDataTest, NoServersNoSections) {
  EXPECT_EQ(keepalived_check_data(Snapshot{}),
            "------< Global definitions >------\n"
            " Network namespace = (default)\n");
}

}  // namespace
}  // namespace halo::status
