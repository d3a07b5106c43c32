// Keyword tables of the lvs area: values, ranges, defaults, errors, validation against what
// keepalived -t reports, and parse -> dump -> parse round trips (also on keepalived's samples).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/dump.h"
#include "test_util.h"

namespace halo::config::testing {
namespace {

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

// A virtual server that keepalived -t accepts, with `body` added inside it.
std::string vs(const std::string& body) {
  return "virtual_server 192.0.2.1 80 {\n"  // line 1
         "  protocol TCP\n"                 // line 2
         "  lb_algo rr\n"                   // line 3
         "  lb_kind NAT\n"                  // line 4
         + body +                           // line 5...
         "}\n";
}

// `body` inside a real server of that virtual server: body starts on line 6.
std::string rs(const std::string& body) {
  return vs("  real_server 192.0.2.10 80 {\n" + body + "  }\n");
}

const RealServer& first_rs(const Loaded& l) {
  return l.config->lvs.virtual_servers.at(0).real_servers.at(0);
}

// parse -> dump -> parse must give the same lvs model.
void expect_round_trip(const Loaded& first) {
  const std::string text = dump_keepalived(*first.config);
  auto second = load(text);
  EXPECT_TRUE(second.ok()) << rendered(second) << "\n" << text;
  EXPECT_TRUE(second.config->lvs == first.config->lvs) << text;
  EXPECT_FALSE(dump_json(*first.config).empty());
}

TEST(LvsTables, EmptyConfigIsClean) {
  auto l = load("");
  EXPECT_TRUE(l.ok()) << rendered(l);
}

TEST(LvsTables, VirtualServerValues) {
  auto l =
      load(vs("  delay_loop 6.5\n"
              "  persistence_timeout\n"
              "  persistence_granularity 255.255.255.0\n"
              "  persistence_engine sip\n"
              "  sh-port\n"  // line 9: before lvs_sched sh -> error
              "  lvs_sched sh\n"
              "  sh-port\n"
              "  flag-2\n"
              "  quorum 3\n"
              "  hysteresis 1\n"
              "  alpha\n"
              "  omega\n"
              "  ha_suspend\n"
              "  smtp_alert no\n"
              "  virtualhost www.example.com\n"
              "  inhibit_on_failure\n"
              "  connect_timeout 2\n"
              "  retry 4\n"
              "  sorry_server 192.0.2.99 80\n"
              "  sorry_server_inhibit\n"
              "  sorry_server_lvs_method DR\n"
              "  real_server 192.0.2.10 80 {\n"
              "    weight 5\n"
              "  }\n"));
  EXPECT_TRUE(has_error(l, 9, "sh-port")) << rendered(l);
  EXPECT_EQ(l.diagnostics.error_count(), 1u) << rendered(l);
  const auto& v = l.config->lvs.virtual_servers.at(0);
  EXPECT_EQ(v.kind, VirtualServerKind::Address);
  EXPECT_EQ(v.address, ip("192.0.2.1"));
  EXPECT_EQ(v.port, 80);
  EXPECT_EQ(v.protocol, LvsProtocol::Tcp);
  EXPECT_EQ(v.scheduler, LvsScheduler::Sh);
  ASSERT_TRUE(v.lvs_method);
  EXPECT_EQ(v.lvs_method->method, LvsMethod::Nat);
  EXPECT_EQ(v.delay_loop, std::chrono::milliseconds(6500));
  EXPECT_EQ(v.persistence_timeout, 360u);
  ASSERT_TRUE(v.persistence_granularity && v.persistence_granularity->netmask);
  EXPECT_EQ(*v.persistence_granularity->netmask, ip("255.255.255.0"));
  EXPECT_EQ(v.persistence_engine, "sip");
  EXPECT_TRUE(v.sh_port && v.flag_2 && v.alpha && v.omega && v.ha_suspend && v.inhibit_on_failure);
  EXPECT_EQ(v.quorum, 3u);
  EXPECT_EQ(v.hysteresis, 1u);
  EXPECT_EQ(v.smtp_alert, false);
  EXPECT_EQ(v.connect_timeout, std::chrono::seconds(2));
  EXPECT_EQ(v.retry, 4u);
  ASSERT_TRUE(v.sorry_server);
  EXPECT_EQ(v.sorry_server->port, 80);
  EXPECT_TRUE(v.sorry_server->inhibit);
  EXPECT_EQ(v.sorry_server->lvs_method->method, LvsMethod::Dr);
  expect_round_trip(l);
}

TEST(LvsTables, VirtualServerDefaults) {
  auto l = load(rs(""));
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& v = l.config->lvs.virtual_servers.at(0);
  EXPECT_EQ(v.delay_loop, std::chrono::seconds(60));
  EXPECT_EQ(v.quorum, 1u);
  EXPECT_FALSE(v.persistence_timeout);
  const auto& r = first_rs(l);
  EXPECT_EQ(r.weight, 1u);
  EXPECT_FALSE(r.options.has_value());
  EXPECT_TRUE(r.checkers.empty());
}

TEST(LvsTables, VirtualServerHeaders) {
  auto l = load(
      "virtual_server fwmark 7 {\n  lb_algo wlc\n  lb_kind DR\n  real_server 192.0.2.10 {\n  }\n}\n"
      "virtual_server_group G {\n  192.0.2.1 80\n}\n"
      "virtual_server group G {\n  protocol UDP\n  lb_algo rr\n  lb_kind NAT\n"
      "  real_server 192.0.2.10 80 {\n  }\n}\n"
      "virtual_server 2001:db8::1 443 {\n  protocol sctp\n  lvs_sched twos\n  lvs_method NAT\n"
      "  real_server 2001:db8::10 443 {\n  }\n}\n");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& s = l.config->lvs.virtual_servers;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].kind, VirtualServerKind::Fwmark);
  EXPECT_EQ(s[0].fwmark, 7u);
  EXPECT_EQ(s[1].kind, VirtualServerKind::Group);
  EXPECT_EQ(s[1].group, "G");
  EXPECT_EQ(s[2].address, ip("2001:db8::1"));
  EXPECT_EQ(s[2].protocol, LvsProtocol::Sctp);
  EXPECT_EQ(s[2].scheduler, LvsScheduler::Twos);
  expect_round_trip(l);
}

