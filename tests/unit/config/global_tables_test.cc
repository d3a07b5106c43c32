// Keyword tables of the global area: values, ranges, defaults, errors, round trips, and the
// script security check.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/dump.h"
#include "config/lexer.h"
#include "config/parser.h"
#include "config/tables/global_ip_items.h"
#include "config/validate.h"
#include "test_util.h"

namespace halo::config::testing {
namespace {

const GlobalConfig& global(const Loaded& l) {
  return l.config->global;
}
const GlobalDefs& defs(const Loaded& l) {
  return l.config->global.defs;
}

std::size_t count_impact(const Loaded& l, Impact impact) {
  std::size_t n = 0;
  for (const auto& d : l.diagnostics.all()) n += d.impact == impact ? 1 : 0;
  return n;
}

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

// parse -> dump -> parse gives an equal model.
void expect_round_trip(const std::string& text, KeywordMode mode = KeywordMode::Strict) {
  auto first = load(text, mode);
  const auto dumped = dump_keepalived(*first.config);
  auto second = load(dumped, mode);
  EXPECT_TRUE(*first.config == *second.config) << "dump:\n" << dumped << rendered(second);
  EXPECT_EQ(dump_keepalived(*second.config), dumped);
}

TEST(GlobalTables, EmptyConfigIsClean) {
  auto l = load("");
  EXPECT_TRUE(l.ok()) << rendered(l);
}

TEST(GlobalTables, Defaults) {
  auto l = load("global_defs {\n}\n");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& d = defs(l);
  EXPECT_EQ(d.vrrp_version, 2);
  EXPECT_EQ(d.vrrp_garp_master_delay, 5);
  EXPECT_EQ(d.vrrp_garp_master_repeat, 5u);
  EXPECT_EQ(d.vrrp_garp_master_refresh_repeat, 1u);
  EXPECT_EQ(d.vrrp_down_timer_adverts, 3);
  EXPECT_EQ(d.smtp_connect_timeout, 30);
  EXPECT_EQ(d.startup_script_timeout, 10);
  EXPECT_EQ(d.default_interface, "eth0");
  EXPECT_EQ(d.vrrp_mcast_group4, ip("224.0.0.18"));
  EXPECT_EQ(d.vrrp_mcast_group6, ip("ff02::12"));
  EXPECT_EQ(d.vmac_prefix, "vrrp");
  EXPECT_EQ(d.vrrp_rlimit_rttime, 10000u);
  EXPECT_EQ(d.nftables_priority, -1);
  EXPECT_EQ(d.nftables_ipvs_start_fwmark, 1000u);
  EXPECT_EQ(d.vrrp_rx_bufs_multiplier, 3u);
  EXPECT_FALSE(d.nftables);
  EXPECT_FALSE(d.enable_script_security);
  EXPECT_EQ(global(l).child_wait_time, 5u);
  // Nothing differs from the defaults, so nothing is dumped.
  EXPECT_EQ(dump_keepalived(*l.config), "");
}

TEST(GlobalTables, SimpleValues) {
  auto l = load(R"(global_defs {
    router_id LVS_DEVEL
    notification_email {
        admin@example.com
        ops@example.com
    }
    notification_email_from keepalived@example.com
    smtp_helo_name mail.example.com
    smtp_connect_timeout 20
    smtp_alert off
    checker_log_all_failures
    vrrp_version 3
    vrrp_garp_master_delay 10
    vrrp_garp_master_repeat 2
    vrrp_garp_lower_prio_repeat 0
    vrrp_garp_interval 0.001
    vrrp_gna_interval 0.000001
    vrrp_startup_delay 5.5
    vrrp_strict
    vrrp_priority -5
    vrrp_rt_priority 50
    vrrp_mcast_group4 239.1.2.3
    vrrp_mcast_group6 ff02::99
    default_interface eth1
    nftables
    nftables_ipvs my_ipvs
    nftables_priority -200
    enable_script_security
    vrrp_rx_bufs_policy ADVERT
    vrrp_netlink_cmd_rcv_bufs 1048576
    vrrp_netlink_cmd_rcv_bufs_force yes
    random_seed 42
    reload_file
    reload_check_config /var/log/check.log
    data_use_instance
}
)");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& d = defs(l);
  EXPECT_EQ(d.router_id, "LVS_DEVEL");
  EXPECT_EQ(d.notification_email,
            (std::vector<std::string>{"admin@example.com", "ops@example.com"}));
  EXPECT_EQ(d.notification_email_from, "keepalived@example.com");
  EXPECT_EQ(d.smtp_helo_name, "mail.example.com");
  EXPECT_EQ(d.smtp_connect_timeout, 20);
  EXPECT_EQ(d.smtp_alert, false);
  EXPECT_TRUE(d.checker_log_all_failures);
  EXPECT_EQ(d.vrrp_version, 3);
  EXPECT_EQ(d.vrrp_garp_master_delay, 10);
  EXPECT_EQ(d.vrrp_garp_master_repeat, 2u);
  EXPECT_EQ(d.vrrp_garp_lower_prio_repeat, 0u);
  EXPECT_EQ(d.vrrp_garp_interval, Duration(1000));
  EXPECT_EQ(d.vrrp_gna_interval, Duration(1));
  EXPECT_EQ(d.vrrp_startup_delay, Duration(5'500'000));
  EXPECT_TRUE(d.vrrp_strict);
  EXPECT_EQ(d.vrrp_priority, -5);
  EXPECT_EQ(d.vrrp_rt_priority, 50);
  EXPECT_EQ(d.vrrp_mcast_group4, ip("239.1.2.3"));
  EXPECT_EQ(d.vrrp_mcast_group6, ip("ff02::99"));
  EXPECT_EQ(d.default_interface, "eth1");
  EXPECT_EQ(d.nftables, "keepalived");
  EXPECT_EQ(d.nftables_ipvs, "my_ipvs");
  EXPECT_EQ(d.nftables_priority, -200);
  EXPECT_TRUE(d.enable_script_security);
  ASSERT_TRUE(d.vrrp_rx_bufs_policy);
  EXPECT_EQ(d.vrrp_rx_bufs_policy->kind, RxBufsPolicyKind::Advert);
  EXPECT_EQ(d.vrrp_netlink_cmd_rcv_bufs, 1048576u);
  EXPECT_TRUE(d.vrrp_netlink_cmd_rcv_bufs_force);
  EXPECT_EQ(d.random_seed, 42u);
  EXPECT_EQ(d.reload_file, "");
  EXPECT_EQ(d.reload_check_config, "/var/log/check.log");
  EXPECT_TRUE(d.data_use_instance);
}

TEST(GlobalTables, RangeErrorsPointAtTheValue) {
  auto l = load(R"(global_defs {
    vrrp_version 4
    smtp_connect_timeout 0
    vrrp_garp_interval 0
    vrrp_startup_delay 5000
    vrrp_priority 20
    max_auto_priority 100
    min_auto_priority_delay 0
    vrrp_garp_extra_if 86401
    vrrp_down_timer_adverts 101
    startup_script_timeout 1001
    vrrp_rlimit_rttime 0
    random_seed -1
    vrrp_garp_master_repeat 0
    nftables_ipvs_start_fwmark 0
    vrrp_rt_priority 100
    vrrp_mcast_group4 192.0.2.1
    vrrp_mcast_group6 224.0.0.18
    smtp_alert maybe
    umask 01000
    umask FOO
}
)");
  EXPECT_TRUE(has_error(l, 2, "'vrrp_version' value 4 is out of range 2..3")) << rendered(l);
  EXPECT_TRUE(has_error(l, 3, "'smtp_connect_timeout' value 0 is out of range 1..4294"));
  EXPECT_TRUE(has_error(l, 4, "'vrrp_garp_interval' value 0 is out of range 0.000001..4294"));
  EXPECT_TRUE(has_error(l, 5, "'vrrp_startup_delay' value 5000 is out of range 0.001..4294"));
  EXPECT_TRUE(has_error(l, 6, "'vrrp_priority' value 20 is out of range -20..19"));
  EXPECT_TRUE(has_error(l, 7, "'max_auto_priority' value 100 is out of range -1..99"));
  EXPECT_TRUE(has_error(l, 8, "out of range 1..10000000"));
  EXPECT_TRUE(has_error(l, 9, "'vrrp_garp_extra_if' value 86401 is out of range 1..86400"));
  EXPECT_TRUE(has_error(l, 10, "out of range 1..100"));
  EXPECT_TRUE(has_error(l, 11, "out of range 1..1000"));
  EXPECT_TRUE(has_error(l, 12, "out of range 1..4294967295"));
  EXPECT_TRUE(has_error(l, 13, "out of range 0..4294967295"));
  EXPECT_TRUE(has_error(l, 14, "out of range 1..4294967295"));
  EXPECT_TRUE(has_error(l, 15, "out of range 1..4294967295"));
  EXPECT_TRUE(has_error(l, 16, "out of range 1..99"));
  EXPECT_TRUE(has_error(l, 17, "is not multicast"));
  EXPECT_TRUE(has_error(l, 18, "needs an IPv6 address"));
  EXPECT_TRUE(has_error(l, 19, "takes on|off|true|false|yes|no, not 'maybe'"));
  EXPECT_TRUE(has_error(l, 20, "'umask' value '01000'"));
  EXPECT_TRUE(has_error(l, 21, "'umask' bit 'FOO' is not known"));
  // Errors point at the value, not the keyword.
  for (const auto& d : l.diagnostics.all()) {
    if (d.loc.line == 2) {
      EXPECT_EQ(d.loc.col, 18u);
    }
  }
  // A rejected value leaves the default.
  EXPECT_EQ(defs(l).vrrp_version, 2);
}