TEST(LvsTables, VirtualServerHeaderErrors) {
  auto l = load(
      "virtual_server 192.0.2.300 80 {\n}\n"
      "virtual_server 192.0.2.1 70000 {\n}\n"
      "virtual_server fwmark {\n}\n"
      "virtual_server fwmark 0 {\n}\n");
  EXPECT_TRUE(has_error(l, 1, "'192.0.2.300' is not a valid IP address")) << rendered(l);
  EXPECT_TRUE(has_error(l, 3, "port '70000' is out of range")) << rendered(l);
  EXPECT_TRUE(has_error(l, 5, "needs a mark")) << rendered(l);
  EXPECT_TRUE(has_error(l, 7, "value 0 is out of range")) << rendered(l);
  EXPECT_TRUE(l.config->lvs.virtual_servers.empty());
}

TEST(LvsTables, ValueErrors) {
  auto l =
      load(vs("  lvs_sched foo\n"               // 5
              "  protocol ICMP\n"               // 6
              "  delay_loop 0\n"                // 7
              "  connect_timeout 4295\n"        // 8
              "  retry 0\n"                     // 9
              "  persistence_timeout 0\n"       // 10
              "  quorum 0\n"                    // 11
              "  ip_family inet6\n"             // 12
              "  sorry_server_inhibit\n"        // 13
              "  sorry_server_lvs_method DR\n"  // 14
              "  real_server 192.0.2.10 80 {\n"
              "    weight -1\n"              // 16
              "    weight 2147483648\n"      // 17
              "    lthreshold 4294967296\n"  // 18
              "  }\n"));
  EXPECT_TRUE(has_error(l, 5, "'lvs_sched' takes rr|wrr")) << rendered(l);
  EXPECT_TRUE(has_error(l, 6, "'protocol' takes TCP|UDP|SCTP, not 'ICMP'"));
  EXPECT_TRUE(has_error(l, 7, "'delay_loop' value 0 is out of range"));
  EXPECT_TRUE(has_error(l, 8, "'connect_timeout' value 4295 is out of range"));
  EXPECT_TRUE(has_error(l, 9, "'retry' value 0 is out of range 1..4294967295"));
  EXPECT_TRUE(has_error(l, 10, "'persistence_timeout' value 0 is out of range"));
  EXPECT_TRUE(has_error(l, 11, "'quorum' value 0 is out of range"));
  EXPECT_TRUE(has_error(l, 12, "'ip_family' inet6 conflicts"));
  EXPECT_TRUE(has_error(l, 13, "needs a sorry_server before it"));
  EXPECT_TRUE(has_error(l, 14, "needs a sorry_server before it"));
  EXPECT_TRUE(has_error(l, 16, "'weight' value -1 is out of range 0..2147483647"));
  EXPECT_TRUE(has_error(l, 17, "'weight' value 2147483648 is out of range"));
  EXPECT_TRUE(has_error(l, 18, "'lthreshold' value 4294967296 is out of range"));
}

// keepalived ignores any word after a virtual_server flag, so these pass -t; halo warns.
TEST(LvsTables, VirtualServerFlagsLikeKeepalived) {
  auto l =
      load(vs("  omega 1\n"                              // 5
              "  ha_suspend x\n"                         // 6
              "  alpha false\n"                          // 7
              "  inhibit_on_failure true\n"              // 8
              "  hashed\n"                               // 9: needs sh or mh
              "  ops\n"                                  // 10: needs UDP
              "  persistence_engine abcdefghijklmnop\n"  // 11: too long
              "  real_server 192.0.2.10 80 {\n"
              "    DNS_CHECK {\n      type aaaa\n    }\n"
              "    MISC_CHECK {\n      misc_path /bin/x\n      misc_timeout 0\n    }\n"
              "  }\n"));
  EXPECT_TRUE(has_error(l, 9, "'hashed' only applies to the sh|mh scheduler")) << rendered(l);
  EXPECT_TRUE(has_error(l, 1, "'ops' (one-packet scheduling) needs protocol UDP"));
  EXPECT_TRUE(has_error(l, 11, "longer than 15 characters"));
  EXPECT_EQ(l.diagnostics.error_count(), 3u) << rendered(l);
  // omega 1, ha_suspend x, alpha false, and the MISC_CHECK script that does not exist.
  EXPECT_EQ(l.diagnostics.warning_count(), 4u) << rendered(l);
  const auto& v = l.config->lvs.virtual_servers.at(0);
  EXPECT_TRUE(v.omega && v.ha_suspend && v.inhibit_on_failure);
  EXPECT_FALSE(v.alpha);
  const auto& c = v.real_servers.at(0).checkers;
  EXPECT_EQ(std::get<DnsCheck>(c.at(0).kind).type, DnsType::Aaaa);
  EXPECT_EQ(std::get<MiscCheck>(c.at(1).kind).timeout, 0u);
}

TEST(LvsTables, ForwardingMethods) {
  auto l =
      load(vs("  real_server 192.0.2.10 80 {\n"
              "    lvs_method TUN type gue port 6080 csum\n"
              "  }\n"
              "  real_server 192.0.2.11 80 {\n"
              "    lvs_method TUN type gre\n"
              "  }\n"
              "  real_server 192.0.2.12 80 {\n"
              "    lvs_method TUN type gue\n"          // 12
              "    lvs_method TUN type ipip csum\n"    // 13
              "    lvs_method TUN type gre remcsum\n"  // 14
              "    lvs_method TUN type vxlan\n"        // 15
              "    lvs_method FOO\n"                   // 16
              "  }\n"));
  const auto& servers = l.config->lvs.virtual_servers.at(0).real_servers;
  ASSERT_EQ(servers.size(), 3u);
  const auto& f = *servers[0].options->lvs_method;
  EXPECT_EQ(f.method, LvsMethod::Tun);
  EXPECT_EQ(f.tunnel, TunnelType::Gue);
  EXPECT_EQ(f.tunnel_port, 6080);
  EXPECT_EQ(f.checksum, TunnelChecksum::Csum);
  EXPECT_EQ(servers[1].options->lvs_method->tunnel, TunnelType::Gre);
  EXPECT_TRUE(has_error(l, 12, "gue tunnel needs 'port'")) << rendered(l);
  EXPECT_TRUE(has_error(l, 13, "ipip tunnels have no checksum"));
  EXPECT_TRUE(has_error(l, 14, "gre tunnels do not support remcsum"));
  EXPECT_TRUE(has_error(l, 15, "tunnel type is ipip|gue|gre, not 'vxlan'"));
  EXPECT_TRUE(has_error(l, 16, "takes NAT|DR|TUN, not 'FOO'"));
  EXPECT_FALSE(servers[2].options->lvs_method);
}

TEST(LvsTables, RealServerOptions) {
  auto l =
      load(rs("    weight 5\n"
              "    uthreshold 100\n"
              "    lthreshold 10\n"
              "    inhibit_on_failure false\n"
              "    notify_up \"/nonexistent/notify up\"\n"
              "    notify_down /nonexistent/false\n"
              "    notify_down /nonexistent/true\n"  // 12: second one
              "    alpha\n"
              "    retry 2\n"
              "    delay_before_retry 0.5\n"
              "    warmup 0\n"
              "    delay_loop 10\n"
              "    smtp_alert\n"
              "    virtualhost rs.example.com\n"
              "    snmp_name rs1\n"));
  EXPECT_TRUE(has_error(l, 12, "'notify_down' given twice")) << rendered(l);
  const auto& r = first_rs(l);
  EXPECT_EQ(r.weight, 5u);
  const auto& o = *r.options;
  EXPECT_EQ(o.uthreshold, 100u);
  EXPECT_EQ(o.lthreshold, 10u);
  EXPECT_EQ(o.inhibit_on_failure, false);
  EXPECT_EQ(o.notify_up->command, "/nonexistent/notify up");
  EXPECT_EQ(o.notify_down->command, "/nonexistent/false");
  EXPECT_EQ(o.alpha, true);
  EXPECT_EQ(o.retry, 2u);
  EXPECT_EQ(o.delay_before_retry, std::chrono::milliseconds(500));
  EXPECT_EQ(o.warmup, Duration(0));
  EXPECT_EQ(o.delay_loop, std::chrono::seconds(10));
  EXPECT_EQ(o.smtp_alert, true);
  EXPECT_EQ(o.virtualhost, "rs.example.com");
  EXPECT_EQ(o.snmp_name, "rs1");
  expect_round_trip(l);
}

TEST(LvsTables, VirtualServerGroupRanges) {
  auto l = load(
      "virtual_server_group G1 {\n"
      "  192.0.2.1 80\n"               // 2
      "  192.0.2.3-10 80\n"            // 3
      "  192.0.2.250-192.0.3.10 81\n"  // 4
      "  192.0.2.8/29 82\n"            // 5
      "  2001:db8::1-1f 443\n"         // 6
      "  fwmark 3 inet\n"              // 7
      "  fwmark 4 inet6\n"             // 8
      "}\n");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& g = l.config->lvs.virtual_server_groups.at(0);
  EXPECT_EQ(g.name, "G1");
  ASSERT_EQ(g.ranges.size(), 5u);
  EXPECT_EQ(g.ranges[0].first, g.ranges[0].last);
  EXPECT_EQ(g.ranges[0].loc.line, 2u);
  EXPECT_EQ(g.ranges[1].first, ip("192.0.2.3"));
  EXPECT_EQ(g.ranges[1].last, ip("192.0.2.10"));
  EXPECT_EQ(g.ranges[1].loc.line, 3u);
  EXPECT_EQ(g.ranges[2].last, ip("192.0.3.10"));
  EXPECT_EQ(g.ranges[2].port, 81);
  EXPECT_EQ(g.ranges[3].first, ip("192.0.2.8"));
  EXPECT_EQ(g.ranges[3].last, ip("192.0.2.15"));
  EXPECT_EQ(g.ranges[4].last, ip("2001:db8::1f"));
  EXPECT_EQ(g.ranges[4].loc.line, 6u);
  ASSERT_EQ(g.fwmarks.size(), 2u);
  EXPECT_EQ(g.fwmarks[0].mark, 3u);
  EXPECT_EQ(g.fwmarks[0].family, Family::V4);
  EXPECT_EQ(g.fwmarks[1].family, Family::V6);
  EXPECT_EQ(g.fwmarks[1].loc.line, 8u);
  expect_round_trip(l);
}

TEST(LvsTables, VirtualServerGroupErrors) {
  auto l = load(
      "virtual_server_group G {\n"
      "  192.0.2.10-5 80\n"        // 2: end before start
      "  192.0.2.1-1 80\n"         // 3: not greater
      "  192.0.2.300 80\n"         // 4
      "  192.0.2.1 70000\n"        // 5
      "  fwmark x\n"               // 6
      "  fwmark 1 ipx\n"           // 7
      "  192.0.2.1-2001:db8::1\n"  // 8
      "}\n"
      "virtual_server_group EMPTY {\n"  // 10
      "}\n");
  EXPECT_TRUE(has_error(l, 2, "'192.0.2.10-5' does not end after it starts")) << rendered(l);
  EXPECT_TRUE(has_error(l, 3, "does not end after it starts"));
  EXPECT_TRUE(has_error(l, 4, "'192.0.2.300' is not a valid IP address"));
  EXPECT_TRUE(has_error(l, 5, "port '70000' is out of range"));
  EXPECT_TRUE(has_error(l, 6, "'fwmark' value x is out of range"));
  EXPECT_TRUE(has_error(l, 7, "family is inet|inet6, not 'ipx'"));
  EXPECT_TRUE(has_error(l, 8, "mixes IPv4 and IPv6"));
  EXPECT_TRUE(has_error(l, 10, "virtual_server_group 'EMPTY' has no entries"));
  EXPECT_TRUE(l.config->lvs.virtual_server_groups.empty());
}