TEST(GlobalTables, ExtraWordsAreWarningsAsInKeepalived) {
  auto l = load("global_defs {\n  router_id a b\n  enable_traps foo\n  nftables a b\n}\n");
  EXPECT_TRUE(l.ok()) << rendered(l);
  EXPECT_TRUE(has_warning(l, 2, "extra values after 'a' are ignored")) << rendered(l);
  EXPECT_TRUE(has_warning(l, 3, "extra values"));
  EXPECT_EQ(defs(l).router_id, "a");
  EXPECT_EQ(defs(l).nftables, "a");
}

TEST(GlobalTables, MultiValueKeywords) {
  auto l = load(R"(global_defs {
    smtp_server 192.0.2.25 2525
    lvs_sync_daemon eth0 inst VI_1 id 5 maxlen 1400 port 8849 ttl 3 group 224.0.0.81
    lvs_timeouts tcp 900 udp 30
    lvs_flush_on_stop VS
    notify_fifo /run/keepalived.fifo root
    vrrp_notify_fifo /run/vrrp.fifo
    vrrp_garp_extra_if all 100
    vrrp_cpu_affinity 0
    max_auto_priority
    script_user root root
    umask IWGRP | IWOTH|IXOTH
    dynamic_interfaces allow_if_changes
    include_check match -brace_match
    vrrp_rx_bufs_policy 65536
}
)");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& d = defs(l);
  ASSERT_TRUE(d.smtp_server);
  EXPECT_EQ(d.smtp_server->host, "192.0.2.25");
  EXPECT_EQ(d.smtp_server->port, 2525);
  ASSERT_TRUE(d.lvs_sync_daemon);
  EXPECT_EQ(d.lvs_sync_daemon->interface, "eth0");
  EXPECT_EQ(d.lvs_sync_daemon->instance, "VI_1");
  EXPECT_EQ(d.lvs_sync_daemon->sync_id, 5);
  EXPECT_EQ(d.lvs_sync_daemon->maxlen, 1400);
  EXPECT_EQ(d.lvs_sync_daemon->port, 8849);
  EXPECT_EQ(d.lvs_sync_daemon->ttl, 3);
  EXPECT_EQ(d.lvs_sync_daemon->group, ip("224.0.0.81"));
  ASSERT_TRUE(d.lvs_timeouts);
  EXPECT_EQ(d.lvs_timeouts->tcp, 900u);
  EXPECT_FALSE(d.lvs_timeouts->tcpfin);
  EXPECT_EQ(d.lvs_timeouts->udp, 30u);
  EXPECT_EQ(d.lvs_flush_on_stop, true);
  ASSERT_TRUE(d.notify_fifo);
  EXPECT_EQ(d.notify_fifo->path, "/run/keepalived.fifo");
  EXPECT_EQ(d.notify_fifo->user, "root");
  EXPECT_FALSE(d.notify_fifo->group);
  ASSERT_TRUE(d.vrrp_notify_fifo);
  EXPECT_FALSE(d.vrrp_notify_fifo->user);
  ASSERT_TRUE(d.vrrp_garp_extra_if);
  EXPECT_TRUE(d.vrrp_garp_extra_if->all);
  EXPECT_EQ(d.vrrp_garp_extra_if->interval, 100u);
  EXPECT_EQ(d.vrrp_cpu_affinity, std::vector<std::uint16_t>{0});
  EXPECT_EQ(d.max_auto_priority, 99);
  EXPECT_EQ(d.script_user, "root");
  EXPECT_EQ(d.script_group, "root");
  EXPECT_EQ(d.umask, 023);
  EXPECT_TRUE(d.dynamic_interfaces);
  EXPECT_TRUE(d.allow_if_changes);
  ASSERT_TRUE(d.include_check);
  EXPECT_EQ(d.include_check->options, (std::vector<std::string>{"match", "-brace_match"}));
  ASSERT_TRUE(d.vrrp_rx_bufs_policy);
  EXPECT_EQ(d.vrrp_rx_bufs_policy->kind, RxBufsPolicyKind::Size);
  EXPECT_EQ(d.vrrp_rx_bufs_policy->size, 65536u);
}