TEST(LvsTables, CheckerCommonOptions) {
  auto l =
      load(rs("    TCP_CHECK {\n"
              "      connect_ip 192.0.2.20\n"
              "      connect_port 8080\n"
              "      bindto 192.0.2.2\n"
              "      bind_port 4000\n"
              "      bind_if eth0\n"
              "      connect_timeout 3\n"
              "      fwmark 0\n"
              "      retry 0\n"
              "      delay_before_retry 0\n"
              "      warmup 2\n"
              "      delay_loop 1.5\n"
              "      alpha no\n"
              "      log_all_failures\n"
              "    }\n"
              "    MISC_CHECK {\n"  // 21
              "      misc_path \"/bin/check arg\"\n"
              "      connect_port 80\n"  // 23: not a MISC_CHECK option
              "      retry 1\n"
              "    }\n"));
  EXPECT_TRUE(has_error(l, 23, "unknown keyword 'connect_port' in MISC_CHECK")) << rendered(l);
  EXPECT_EQ(l.diagnostics.error_count(), 1u) << rendered(l);
  const auto& checkers = first_rs(l).checkers;
  ASSERT_EQ(checkers.size(), 2u);
  const auto& c = checkers[0].common;
  EXPECT_TRUE(std::holds_alternative<TcpCheck>(checkers[0].kind));
  EXPECT_EQ(checkers[0].loc().line, 6u);
  EXPECT_EQ(c.connect_ip, ip("192.0.2.20"));
  EXPECT_EQ(c.connect_port, 8080);
  EXPECT_EQ(c.bindto, ip("192.0.2.2"));
  EXPECT_EQ(c.bind_port, 4000);
  EXPECT_EQ(c.bind_if, "eth0");
  EXPECT_EQ(c.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(c.fwmark, 0u);
  EXPECT_EQ(c.retry, 0u);
  EXPECT_EQ(c.delay_before_retry, Duration(0));
  EXPECT_EQ(c.warmup, std::chrono::seconds(2));
  EXPECT_EQ(c.delay_loop, std::chrono::milliseconds(1500));
  EXPECT_EQ(c.alpha, false);
  EXPECT_EQ(c.log_all_failures, true);
  const auto& misc = std::get<MiscCheck>(checkers[1].kind);
  EXPECT_EQ(misc.path->command, "/bin/check arg");
  EXPECT_EQ(checkers[1].common.retry, 1u);
}

TEST(LvsTables, CheckerCommonErrors) {
  auto l =
      load(rs("    TCP_CHECK {\n"
              "      connect_port 0\n"          // 7
              "      bind_port 65536\n"         // 8
              "      connect_timeout 0\n"       // 9
              "      delay_loop 0\n"            // 10
              "      connect_ip 192.0.2.256\n"  // 11
              "      alpha maybe\n"             // 12
              "    }\n"));
  EXPECT_TRUE(has_error(l, 7, "'connect_port' value 0 is out of range 1..65535")) << rendered(l);
  EXPECT_TRUE(has_error(l, 8, "'bind_port' value 65536 is out of range"));
  EXPECT_TRUE(has_error(l, 9, "'connect_timeout' value 0 is out of range"));
  EXPECT_TRUE(has_error(l, 10, "'delay_loop' value 0 is out of range"));
  EXPECT_TRUE(has_error(l, 11, "'192.0.2.256' is not a valid IP address"));
  EXPECT_TRUE(has_error(l, 12, "'alpha' takes on|off"));
}

TEST(LvsTables, HttpChecks) {
  auto l =
      load(rs("    HTTP_GET {\n"
              "      url {\n"
              "        path /health\n"
              "        digest 640205B7B0FC66C1EA91C463FAC6334D\n"
              "        status_code 200 300-302 503\n"
              "        virtualhost u.example.com\n"
              "        regex \"^OK\"\n"
              "        regex_no_match\n"
              "        regex_options caseless multiline\n"
              "        regex_stack 1000 20000\n"
              "        regex_min_offset 2\n"
              "        regex_max_offset 100\n"
              "      }\n"
              "      url {\n"
              "        path /second\n"
              "        status_code 99 200-199 600 12a\n"  // 21
              "        digest 12\n"                       // 22
              "      }\n"
              "      virtualhost h.example.com\n"
              "      http_protocol 1.0C\n"
              "      fast_recovery\n"
              "      nb_get_retry 4\n"  // 27: deprecated, an error in keepalived -t
              "    }\n"
              "    SSL_GET {\n"
              "      url {\n"
              "        path /\n"
              "      }\n"
              "      enable_sni\n"
              "      http_protocol 2\n"  // 34
              "    }\n"));
  for (const char* code : {"'99'", "'200-199'", "'600'", "'12a'"}) {
    EXPECT_TRUE(has_error(l, 21, std::string("'status_code' value ") + code)) << rendered(l);
  }
  EXPECT_TRUE(has_error(l, 22, "'digest' value '12' is not 32 hex digits"));
  EXPECT_TRUE(has_error(l, 27, "'nb_get_retry' is deprecated"));
  EXPECT_TRUE(has_error(l, 34, "'http_protocol' takes 1.0|1.0C|1.0c|1.1, not '2'"));
  const auto& checkers = first_rs(l).checkers;
  ASSERT_EQ(checkers.size(), 2u);
  const auto& h = std::get<HttpCheck>(checkers[0].kind);
  EXPECT_FALSE(h.ssl);
  ASSERT_EQ(h.urls.size(), 2u);
  const auto& u = h.urls[0];
  EXPECT_EQ(u.path, "/health");
  EXPECT_EQ(u.digest, "640205b7b0fc66c1ea91c463fac6334d");
  ASSERT_EQ(u.status_codes.size(), 3u);
  EXPECT_EQ(u.status_codes[1].min, 300);
  EXPECT_EQ(u.status_codes[1].max, 302);
  EXPECT_EQ(u.virtualhost, "u.example.com");
  EXPECT_EQ(u.regex, "^OK");
  EXPECT_TRUE(u.regex_no_match);
  EXPECT_EQ(u.regex_options, (std::vector<std::string>{"caseless", "multiline"}));
  EXPECT_EQ(u.regex_stack, (std::pair<std::uint64_t, std::uint64_t>{1000, 20000}));
  EXPECT_EQ(u.regex_min_offset, 2u);
  EXPECT_EQ(u.regex_max_offset, 100u);
  EXPECT_TRUE(h.urls[1].status_codes.empty());
  EXPECT_EQ(h.virtualhost, "h.example.com");
  EXPECT_EQ(h.http_protocol, HttpProtocol::V1_0C);
  EXPECT_EQ(h.fast_recovery, true);
  EXPECT_EQ(checkers[0].common.retry, 4u);
  const auto& s = std::get<HttpCheck>(checkers[1].kind);
  EXPECT_TRUE(s.ssl);
  EXPECT_EQ(s.enable_sni, true);
}

// keepalived only logs these (-t passes); halo warns and ignores them.
TEST(LvsTables, UrlOptionsKeepaliveOnlyLogs) {
  auto l =
      load(rs("    HTTP_GET {\n      url {\n        path /\n"
              "        status_code\n"         // 9
              "        regex_stack 10 5\n"    // 10
              "        regex_min_offset x\n"  // 11
              "        regex_no_match\n"      // without regex
              "      }\n    }\n"));
  EXPECT_TRUE(l.ok()) << rendered(l);
  EXPECT_EQ(l.diagnostics.warning_count(), 4u) << rendered(l);
  const auto& u = std::get<HttpCheck>(first_rs(l).checkers.at(0).kind).urls.at(0);
  EXPECT_TRUE(u.status_codes.empty());
  EXPECT_FALSE(u.regex_stack);
  EXPECT_FALSE(u.regex_min_offset);
}

TEST(LvsTables, OtherCheckers) {
  auto l = load(
      "track_file TF { file /tmp/halo-tf } bfd_instance B1 {\n  neighbor_ip 192.0.2.10\n}\n"
      "virtual_server 192.0.2.1 53 {\n  protocol UDP\n  lb_algo rr\n  lb_kind NAT\n"
      "  real_server 192.0.2.10 53 {\n"
      "    SMTP_CHECK {\n"  // 9
      "      helo_name mx.example.com\n"
      "      host {\n        connect_ip 192.0.2.20\n        connect_port 25\n      }\n"
      "      host {\n        connect_ip 192.0.2.21\n      }\n"
      "    }\n"
      "    DNS_CHECK {\n      type AAAA\n      name example.com\n    }\n"
      "    UDP_CHECK {\n      payload Ab12f 3 456 546443123\n      require_reply 1x x2\n"
      "      min_reply_length 2\n      max_reply_length 300\n    }\n"
      "    PING_CHECK {\n      retry 2\n    }\n"
      "    FILE_CHECK {\n      track_file TF\n      weight -5 reverse\n    }\n"
      "    BFD_CHECK {\n      name B1\n      alpha\n    }\n"
      "    MISC_CHECK {\n      misc_path /bin/check\n      misc_timeout 5\n"
      "      misc_dynamic\n      user root root\n    }\n"
      "  }\n}\n");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& c = first_rs(l).checkers;
  ASSERT_EQ(c.size(), 7u);
  const auto& smtp = std::get<SmtpCheck>(c[0].kind);
  EXPECT_EQ(smtp.helo_name, "mx.example.com");
  ASSERT_EQ(smtp.hosts.size(), 2u);
  EXPECT_EQ(smtp.hosts[0].connect_port, 25);
  EXPECT_EQ(smtp.hosts[1].connect_ip, ip("192.0.2.21"));
  const auto& dns = std::get<DnsCheck>(c[1].kind);
  EXPECT_EQ(dns.type, DnsType::Aaaa);
  EXPECT_EQ(dns.name, "example.com");
  const auto& udp = std::get<UdpCheck>(c[2].kind);
  EXPECT_EQ(udp.payload,
            "AB120F03450654644312"
            "03");  // keepalived's reading of the man example
  EXPECT_TRUE(udp.require_reply);
  EXPECT_EQ(udp.reply, "1XX2");
  EXPECT_EQ(udp.max_reply_length, 300u);
  EXPECT_EQ(std::get<PingCheck>(c[3].kind), PingCheck{});
  EXPECT_EQ(c[3].common.retry, 2u);
  const auto& file = std::get<FileCheck>(c[4].kind);
  EXPECT_EQ(file.track_file, "TF");
  EXPECT_EQ(file.weight, -5);
  EXPECT_TRUE(file.reverse);
  EXPECT_EQ(std::get<BfdCheck>(c[5].kind).name, "B1");
  EXPECT_EQ(c[5].common.alpha, true);
  const auto& misc = std::get<MiscCheck>(c[6].kind);
  EXPECT_EQ(misc.timeout, 5u);
  EXPECT_TRUE(misc.dynamic);
  EXPECT_EQ(misc.path->user, "root");
  EXPECT_EQ(misc.path->group, "root");
  expect_round_trip(l);
}

TEST(LvsTables, CheckerErrors) {
  auto l =
      load(rs("    UDP_CHECK {\n"
              "      payload zz\n"  // 7
              "      require_reply 1x\n"
              "      min_reply_length 10\n"
              "      max_reply_length 5\n"
              "    }\n"
              "    DNS_CHECK {\n"
              "      type FOO\n"  // 13
              "    }\n"
              "    FILE_CHECK {\n"         // 15
              "      weight 1 sideways\n"  // 16
              "      dynamic\n"            // 17
              "      retry 1\n"            // 18
              "    }\n"
              "    BFD_CHECK {\n"  // 20
              "      name NOPE\n"
              "    }\n"
              "    MISC_CHECK {\n"  // 23
              "      misc_timeout 5\n"
              "      user no-such-user-here\n"  // 25
              "    }\n"
              "    HTTP_GET {\n"  // 27
              "    }\n"
              "    SSL_GET {\n"
              "      url {\n"  // 30
              "        digest 640205b7b0fc66c1ea91c463fac6334d\n"
              "      }\n"
              "    }\n"));
  EXPECT_TRUE(has_error(l, 7, "'payload' value 'zz' is not a hex string")) << rendered(l);
  EXPECT_TRUE(has_error_anywhere(l, "'min_reply_length' 10 is above 'max_reply_length' 5"));
  EXPECT_TRUE(has_error(l, 13, "'type' takes A|NS|CNAME|SOA|MX|TXT|AAAA|RRSIG|DNSKEY"));
  EXPECT_TRUE(has_error(l, 15, "FILE_CHECK has no 'track_file'"));
  EXPECT_TRUE(has_error(l, 16, "'weight' takes reverse|noreverse, not 'sideways'"));
  EXPECT_TRUE(has_error(l, 17, "'dynamic' is not supported by halo"));
  EXPECT_TRUE(has_error(l, 18, "unknown keyword 'retry' in FILE_CHECK"));
  EXPECT_TRUE(has_error(l, 20, "names bfd_instance 'NOPE', which is not configured"));
  EXPECT_TRUE(has_error(l, 23, "MISC_CHECK has no 'misc_path'"));
  EXPECT_TRUE(has_error(l, 25, "user 'no-such-user-here' does not exist"));
  EXPECT_TRUE(has_error(l, 27, "HTTP_GET has no url block"));
  EXPECT_TRUE(has_error(l, 30, "url has no 'path'"));
}

// What keepalived -t reports once the blocks are read (probed with keepalived 2.2.7).
TEST(LvsTables, Validation) {
  auto l = load(
      "virtual_server 192.0.2.1 80 {\n"  // 1: no protocol, lb_algo, lb_kind, real servers
      "}\n"
      "virtual_server 192.0.2.2 {\n"  // 3: no port, not persistent
      "  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n"
      "  real_server 192.0.2.10 80 {\n  }\n"
      "  real_server 2001:db8::10 80 {\n  }\n"                      // 9: wrong family
      "  real_server 2001:db8::11 80 {\n    lvs_method TUN\n  }\n"  // tunnelled: fine
      "  real_server 192.0.2.10 80 {\n  }\n"                        // 14: duplicate
      "  sorry_server 2001:db8::99 80\n"                            // 16: wrong family
      "}\n"
      "virtual_server group NOPE {\n"  // 18: no such group
      "  lb_algo rr\n  lb_kind NAT\n"
      "  real_server 192.0.2.10 80 {\n  }\n"
      "}\n"
      "virtual_server fwmark 3 {\n"  // 24: protocol for a fwmark; port with DR
      "  protocol TCP\n  lb_algo rr\n  lb_kind DR\n"
      "  real_server 192.0.2.10 80 {\n"                     // 28
      "    TCP_CHECK {\n      bindto 2001:db8::1\n    }\n"  // 29
      "  }\n"
      "}\n"
      "virtual_server_group MIXED {\n  192.0.2.1 80\n  2001:db8::1 80\n  fwmark 1\n}\n");  // 34
  EXPECT_TRUE(has_error(l, 1, "has no 'protocol'")) << rendered(l);
  EXPECT_TRUE(has_error(l, 1, "has no 'lvs_sched'"));
  EXPECT_TRUE(has_error(l, 1, "has no 'lvs_method'"));
  EXPECT_TRUE(has_error(l, 1, "has no real_server"));
  EXPECT_TRUE(has_error(l, 3, "has no port: only persistent services"));
  EXPECT_TRUE(has_error(l, 9, "real_server 2001:db8::10 is IPv6 but virtual_server"));
  EXPECT_FALSE(has_error_anywhere(l, "2001:db8::11"));
  EXPECT_TRUE(has_error(l, 14, "real_server 192.0.2.10:80 is given twice"));
  EXPECT_TRUE(has_error(l, 16, "sorry_server 2001:db8::99 is IPv6"));
  EXPECT_TRUE(has_error(l, 18, "virtual_server group 'NOPE' names no virtual_server_group"));
  EXPECT_TRUE(has_error(l, 24, "uses fwmarks: 'protocol' does not apply"));
  EXPECT_TRUE(has_error(l, 28, "has a port, which only NAT uses"));
  EXPECT_TRUE(has_error(l, 29, "'bindto' 2001:db8::1 is IPv6"));
  EXPECT_TRUE(has_error(l, 34, "its fwmarks need a family"));
}

TEST(LvsTables, ValidationOfPortsQuorumAndOrder) {
  auto l = load(
      "virtual_server 192.0.2.1 80 {\n"  // 1: quorum above the total weight
      "  protocol TCP\n  lb_algo rr\n  lb_kind DR\n  quorum 3\n"
      "  sorry_server 192.0.2.99 8080\n"   // 6: DR sorry server on another port
      "  real_server 192.0.2.10 8080 {\n"  // 7: DR real server on another port
      "    weight 2\n"
      "    BFD_CHECK {\n      name LATER\n    }\n"  // 9: bfd_instance comes later
      "  }\n"
      "}\n"
      "virtual_server 192.0.2.2 80 {\n"  // 14: hysteresis not below quorum
      "  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n  quorum 2\n  hysteresis 2\n"
      "  real_server 192.0.2.10 8080 {\n    weight 5\n  }\n"  // NAT: ports may differ
      "}\n"
      "bfd_instance LATER {\n  neighbor_ip 192.0.2.10\n  ttl 200\n  max_hops -1\n}\n");  // 24
  EXPECT_TRUE(has_error(l, 1, "quorum 3 exceeds the total weight 2")) << rendered(l);
  EXPECT_TRUE(has_error(l, 6, "sorry_server port 8080 must be the virtual server's port 80"));
  EXPECT_TRUE(has_error(l, 7, "uses DR forwarding, so its port must be the virtual server's"));
  EXPECT_TRUE(has_error(l, 9, "configured only later (line 24)"));
  EXPECT_TRUE(has_error(l, 14, "hysteresis 2 must be below the quorum 2"));
  EXPECT_TRUE(has_error(l, 24, "max_hops 255 exceeds ttl/hoplimit 200"));
  EXPECT_EQ(l.diagnostics.error_count(), 6u) << rendered(l);
}

TEST(LvsTables, ValidationOfFwmarkServices) {
  auto l = load(
      "virtual_server_group G {\n  fwmark 1\n}\n"
      "virtual_server group G {\n  lb_algo rr\n  lb_kind DR\n"
      "  real_server 192.0.2.10 80 {\n  }\n"  // 7: DR real server with a port
      "}\n"
      "virtual_server fwmark 2 {\n  lb_algo rr\n  lb_kind DR\n"
      "  sorry_server 192.0.2.9 80\n"  // 13: DR sorry server with a port
      "  real_server 192.0.2.10 {\n  }\n"
      "}\n"
      "virtual_server fwmark 4 {\n  lb_algo rr\n  lb_kind NAT\n"
      "  persistence_granularity 255.255.255.0\n"  // the netmask makes the service IPv4
      "  real_server 2001:db8::10 80 {\n  }\n"     // 21
      "}\n");
  EXPECT_TRUE(has_error(l, 7, "has a port, which only NAT uses")) << rendered(l);
  EXPECT_TRUE(has_error(l, 13, "takes no port"));
  EXPECT_TRUE(has_error(l, 21, "real_server 2001:db8::10 is IPv6"));
  EXPECT_EQ(l.diagnostics.error_count(), 3u) << rendered(l);
}

TEST(LvsTables, ValidationOfCheckerAddresses) {
  auto l = load(
      "virtual_server 2001:db8::1 80 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n"
      "  real_server fe80::10 80 {\n"
      "    TCP_CHECK {\n    }\n"                                  // 6: link-local needs bind_if
      "    TCP_CHECK {\n      bind_if eth0\n    }\n"              // fine
      "    MISC_CHECK {\n      misc_path /bin/x\n    }\n"         // does not connect: fine
      "    TCP_CHECK {\n      bind_if abcdefghijklmnop\n    }\n"  // 14, 15: too long
      "  }\n}\n");
  EXPECT_TRUE(has_error(l, 6, "fe80::10 is link-local: it needs 'bind_if'")) << rendered(l);
  EXPECT_TRUE(has_error(l, 15, "longer than 15 characters"));
  EXPECT_TRUE(has_error(l, 14, "link-local"));  // the bind_if was dropped
  EXPECT_EQ(l.diagnostics.error_count(), 3u) << rendered(l);
}

TEST(LvsTables, ValidConfigsPass) {
  // Each of these passes keepalived -t.
  for (const std::string& text : {
           rs(""),
           // persistent service without a port; real server port differs
           std::string("virtual_server 192.0.2.1 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n"
                       "  persistence_timeout 30\n  real_server 192.0.2.10 80 {\n  }\n}\n"),
           // fwmark service, NAT real server with a port
           std::string("virtual_server fwmark 1 {\n  lb_algo rr\n  lb_kind NAT\n"
                       "  real_server 192.0.2.10 80 {\n  }\n}\n"),
           // IPv6 service with a tunnelled IPv4 real server
           std::string("virtual_server 2001:db8::1 80 {\n  protocol TCP\n  lb_algo rr\n"
                       "  lb_kind TUN\n  real_server 192.0.2.10 80 {\n  }\n}\n"),
           // group of fwmarks only, no protocol
           std::string("virtual_server_group G {\n  fwmark 1\n}\nvirtual_server group G {\n"
                       "  lb_algo rr\n  lb_kind NAT\n  real_server 192.0.2.10 80 {\n  }\n}\n"),
       }) {
    auto l = load(text);
    EXPECT_TRUE(l.ok()) << rendered(l) << text;
  }
}

TEST(LvsTables, BfdInstance) {
  auto l = load(
      "bfd_instance B1 {\n"
      "  neighbour_ip 192.0.2.10\n"
      "  source_ip 192.0.2.1\n"
      "  min_rx 20.5\n"
      "  min_tx 3.312\n"
      "  idle_tx 2000\n"
      "  multiplier 3\n"
      "  passive\n"
      "  hoplimit 255\n"
      "  max_hops -1\n"
      "  weight -10 reverse\n"
      "  vrrp\n"
      "  checker\n"
      "}\n");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& b = l.config->lvs.bfd_instances.at(0);
  EXPECT_EQ(b.name, "B1");
  EXPECT_EQ(b.neighbor_ip, ip("192.0.2.10"));
  EXPECT_EQ(b.source_ip, ip("192.0.2.1"));
  EXPECT_EQ(b.min_rx, std::chrono::microseconds(20500));
  EXPECT_EQ(b.min_tx, std::chrono::microseconds(3312));
  EXPECT_EQ(b.idle_tx, std::chrono::seconds(2));
  EXPECT_EQ(b.multiplier, 3);
  EXPECT_TRUE(b.passive);
  EXPECT_EQ(b.ttl, 255);
  EXPECT_EQ(b.max_hops, -1);
  EXPECT_EQ(b.weight, -10);
  EXPECT_TRUE(b.weight_reverse && b.vrrp && b.checker);
  expect_round_trip(l);
}

TEST(LvsTables, BfdErrors) {
  auto l = load(
      "bfd_instance B1 {\n"
      "  neighbor_ip 192.0.2.10\n"
      "  min_rx 0\n"        // 3
      "  idle_tx 999\n"     // 4
      "  multiplier 256\n"  // 5
      "  ttl 0\n"           // 6
      "  max_hops 256\n"    // 7
      "  weight 254\n"      // 8
      "  weight 10 foo\n"   // 9
      "}\n"
      "bfd_instance B2 {\n"  // 11: no neighbor
      "}\n"
      "bfd_instance B1 {\n"  // 13: duplicate name and neighbor
      "  neighbor_ip 192.0.2.10\n"
      "}\n"
      "bfd_instance B3 {\n"  // 16: family mismatch
      "  neighbor_ip 192.0.2.13\n  source_ip 2001:db8::1\n"
      "}\n"
      "bfd_instance B4 {\n"  // 20: max_hops above the IPv6 default hoplimit
      "  neighbor_ip 2001:db8::2\n  max_hops 100\n"
      "}\n"
      "bfd_instance b123456789012345678901234567890123 {\n"  // 24
      "  neighbor_ip 192.0.2.14\n"
      "}\n");
  EXPECT_TRUE(has_error(l, 3, "'min_rx' value 0 is out of range 1..4294967 milliseconds"))
      << rendered(l);
  EXPECT_TRUE(has_error(l, 4, "'idle_tx' value 999 is out of range 1000..4294967"));
  EXPECT_TRUE(has_error(l, 5, "'multiplier' value 256 is out of range 1..255"));
  EXPECT_TRUE(has_error(l, 6, "'ttl' value 0 is out of range 1..255"));
  EXPECT_TRUE(has_error(l, 7, "'max_hops' value 256 is out of range -1..255"));
  EXPECT_TRUE(has_error(l, 8, "'weight' value 254 is out of range -253..253"));
  EXPECT_TRUE(has_error(l, 9, "'weight' takes 'reverse', not 'foo'"));
  EXPECT_TRUE(has_error(l, 11, "bfd_instance 'B2' has no 'neighbor_ip'"));
  EXPECT_TRUE(has_error(l, 13, "bfd_instance 'B1' is configured twice"));
  EXPECT_TRUE(has_error(l, 13, "the same neighbor_ip 192.0.2.10"));
  EXPECT_TRUE(has_error(l, 16, "are not of the same family"));
  EXPECT_TRUE(has_error(l, 20, "max_hops 100 exceeds ttl/hoplimit 64"));
  EXPECT_TRUE(has_error(l, 24, "is longer than 31 characters"));
}

TEST(LvsTables, GarbageNeverCrashes) {
  for (const char* text : {
           "virtual_server\n",
           "virtual_server {\n}\n",
           "virtual_server_group {\n}\n",
           "virtual_server_group G\n",
           "virtual_server 192.0.2.1 80 {\n  real_server {\n    HTTP_GET {\n      url\n",
           "virtual_server 192.0.2.1 80 {\n  lvs_method TUN type\n  lvs_method TUN port\n}\n",
           "virtual_server 192.0.2.1 80 {\n  real_server 192.0.2.2 80 {\n    UDP_CHECK {\n"
           "      payload\n      require_reply x\n    }\n  }\n}\n",
           "bfd_instance {\n}\nbfd_instance B {\n  weight\n  min_rx x\n}\n",
       }) {
    auto l = load(text);
    EXPECT_FALSE(l.ok()) << text;
  }
}

TEST(LvsTables, RoundTripRepresentative) {
  auto l = load(
      "virtual_server_group G {\n  192.0.2.1-20 80\n  198.51.100.0/30 443\n  fwmark 9 inet\n}\n"
      "virtual_server group G {\n  protocol TCP\n  lvs_sched mh\n  mh-port\n  mh-fallback\n"
      "  flag-1\n  hashed\n  lvs_method TUN type gue port 9999 remcsum\n"
      "  persistence_timeout 600\n  quorum_up \"/nonexistent/notify up\"\n  quorum_down "
      "/nonexistent/false\n"
      "  weight 3\n  warmup 1.25\n  delay_before_retry 2\n"
      "  real_server 192.0.2.30 {\n    weight 2\n    lvs_method DR\n"
      "    HTTP_GET {\n      url {\n        path /\n        status_code 200-299 301\n      }\n"
      "      url {\n        path \"/with space\"\n      }\n    }\n"
      "    TCP_CHECK {\n    }\n    HTTP_GET {\n      url {\n        path /x\n      }\n    }\n"
      "  }\n}\n"
      "virtual_server 2001:db8::1 443 {\n  protocol TCP\n  lb_algo wrr\n  lb_kind NAT\n"
      "  persistence_granularity 64\n  ip_family inet6\n"
      "  real_server 2001:db8::5 {\n  }\n}\n");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& checkers = l.config->lvs.virtual_servers.at(0).real_servers.at(0).checkers;
  ASSERT_EQ(checkers.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<TcpCheck>(checkers[1].kind)) << "checker order is kept";
  expect_round_trip(l);
}

// keepalived's samples hold global_defs, vrrp_instance and SSL blocks too, which other parts of
// halo own: this test keeps only the top-level LVS blocks (virtual_server_group,
// virtual_server, bfd_instance) of each sample, then checks that they pass and round-trip.
std::string lvs_blocks_of(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  int depth = 0;
  bool keep = false;
  while (std::getline(in, line)) {
    std::string code = line.substr(0, line.find_first_of("!#"));
    if (depth == 0) {
      std::istringstream words(code);
      std::string first;
      words >> first;
      if (first.empty()) continue;
      keep =
          first == "virtual_server" || first == "virtual_server_group" || first == "bfd_instance";
    }
    for (char c : code) depth += c == '{' ? 1 : c == '}' ? -1 : 0;
    if (keep) out += line + "\n";
  }
  return out;
}

TEST(LvsTables, KeepalivedSamplesRoundTrip) {
  const std::filesystem::path dir = "/usr/share/doc/keepalived/samples";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " is missing";
  for (const char* name : {"HTTP_GET.port", "PING_CHECK", "SMTP_CHECK", "SSL_GET", "UDP_CHECK",
                           "fwmark", "inhibit", "misc_check", "misc_check_arg", "quorum", "sample",
                           "status_code", "virtual_server_group", "virtualhost"}) {
    SCOPED_TRACE(name);
    std::ifstream f(dir / (std::string("keepalived.conf.") + name));
    if (!f) GTEST_SKIP() << name << " is missing";
    std::stringstream text;
    text << f.rdbuf();
    auto l = load(lvs_blocks_of(text.str()));
    bool any_lvs = !l.config->lvs.virtual_servers.empty();
    EXPECT_TRUE(any_lvs);
    if (std::string(name) == "fwmark") {
      // keepalived -t fails this sample too: it sets 'protocol' on fwmark services.
      EXPECT_TRUE(has_error_anywhere(l, "'protocol' does not apply")) << rendered(l);
    } else {
      EXPECT_TRUE(l.ok()) << rendered(l);
    }
    const std::string dumped = dump_keepalived(*l.config);
    auto again = load(dumped);
    EXPECT_TRUE(again.config->lvs == l.config->lvs) << dumped;
  }
}

}  // namespace
}  // namespace halo::config::testing