TEST(GlobalTables, MultiValueErrors) {
  auto l = load(R"(global_defs {
    smtp_server 192.0.2.25 0
    lvs_sync_daemon eth0 id 256
    lvs_timeouts
    lvs_timeouts foo 3
    lvs_flush_on_stop FOO
    vrrp_garp_extra_if all
    script_user no_such_user_halo
    dynamic_interfaces sometimes
    vrrp_rx_bufs_policy FOO
    include_check readable
    vrrp_cpu_affinity 100000
    lvs_sync_daemon eth0 group 192.0.2.1
    vrrp_iptables
    vrrp_ipsets
}
)");
  EXPECT_TRUE(has_error(l, 2, "'smtp_server port' value 0 is out of range 1..65535"))
      << rendered(l);
  EXPECT_TRUE(has_error(l, 3, "'lvs_sync_daemon id' value 256 is out of range 0..255"));
  EXPECT_TRUE(has_error(l, 4, "needs at least one of tcp, tcpfin, udp"));
  EXPECT_TRUE(has_error(l, 5, "option 'foo' is not known"));
  EXPECT_TRUE(has_error(l, 6, "takes only 'VS'"));
  EXPECT_TRUE(has_error(l, 7, "needs an interval"));
  EXPECT_TRUE(has_error(l, 8, "script_user 'no_such_user_halo' does not exist"));
  EXPECT_TRUE(has_error(l, 9, "takes only 'allow_if_changes'"));
  EXPECT_TRUE(has_error(l, 10, "takes MTU|ADVERT|<BYTES>"));
  EXPECT_TRUE(has_error(l, 11, "'include_check readable' fails in keepalived 2.2.7"));
  EXPECT_TRUE(has_error(l, 12, "'vrrp_cpu_affinity' value 100000 is out of range"));
  EXPECT_TRUE(has_error(l, 13, "is not multicast"));
  EXPECT_TRUE(has_error(l, 14, "is not supported by halo"));
  EXPECT_TRUE(has_error(l, 15, "is not supported by halo"));
  EXPECT_FALSE(defs(l).lvs_sync_daemon);
}

TEST(GlobalTables, IgnoredAndAliasedKeywords) {
  auto l = load(R"(global_defs {
    process_names
    vrrp_process_name vrrp_x
    lvs_process_name check_x
    enable_snmp_keepalived
    enable_traps
    lvs_flush_onstop
    vrrp_rlimit_rtime 5000
    vrrp_vmac_garp_intvl 60
}
)");
  ASSERT_TRUE(l.ok()) << rendered(l);
  EXPECT_EQ(defs(l).checker_process_name, "check_x");
  EXPECT_TRUE(defs(l).enable_snmp_vrrp);
  EXPECT_EQ(defs(l).lvs_flush_on_stop, false);
  EXPECT_EQ(defs(l).vrrp_rlimit_rttime, 5000u);
  ASSERT_TRUE(defs(l).vrrp_garp_extra_if);
  EXPECT_EQ(defs(l).vrrp_garp_extra_if->interval, 60u);
}

TEST(GlobalTables, ProcessKeywordsAreTopLevelOnly) {
  auto l = load(R"(net_namespace blue
net_namespace red
net_namespace_ipvs
namespace_with_ipsets
instance one
use_pid_dir
linkbeat_use_polling
child_wait_time 20
global_defs {
    net_namespace green
    child_wait_time 3
}
)");
  const auto& g = global(l);
  EXPECT_EQ(g.net_namespace, "blue");
  EXPECT_TRUE(has_warning(l, 2, "'net_namespace' is already blue")) << rendered(l);
  EXPECT_EQ(g.net_namespace_ipvs, "");
  EXPECT_TRUE(g.namespace_with_ipsets);
  EXPECT_EQ(g.instance, "one");
  EXPECT_TRUE(g.use_pid_dir);
  EXPECT_TRUE(g.linkbeat_use_polling);
  EXPECT_EQ(g.child_wait_time, 20u);
  // keepalived 2.2.7 does not know them inside global_defs.
  EXPECT_TRUE(has_error(l, 10, "unknown keyword 'net_namespace'"));
  EXPECT_TRUE(has_error(l, 11, "unknown keyword 'child_wait_time'"));
}

TEST(GlobalTables, StaticAddresses) {
  auto l = load(R"(static_ipaddress {
    192.0.2.16/24 dev eth0 scope link brd + label eth0:1
    192.0.2.17 dev eth1 peer 192.0.2.99 home
    2001:db8::1/64 dev eth2 -nodad mngtmpaddr noprefixroute autojoin preferred_lft forever
    198.51.100.1/24 brd 198.51.100.255 scope 7 no_track
}
)");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& a = global(l).static_ipaddress;
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].address, *IpPrefix::parse("192.0.2.16/24"));
  EXPECT_TRUE(a[0].has_length);
  EXPECT_EQ(a[0].dev, "eth0");
  EXPECT_EQ(a[0].scope, 253);
  EXPECT_EQ(a[0].broadcast_kind, Broadcast::SetHostBits);
  EXPECT_EQ(a[0].label, "eth0:1");
  EXPECT_FALSE(a[1].has_length);
  EXPECT_EQ(a[1].address.length, 32);
  EXPECT_EQ(a[1].peer, ip("192.0.2.99"));
  EXPECT_TRUE(a[1].home);
  EXPECT_TRUE(a[2].nodad && a[2].mngtmpaddr && a[2].noprefixroute && a[2].autojoin);
  EXPECT_EQ(a[2].preferred_lft, IpAddressItem::kForever);
  EXPECT_EQ(a[3].broadcast_kind, Broadcast::Address);
  EXPECT_EQ(a[3].broadcast, ip("198.51.100.255"));
  EXPECT_EQ(a[3].scope, 7);
  EXPECT_TRUE(a[3].no_track);
  EXPECT_TRUE(a[3].dev.empty());  // default_interface
}

TEST(GlobalTables, StaticAddressErrors) {
  auto l = load(R"(static_ipaddress {
    192.0.2.300/24 dev eth0
    192.0.2.1/33 dev eth0
    192.0.2.1/24 dev eth0 foo
    192.0.2.1/24 dev eth0 scope bogus
    192.0.2.1/24 brd 1.2.3
    192.0.2.1/24 dev
    192.0.2.1/24 dev eth0 dev eth1
    192.0.2.1 brd -
    192.0.2.1/24 peer 192.0.2.2
    192.0.2.1/24 use_vmac
    192.0.2.1/24 dev eth0 track_group G no_track
}
)");
  EXPECT_TRUE(has_error(l, 2, "'192.0.2.300/24' is not a valid IP address")) << rendered(l);
  EXPECT_TRUE(has_error(l, 3, "prefix length 33 of '192.0.2.1/33' is out of range 0..32"));
  EXPECT_TRUE(has_error(l, 4, "unknown option 'foo'"));
  EXPECT_TRUE(has_error(l, 5, "'scope' takes host|link|site|global|nowhere"));
  EXPECT_TRUE(has_error(l, 6, "'brd' needs an IP address, not '1.2.3'"));
  EXPECT_TRUE(has_error(l, 7, "'dev' needs a value"));
  EXPECT_TRUE(has_error(l, 8, "'dev' given twice"));
  EXPECT_TRUE(has_error(l, 9, "'brd -' needs an IPv4 prefix shorter than /31"));
  EXPECT_TRUE(has_error(l, 10, "cannot have a prefix length when 'peer' is given"));
  EXPECT_TRUE(has_error(l, 11, "unknown option 'use_vmac'"));
  EXPECT_TRUE(has_error(l, 12, "both 'track_group' and 'no_track'"));
  EXPECT_TRUE(global(l).static_ipaddress.empty());
  // The bad address is pointed at: column of the token.
  for (const auto& d : l.diagnostics.all()) {
    if (d.loc.line == 2) {
      EXPECT_EQ(d.loc.col, 5u);
    }
    if (d.loc.line == 4) {
      EXPECT_EQ(d.loc.col, 27u);
    }
  }
}

TEST(GlobalTables, StaticRoutes) {
  auto l = load(R"(static_routes {
    src 192.0.2.1 198.51.100.0/24 via 192.0.2.254 dev eth0 table main metric 5
    198.51.100.0/25 table 6909 dev eth0 nexthop via 192.0.2.1 dev eth1 onlink weight 1 nexthop via 192.0.2.2 dev eth1 weight 2
    198.51.100.128/25 dev eth0 table 6909 tos 0x04 protocol keepalived scope link priority 12 mtu lock 1000 hoplimit 100 advmss 101 rtt 102 rttvar 103 reordering 104 window 105 cwnd 106 ssthresh lock 107 realms 1/2 rto_min 108 initcwnd 109 initrwnd 110 features ecn quickack 1 congctl cubic
    2001:db8::/64 dev eth1 table 6909 from 2001:db8:1::/64 pref high expires 10 fastopen_no_cookie 1 append
    blackhole 203.0.113.0/24 no_track
    to 203.0.113.0/25 dev eth2 protocol bird no_track onlink
}
)");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& r = global(l).static_routes;
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].destination, *IpPrefix::parse("198.51.100.0/24"));
  EXPECT_EQ(r[0].src, ip("192.0.2.1"));
  EXPECT_EQ(r[0].via, ip("192.0.2.254"));
  EXPECT_EQ(r[0].dev, "eth0");
  EXPECT_EQ(r[0].table, 254u);
  EXPECT_EQ(r[0].metric, 5u);
  ASSERT_EQ(r[1].nexthops.size(), 2u);
  EXPECT_EQ(r[1].nexthops[0].via, ip("192.0.2.1"));
  EXPECT_EQ(r[1].nexthops[0].dev, "eth1");
  EXPECT_TRUE(r[1].nexthops[0].onlink);
  EXPECT_EQ(r[1].nexthops[1].weight, 2);
  EXPECT_EQ(r[1].table, 6909u);
  EXPECT_EQ(r[2].tos, 4);
  EXPECT_EQ(r[2].protocol, 18);
  EXPECT_EQ(r[2].scope, 253);
  EXPECT_EQ(r[2].metric, 12u);
  EXPECT_EQ(r[2].mtu, 1000u);
  EXPECT_EQ(r[3].from, *IpPrefix::parse("2001:db8:1::/64"));
  EXPECT_TRUE(r[3].append);
  EXPECT_EQ(r[4].type, RouteType::Blackhole);
  EXPECT_TRUE(r[4].no_track);
  EXPECT_EQ(r[5].destination, *IpPrefix::parse("203.0.113.0/25"));
  EXPECT_EQ(r[5].protocol, 12);
  EXPECT_TRUE(r[5].onlink);
}

TEST(GlobalTables, StaticRouteDetails) {
  auto l = load(R"(static_routes {
    default via 192.0.2.1 dev eth0
    default via 2001:db8::1 dev eth0
    198.51.100.0/24 dev eth0 rtt 2s rttvar lock 100ms rto_min 5 cwnd lock 10
}
)");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& r = global(l).static_routes;
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].destination, *IpPrefix::parse("0.0.0.0/0"));
  EXPECT_EQ(r[1].destination, *IpPrefix::parse("::/0"));

  auto bad = load(R"(static_routes {
    198.51.100.0/24 dev eth0 unicast
    198.51.100.0/24 dev eth0 rtt 1.5
    198.51.100.0/24 dev eth0 window lock 5
    198.51.100.0/24 dev eth0 rtt 961s
}
static_ipaddress {
    2001:db8::1/64 dev eth0 brd 2001:db8::ff
}
)");
  EXPECT_TRUE(has_error(bad, 2, "route type 'unicast' must be the first word")) << rendered(bad);
  EXPECT_TRUE(has_error(bad, 3, "'rtt' needs whole milliseconds"));
  EXPECT_TRUE(has_error(bad, 4, "'window' needs a whole number, not 'lock'"));
  EXPECT_TRUE(has_error(bad, 5, "'rtt' needs whole milliseconds"));
  EXPECT_TRUE(has_error(bad, 8, "'brd' is only valid for IPv4 addresses"));
}

TEST(GlobalTables, StaticRouteErrors) {
  auto l = load(R"(static_routes {
    via 192.0.2.1 dev eth0
    198.51.100.0/24 via 192.0.2.400 dev eth0
    198.51.100.0/24 bogus dev eth0
    198.51.100.0/24 dev eth0 metric x
    198.51.100.0/24 via 192.0.2.1
    198.51.100.0/24 dev eth0 table no_such_table_halo
    198.51.100.0/24 dev eth0 protocol static
    198.51.100.0/24 dev eth0 inet6
    198.51.100.0/24 dev eth0 from 198.51.100.0/24
    198.51.100.0/24 via 192.0.2.1 or 192.0.2.2 dev eth0
    198.51.100.0/24 gw 192.0.2.1 dev eth0
    198.51.100.0/24 via 2001:db8::1 dev eth0
    198.51.100.0/24 dev eth0 features foo
    198.51.100.0/24 dev eth0 nexthop via 192.0.2.1 weight 0
    2001:db8::/64 dev eth0 realms 3
    198.51.100.0/24 dev eth0 mtu
}
)");
  EXPECT_TRUE(has_error(l, 2, "a route needs a destination")) << rendered(l);
  EXPECT_TRUE(has_error(l, 3, "'via' needs an IP address, not '192.0.2.400'"));
  EXPECT_TRUE(has_error(l, 4, "unknown route option 'bogus'"));
  EXPECT_TRUE(has_error(l, 5, "'metric' needs a whole number, not 'x'"));
  EXPECT_TRUE(has_error(l, 6, "has no 'dev', so it cannot be tracked"));
  EXPECT_TRUE(has_error(l, 7, "routing table 'no_such_table_halo' is not known"));
  EXPECT_TRUE(has_error(l, 8, "must have protocol keepalived"));
  EXPECT_TRUE(has_error(l, 9, "'inet6' given for an IPv4 route"));
  EXPECT_TRUE(has_error(l, 10, "route 'from' is only supported for IPv6"));
  EXPECT_TRUE(has_error(l, 11, "'or' for routes is deprecated"));
  EXPECT_TRUE(has_error(l, 12, "'gw' for routes is deprecated"));
  EXPECT_TRUE(has_error(l, 13, "mixes IPv4 and IPv6"));
  EXPECT_TRUE(has_error(l, 14, "route feature 'foo' is not supported"));
  EXPECT_TRUE(has_error(l, 15, "'weight' value 0 is out of range 1..256"));
  EXPECT_TRUE(has_error(l, 16, "'realms' is only valid for IPv4 routes"));
  EXPECT_TRUE(has_error(l, 17, "'mtu' needs a value"));
  EXPECT_TRUE(global(l).static_routes.empty());
}

TEST(GlobalTables, StaticRules) {
  auto l = load(R"(static_rules {
    from 192.0.2.0/24 to 198.51.100.0/26 table 6 iif eth0 oif eth1 tos 22 fwmark 24/12 preference 39 realms 30/20
    to 2001:db8::/112 from 2001:db8:1::/96 table 6908 uidrange 10000-19999 preference 5
    not from all lookup main priority 100 ipproto udp sport 10-20 dport 20-30 no_track
    from 192.0.2.0/24 goto 400 preference 300
    from 192.0.2.0/24 blackhole order 301 protocol 18
}
)");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& r = global(l).static_rules;
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].from, *IpPrefix::parse("192.0.2.0/24"));
  EXPECT_EQ(r[0].to, *IpPrefix::parse("198.51.100.0/26"));
  EXPECT_EQ(r[0].action, RuleAction::Table);
  EXPECT_EQ(r[0].table, 6u);
  EXPECT_EQ(r[0].iif, "eth0");
  EXPECT_EQ(r[0].oif, "eth1");
  EXPECT_EQ(r[0].tos, 22);
  EXPECT_EQ(r[0].fwmark, 24u);
  EXPECT_EQ(r[0].fwmask, 12u);
  EXPECT_EQ(r[0].preference, 39u);
  EXPECT_EQ(r[1].uidrange, (std::pair<std::uint32_t, std::uint32_t>{10000, 19999}));
  EXPECT_TRUE(r[2].invert);
  EXPECT_FALSE(r[2].from);
  EXPECT_EQ(r[2].table, 254u);
  EXPECT_EQ(r[2].ipproto, 17);
  EXPECT_EQ(r[2].sport, (PortRange{10, 20}));
  EXPECT_EQ(r[2].dport, (PortRange{20, 30}));
  EXPECT_EQ(r[3].action, RuleAction::Goto);
  EXPECT_EQ(r[3].goto_target, 400u);
  EXPECT_EQ(r[4].action, RuleAction::Blackhole);
  EXPECT_EQ(r[4].preference, 301u);
}

TEST(GlobalTables, StaticRuleErrors) {
  auto l = load(R"(static_rules {
    from 192.0.2.0/24 preference 5
    from 192.0.2.0/24 table 1
    from 192.0.2.0/24 table 1 preference 5 bogus
    to 192.0.2.0/33 table 1 preference 5
    from 192.0.2./24 table 1 preference 5
    to 192.0.2.0/24 goto 40
    to 192.0.2.0/24 goto 40 preference 50
    from 192.0.2.0/24 table 1 blackhole preference 5
    from 2001:db8::/64 to 192.0.2.0/24 table 1 preference 5
    from 192.0.2.0/24 table 1 preference 5 inet6
    from 192.0.2.0/24 table 0 preference 5
    from 192.0.2.0/24 table 1 preference 5 dport 30
    from 192.0.2.0/24 table 1 preference 5 protocol kernel
    from 192.0.2.0/24 table 1 preference 5 track_group G
}
)");
  EXPECT_TRUE(has_error(l, 2, "a rule needs an action")) << rendered(l);
  EXPECT_TRUE(has_error(l, 3, "a rule needs a 'preference'"));
  EXPECT_TRUE(has_error(l, 4, "unknown rule option 'bogus'"));
  EXPECT_TRUE(has_error(l, 5, "prefix length 33"));
  EXPECT_TRUE(has_error(l, 6, "'192.0.2./24' is not a valid IP address"));
  EXPECT_TRUE(has_error(l, 7, "'goto' needs the rule to have a 'preference'"));
  EXPECT_TRUE(has_error(l, 8, "rule preference 50 must be below goto target 40"));
  EXPECT_TRUE(has_error(l, 9, "takes only one of"));
  EXPECT_TRUE(has_error(l, 10, "mixes IPv4 and IPv6"));
  EXPECT_TRUE(has_error(l, 11, "'inet6' given for an IPv4 rule"));
  EXPECT_TRUE(has_error(l, 12, "table 0 is not valid"));
  EXPECT_TRUE(has_error(l, 13, "'dport' needs a port range"));
  EXPECT_TRUE(has_error(l, 14, "'protocol' needs a whole number"));
  EXPECT_TRUE(has_error(l, 15, "needs 'iif' or 'dev'"));
  EXPECT_TRUE(global(l).static_rules.empty());
}

TEST(GlobalTables, ItemParsersForVirtualContext) {
  // The VRRP area reuses the parsers: use_vmac is allowed, track_group is not, and an unknown
  // word is only a warning (keepalived 2.2.7 passes -t).
  SourceSet sources;
  Diagnostics diag;
  Lexer lexer(sources, diag, {});
  lexer.open_text("v.conf", "192.0.2.1/24 dev eth0 use_vmac foo\n");
  Parser parser(lexer, diag);
  std::vector<Token> line;
  ASSERT_TRUE(lexer.next_line(line));
  Statement st(parser, line[0], {line.begin() + 1, line.end()}, false);
  auto item = parse_ip_address_item(st, IpItemContext::Virtual);
  ASSERT_TRUE(item);
  EXPECT_TRUE(item->use_vmac);
  EXPECT_EQ(diag.error_count(), 0u);
  EXPECT_EQ(diag.warning_count(), 1u);
  auto again = parse_ip_address_item(st, IpItemContext::Static);
  EXPECT_FALSE(again);
}

TEST(GlobalTables, OtherHostBlocks) {
  auto l = load(R"(linkbeat_interfaces {
    eth0
    eth1 ETHTOOL
}
interface_up_down_delays {
    eth0 1.5 2
    eth1 0.00001
}
track_group G1 {
    group {
        VI_1
        VI_2
    }
}
garp_group {
    garp_interval 0.5
    gna_interval 0.25
    interface eth0
}
garp_group {
    garp_interval 1
    interfaces {
        eth1
        eth2
    }
}
SSL {
    password secret
    ca /etc/ssl/ca.pem
    certificate /etc/ssl/cert.pem
    key /etc/ssl/key.pem
}
static_ipaddress {
    192.0.2.1/24 dev eth0 track_group G1
}
)");
  ASSERT_TRUE(l.ok()) << rendered(l);
  const auto& g = global(l);
  ASSERT_EQ(g.linkbeat_interfaces.size(), 2u);
  EXPECT_EQ(g.linkbeat_interfaces[0].type, LinkbeatType::Default);
  EXPECT_EQ(g.linkbeat_interfaces[1].type, LinkbeatType::Ethtool);
  ASSERT_EQ(g.interface_up_down_delays.size(), 2u);
  EXPECT_EQ(g.interface_up_down_delays[0].down_delay, Duration(1'500'000));
  EXPECT_EQ(g.interface_up_down_delays[0].up_delay, Duration(2'000'000));
  EXPECT_EQ(g.interface_up_down_delays[1].up_delay, Duration(10));
  ASSERT_EQ(g.track_groups.size(), 1u);
  EXPECT_EQ(g.track_groups[0].name, "G1");
  EXPECT_EQ(g.track_groups[0].group, (std::vector<std::string>{"VI_1", "VI_2"}));
  ASSERT_EQ(g.garp_groups.size(), 2u);
  EXPECT_EQ(g.garp_groups[0].garp_interval, Duration(500'000));
  EXPECT_EQ(g.garp_groups[0].interface, "eth0");
  EXPECT_EQ(g.garp_groups[1].interfaces, (std::vector<std::string>{"eth1", "eth2"}));
  ASSERT_TRUE(g.ssl);
  EXPECT_EQ(g.ssl->password, "secret");
  EXPECT_EQ(g.ssl->key, "/etc/ssl/key.pem");
  EXPECT_EQ(g.static_ipaddress[0].track_group, "G1");
}

TEST(GlobalTables, EmptySslBlockIsKept) {
  auto l = load("SSL {\n}\n");
  ASSERT_TRUE(l.ok()) << rendered(l);
  ASSERT_TRUE(global(l).ssl);
  EXPECT_EQ(*global(l).ssl, SslConfig{});
  expect_round_trip("SSL {\n}\n");
}

TEST(GlobalTables, HostBlockErrors) {
  auto l = load(R"(linkbeat_interfaces {
    eth0 mii
    eth1 MII extra
}
interface_up_down_delays {
    eth0 256
    eth1 -1
}
track_group G {
    group {
    }
}
track_group G {
    group {
        VI_1
    }
}
garp_group {
    interface eth0
}
garp_group {
    garp_interval 5000
}
garp_group {
    interface eth0
    garp_interval 1
}
SSL {
    foo x
}
static_routes {
    198.51.100.0/24 dev eth0 track_group NOPE
}
)");
  EXPECT_TRUE(has_error(l, 2, "polling type must be MII, ETHTOOL or IOCTL, not 'mii'"))
      << rendered(l);
  EXPECT_TRUE(has_error(l, 3, "takes one polling type"));
  EXPECT_TRUE(has_error(l, 6, "interface delay 256 is out of range 0..255 seconds"));
  EXPECT_TRUE(has_error(l, 7, "interface delay -1 is out of range"));
  EXPECT_TRUE(has_error(l, 10, "'group' block of track_group is empty"));
  EXPECT_TRUE(has_error(l, 13, "track_group 'G' is already defined"));
  EXPECT_TRUE(has_error(l, 18, "garp_group needs garp_interval or gna_interval"));
  EXPECT_TRUE(has_error(l, 22, "'garp_interval' value 5000 is out of range 0..2147.483647"));
  EXPECT_TRUE(has_error(l, 24, "interface 'eth0' is already in another garp_group"));
  EXPECT_TRUE(has_error(l, 29, "unknown keyword 'foo' in SSL"));
  EXPECT_TRUE(has_error(l, 32, "track_group 'NOPE' is not defined"));
}

TEST(GlobalTables, MissingInterfaces) {
  auto l = load(R"(linkbeat_interfaces {
    nosuch0
}
interface_up_down_delays {
    nosuch1 1
}
static_ipaddress {
    192.0.2.1/24 dev nosuch2
}
static_routes {
    198.51.100.0/24 dev nosuch3
}
static_rules {
    from 192.0.2.0/24 table 1 preference 5 iif nosuch4
}
garp_group {
    interface nosuch5
    garp_interval 1
}
)");
  EXPECT_TRUE(l.diagnostics.has_fatal());
  EXPECT_TRUE(has_error(l, 2, "interface 'nosuch0' of linkbeat_interfaces does not exist"))
      << rendered(l);
  EXPECT_TRUE(has_error(l, 5, "interface 'nosuch1'"));
  EXPECT_TRUE(has_error(l, 8, "interface 'nosuch2'"));
  EXPECT_TRUE(has_error(l, 11, "interface 'nosuch3'"));
  EXPECT_TRUE(has_error(l, 14, "interface 'nosuch4'"));
  EXPECT_TRUE(has_error(l, 16, "interface 'nosuch5'"));
  EXPECT_EQ(config_test_exit_code(l.diagnostics), kConfigCannotRun);

  auto dyn = load(
      "global_defs {\n dynamic_interfaces\n}\nstatic_ipaddress {\n"
      " 192.0.2.1/24 dev nosuch\n}\nlinkbeat_interfaces {\n nosuch\n}\n");
  EXPECT_TRUE(dyn.ok()) << rendered(dyn);
  EXPECT_TRUE(has_warning(dyn, 5, "allowed by dynamic_interfaces"));

  auto def = load(
      "global_defs {\n default_interface nosuch\n}\nstatic_ipaddress {\n"
      " 192.0.2.1/24\n}\n");
  EXPECT_TRUE(has_error(def, 5, "default_interface 'nosuch' does not exist")) << rendered(def);
  EXPECT_TRUE(def.diagnostics.has_fatal());
}

constexpr const char* kFullConfig = R"(net_namespace blue
net_namespace_ipvs
instance one
use_pid_dir
linkbeat_use_polling
child_wait_time 9
global_defs {
    tmp_config_directory /var/tmp
    config_save_dir /var/tmp/save
    process_names
    process_name ka
    vrrp_process_name ka_vrrp
    checker_process_name ka_check
    bfd_process_name ka_bfd
    startup_script "/no/such/dir/start.sh arg1 'two words'" root
    startup_script_timeout 20
    shutdown_script /no/such/dir/stop.sh
    shutdown_script_timeout 30
    notification_email {
        admin@example.com
        "with space@example.com"
    }
    notification_email_from ka@example.com
    smtp_server 192.0.2.25 2525
    smtp_helo_name helo.example.com
    smtp_connect_timeout 15
    smtp_alert true
    smtp_alert_vrrp false
    smtp_alert_checker on
    checker_log_all_failures true
    no_email_faults
    router_id "router one"
    vrrp_mcast_group4 239.0.0.18
    vrrp_mcast_group6 ff02::1:12
    default_interface eth1
    lvs_sync_daemon eth0 VI_1 id 5 maxlen 1400 port 8849 ttl 3 group ff02::5
    lvs_timeouts tcp 900 tcpfin 30 udp 60
    lvs_flush
    lvs_flush_on_stop
    vrrp_garp_master_delay 0
    vrrp_garp_master_repeat 3
    vrrp_garp_lower_prio_delay 7
    vrrp_down_timer_adverts 4
    vrrp_garp_lower_prio_repeat 0
    vrrp_garp_master_refresh 60
    vrrp_garp_master_refresh_repeat 2
    vrrp_garp_interval 0.001
    vrrp_gna_interval 0.000001
    vrrp_min_garp
    vrrp_garp_extra_if 100
    vrrp_lower_prio_no_advert false
    vrrp_higher_prio_send_advert
    vrrp_version 3
    nftables ka_table
    nftables_priority -10
    nftables_counters
    nftables_ifindex
    nftables_ipvs
    nftables_ipvs_priority 5
    nftables_ipvs_start_fwmark 2000
    disable_local_igmp
    vrrp_check_unicast_src
    vrrp_skip_check_adv_addr
    vrrp_strict
    vrrp_notify_priority_changes
    max_auto_priority -1
    min_auto_priority_delay 500000
    vrrp_priority -20
    checker_priority 19
    bfd_priority 0
    vrrp_no_swap
    checker_no_swap
    bfd_no_swap
    vrrp_cpu_affinity 0
    checker_cpu_affinity 0 0
    bfd_cpu_affinity 0
    vrrp_rt_priority 1
    checker_rt_priority 99
    bfd_rt_priority 50
    vrrp_rlimit_rttime 2
    checker_rlimit_rttime 20000
    bfd_rlimit_rttime 30000
    snmp_socket udp:192.0.2.1:705
    enable_snmp_vrrp
    enable_snmp_checker
    enable_snmp_rfc
    enable_snmp_rfcv2
    enable_snmp_rfcv3
    enable_traps
    enable_dbus
    dbus_service_name org.example.Ka
    script_user root
    enable_script_security
    notify_fifo /run/ka.fifo root root
    notify_fifo_script /no/such/fifo.sh
    vrrp_notify_fifo /run/ka_vrrp.fifo
    vrrp_notify_fifo_script "/no/such/vfifo.sh -x"
    lvs_notify_fifo /run/ka_lvs.fifo
    lvs_notify_fifo_script /no/such/lfifo.sh root
    fifo_write_vrrp_states_on_reload
    dynamic_interfaces
    vrrp_netlink_cmd_rcv_bufs 100000
    vrrp_netlink_cmd_rcv_bufs_force
    vrrp_netlink_monitor_rcv_bufs 200000
    vrrp_netlink_monitor_rcv_bufs_force false
    lvs_netlink_cmd_rcv_bufs 300000
    lvs_netlink_cmd_rcv_bufs_force yes
    lvs_netlink_monitor_rcv_bufs 400000
    lvs_netlink_monitor_rcv_bufs_force
    process_monitor_rcv_bufs 500000
    process_monitor_rcv_bufs_force
    vrrp_rx_bufs_policy MTU
    vrrp_rx_bufs_multiplier 4
    rs_init_notifies
    no_checker_emails
    umask IRWXO
    vrrp_startup_delay 2.5
    log_unknown_vrids
    vmac_prefix vm
    vmac_addr_prefix vma
    random_seed 7
    reload_check_config
    include_check
    reload_time_file /run/ka.reload_time
    reload_repeat
    reload_file /run/ka.reload
    data_use_instance
}
linkbeat_interfaces {
    eth0 MII
    eth1 IOCTL
    eth2
}
interface_up_down_delays {
    eth0 1 2
    eth1 0.5
}
track_group G1 {
    group {
        VI_1
    }
}
static_ipaddress {
    192.0.2.16/24 dev eth0 scope link brd + label eth0:1 track_group G1
    2001:db8::1/64 dev eth2 -nodad preferred_lft 0
}
static_routes {
    src 192.0.2.1 198.51.100.0/24 via 192.0.2.254 dev eth0 track_group G1
    198.51.100.0/25 table 6909 dev eth0 nexthop via 192.0.2.1 dev eth1 onlink weight 1 nexthop via 192.0.2.2 dev eth1 weight 2
    blackhole 203.0.113.0/24 no_track
}
static_rules {
    from 192.0.2.0/24 table 1 preference 10 iif eth0 track_group G1
    to 2001:db8::/112 from 2001:db8:1::/96 table 6908 uidrange 10000-19999 preference 5
}
garp_group {
    garp_interval 0.5
    interface eth0
}
SSL {
    password "pass word"
    ca /etc/ca.pem
}
)";

TEST(GlobalTables, FullConfigRoundTrip) {
  // "umask IRWXO" is not a keepalived bit name; use the real ones.
  std::string text = kFullConfig;
  text.replace(text.find("umask IRWXO"), 11, "umask IROTH|IWOTH|IXOTH");
  auto l = load(text);
  // Scripts do not exist: warnings only.
  EXPECT_TRUE(l.ok()) << rendered(l);
  EXPECT_EQ(defs(l).umask, 07);
  EXPECT_EQ(defs(l).startup_script->command, "/no/such/dir/start.sh arg1 'two words'");
  EXPECT_EQ(defs(l).router_id, "router one");
  EXPECT_EQ(defs(l).notification_email[1], "with space@example.com");
  expect_round_trip(text);

  // The dump mentions every value: spot-check the JSON.
  const auto json = dump_json(*l.config);
  for (const char* needle :
       {"\"router_id\":\"router one\"", "\"vrrp_version\":3",
        "\"smtp_server\":[\"192.0.2.25\",2525]", "\"lvs_sync_daemon\":[\"eth0\",\"inst\",\"VI_1\"",
        "\"vrrp_garp_interval\":\"0.001\"", "\"static_routes\":", "\"198.51.100.0/25\"",
        "\"track_group\":{\"_args\":\"G1\"", "\"net_namespace\":\"blue\"",
        "\"SSL\":{\"password\":\"pass word\"",
        "\"interface_up_down_delays\":[[\"eth0\",\"1\",\"2\"],[\"eth1\",\"0.5\"]]",
        "\"umask\":\"07\""}) {
    EXPECT_NE(json.find(needle), std::string::npos) << needle << "\n" << json;
  }
}

// Samples shipped with keepalived: the host-wide parts must round-trip (the VRRP parts belong
// to another table and are skipped as unknown in lenient mode here).
TEST(GlobalTables, KeepalivedSamplesRoundTrip) {
  const std::filesystem::path dir = "/usr/share/doc/keepalived/samples";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "keepalived samples are not installed";
  int tested = 0;
  for (const char* name : {"keepalived.conf.vrrp.static_ipaddress", "keepalived.conf.vrrp.routes",
                           "keepalived.conf.vrrp.rules", "keepalived.conf.vrrp",
                           "keepalived.conf.sample", "keepalived.conf.vrrp.lvs_syncd"}) {
    std::ifstream in(dir / name);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    SCOPED_TRACE(name);
    expect_round_trip(ss.str(), KeywordMode::Lenient);
    ++tested;
    auto l = load(ss.str(), KeywordMode::Lenient);
    if (std::string(name) == "keepalived.conf.vrrp.static_ipaddress") {
      EXPECT_EQ(global(l).static_ipaddress.size(), 3u) << rendered(l);
    }
    if (std::string(name) == "keepalived.conf.vrrp.routes") {
      // keepalived fails these too: tracked static routes need a dev; eth3 does not exist here.
      EXPECT_GE(global(l).static_routes.size(), 3u) << rendered(l);
    }
    if (std::string(name) == "keepalived.conf.vrrp.rules") {
      // The sample has a malformed address ("192.168.100./24"), as keepalived also reports.
      EXPECT_TRUE(has_error(l, 11, "'192.168.100./24' is not a valid IP address")) << rendered(l);
      EXPECT_TRUE(has_error(l, 10, "a rule needs a 'preference'"));
    }
  }
  EXPECT_GT(tested, 0);
}

// ---- script security ----------------------------------------------------------------------

class ScriptSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "ownership checks need root-owned files";
    if (getpwnam("keepalived_script") != nullptr) {
      GTEST_SKIP() << "user keepalived_script exists; scripts would not run as root";
    }
    char dir_template[] = "/tmp/halo_global_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    chmod(dir_.c_str(), 0755);
    script_ = make_script("ok.sh", 0755);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string make_script(const std::string& name, mode_t mode) {
    std::string path_template = dir_ + "/" + name + ".XXXXXX";
    std::vector<char> buf(path_template.begin(), path_template.end());
    buf.push_back('\0');
    const int fd = mkstemp(buf.data());
    EXPECT_GE(fd, 0);
    const std::string body = "#!/bin/sh\nexit 0\n";
    EXPECT_EQ(write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
    close(fd);
    chmod(buf.data(), mode);
    return buf.data();
  }
  std::string dir_;
  std::string script_;
};

TEST_F(ScriptSecurity, RootScriptWithoutSecurityIsReportedOnce) {
  auto l = load("global_defs {\n startup_script " + script_ + "\n shutdown_script \"" + script_ +
                " arg 'two words'\"\n}\n");
  EXPECT_EQ(count_impact(l, Impact::ScriptSecurity), 1u) << rendered(l);
  EXPECT_TRUE(has_error(l, 2, "security violation")) << rendered(l);
  EXPECT_TRUE(has_error(l, 2, "enable_script_security is not set"));
}

TEST_F(ScriptSecurity, CheckScriptDoesNotRepeat) {
  auto l = load("global_defs {\n startup_script " + script_ + "\n}\n");
  Diagnostics diag;
  const Script s{script_, std::nullopt, std::nullopt, {}};
  check_script(s, *l.config, diag);
  check_script(s, *l.config, diag);
  std::size_t n = 0;
  for (const auto& d : diag.all()) n += d.impact == Impact::ScriptSecurity ? 1 : 0;
  EXPECT_EQ(n, 1u);
}

TEST_F(ScriptSecurity, MissingScriptIsAWarning) {
  auto l = load("global_defs {\n startup_script " + dir_ + "/missing.sh\n}\n");
  EXPECT_TRUE(l.ok()) << rendered(l);
  EXPECT_TRUE(has_warning(l, 2, "not found"));
  EXPECT_EQ(count_impact(l, Impact::ScriptSecurity), 0u);
}

TEST_F(ScriptSecurity, NonRootUserIsFine) {
  if (getpwnam("nobody") == nullptr) GTEST_SKIP() << "no user nobody";
  auto l = load("global_defs {\n startup_script " + script_ + " nobody\n}\n");
  EXPECT_TRUE(l.ok()) << rendered(l);
  auto su = load("global_defs {\n script_user nobody\n startup_script " + script_ + "\n}\n");
  EXPECT_TRUE(su.ok()) << rendered(su);
}

TEST_F(ScriptSecurity, SecureRootScriptWithSecurityIsFine) {
  auto l = load("global_defs {\n enable_script_security\n script_user root\n startup_script " +
                script_ + "\n}\n");
  EXPECT_TRUE(l.ok()) << rendered(l);
}

TEST_F(ScriptSecurity, WritableScriptIsAnErrorWithSecurity) {
  const auto writable = make_script("ww.sh", 0757);
  auto l = load("global_defs {\n enable_script_security\n script_user root\n startup_script " +
                writable + "\n}\n");
  EXPECT_TRUE(has_error(l, 4, writable + " is writable by everyone")) << rendered(l);
  EXPECT_EQ(count_impact(l, Impact::ScriptSecurity), 0u);
}

TEST_F(ScriptSecurity, WritableDirectoryIsAnErrorWithSecurity) {
  chmod(dir_.c_str(), 0777);
  auto l = load("global_defs {\n enable_script_security\n startup_script \"" + script_ +
                " --flag\" root\n}\n");
  EXPECT_TRUE(has_error(l, 3, dir_ + " is writable by everyone")) << rendered(l);
}

TEST_F(ScriptSecurity, SecurityWithoutAnyUserIsAnError) {
  auto l = load("global_defs {\n enable_script_security\n startup_script " + script_ + "\n}\n");
  EXPECT_TRUE(has_error(l, 3, "has no user to run as")) << rendered(l);
}

TEST_F(ScriptSecurity, FifoScriptsAreCheckedOnlyWhenTheirProcessRuns) {
  // No vrrp_instance and no virtual_server: keepalived never runs the FIFO scripts.
  auto l = load("global_defs {\n notify_fifo_script " + script_ + "\n}\n");
  EXPECT_EQ(count_impact(l, Impact::ScriptSecurity), 0u) << rendered(l);
}

}  // namespace
}  // namespace halo::config::testing
