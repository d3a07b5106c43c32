// Keyword tables of the vrrp area: values, ranges, defaults, errors, whole-config validation
// and parse -> dump -> parse round trips (including keepalived's own sample configs).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/dump.h"
#include "config/validate.h"
#include "test_util.h"

namespace halo::config::testing {
namespace {

using namespace std::chrono_literals;

// A complete, valid instance to build variations on.
constexpr const char* kInstance = R"(vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.1/24
    }
)";

std::string instance(const std::string& extra, const std::string& before = "") {
  return before + kInstance + extra + "\n}\n";
}

// Validates a loaded config again after changing it (for settings of other areas).
template <class Change>
Diagnostics revalidate(const Loaded& l, Change change) {
  Config c = *l.config;
  change(c);
  ValidateOptions o;
  o.interface_exists = [](std::string_view n) { return test_interfaces().contains(n); };
  Diagnostics d;
  validate(c, o, d);
  return d;
}

// parse -> dump -> parse gives the same model.
void expect_round_trip(const Config& config, const LoadOptions& options) {
  const auto text = dump_keepalived(config);
  auto again = load_text("dump.conf", text, options);
  EXPECT_TRUE(again.config->vrrp == config.vrrp) << "dump:\n" << text << rendered(again);
  EXPECT_EQ(dump_keepalived(*again.config), text);
}

LoadOptions any_interface(std::string config_id = "testhost",
                          KeywordMode mode = KeywordMode::Strict) {
  LoadOptions o;
  o.config_id = std::move(config_id);
  o.keywords = mode;
  o.interface_exists = [](std::string_view n) { return n != "nosuch0"; };
  return o;
}

constexpr const char* kFull = R"(global_defs {
    enable_script_security
    script_user root
} bfd_instance bfd1 { neighbor_ip 192.0.2.99 }
vrrp_script chk_a {
    script "/bin/true arg" root root
    interval 2
    timeout 3
    weight -20 reverse
    rise 2
    fall 3
    init_fail
}
vrrp_script chk_b {
    user nobody
    script /bin/false
}
vrrp_track_process tp {
    process "/usr/sbin/sshd" -D "a b"
    param_match partial
    weight 10 reverse
    quorum 2
    quorum_max 4
    fork_delay 0.5
    terminate_delay 1.25
    full_command
}
vrrp_track_process tp2 {
    process haproxy
    param_match
    delay 2
}
track_file tf {
    file /run/halo/tf
    weight -254
    init_file 5 overwrite
}
vrrp_track_file tf2 {
    file "/run/halo/tf 2"
    init_file
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
    track_interface {
        eth3 weight 5 reverse
    }
    track_script {
        chk_b weight 3
    }
    track_file {
        tf2
    }
    track_process {
        tp2 weight 0
    }
    notify_master "/bin/true master"
    notify_backup /bin/true
    notify_fault /bin/true
    notify_stop /bin/true
    notify /bin/true
    notify_priority_changes
    smtp_alert false
    sync_group_tracking_weight
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    use_vmac vrrp51 02:00:5e:00:01
    use_vmac_addr
    vmac_xmit_base
    dont_track_primary
    track_interface {
        eth1
        eth2 weight -10
    }
    track_script {
        chk_a
        chk_b weight 10 reverse
    }
    track_file {
        tf weight 254 reverse
    }
    track_process {
        tp weight -254
    }
    track_bfd {
        bfd1 weight 3
    }
    unicast_src_ip 192.0.2.10
    unicast_peer {
        192.0.2.11 min_ttl 1 max_ttl 255
        192.0.2.12
    }
    check_unicast_src
    unicast_fault_no_peer
    unicast_ttl 10
    old_unicast_checksum never
    track_src_ip
    version 3
    garp_master_delay 10
    garp_master_repeat 3
    garp_lower_prio_delay 5
    garp_lower_prio_repeat 0
    garp_master_refresh 60
    garp_master_refresh_repeat 2
    garp_extra_if 100 all
    down_timer_adverts 5
    lower_prio_no_advert
    higher_prio_send_advert off
    virtual_router_id 51
    priority 150
    advert_int 0.5
    virtual_ipaddress {
        192.0.2.1/24 dev eth1 label eth1:1 scope global brd 192.0.2.255 no_track
        192.0.2.2
    }
    virtual_ipaddress_excluded {
        2001:db8::1/64 dev eth2
    }
    virtual_routes {
        192.0.2.128/25 via 192.0.2.254 dev eth1
    }
    virtual_rules {
        from 192.0.2.0/24 table 1 preference 100
    }
    no_accept
    skip_check_adv_addr
    strict_mode off
    debug 2
    notify_master "/bin/true master" root
    notify_backup /bin/true
    notify_fault /bin/true
    notify_stop /bin/true
    notify_deleted /bin/true
    notify_master_rx_lower_pri /bin/true
    notify /bin/true
    notify_priority_changes yes
    smtp_alert
    kernel_rx_buf_size 262144
}
vrrp_instance VI_2 {
    interface eth1
    vrrp_unused_placeholder
}
)";

// ---- parsing ---------------------------------------------------------------------------------

TEST(VrrpTables, EmptyConfigIsClean) {
  auto l = load("");
  EXPECT_TRUE(l.ok()) << rendered(l);
}

TEST(VrrpTables, MinimalInstanceIsClean) {
  auto l = load(instance(""));
  ASSERT_TRUE(l.ok()) << rendered(l);
  ASSERT_EQ(l.config->vrrp.instances.size(), 1u);
  const auto& v = l.config->vrrp.instances[0];
  EXPECT_EQ(v.name, "VI_1");
  EXPECT_EQ(v.interface, "eth0");
  EXPECT_EQ(v.virtual_router_id, 51);
  EXPECT_EQ(v.priority, 100);
  EXPECT_EQ(v.state, VrrpState::Backup);
  EXPECT_EQ(v.advert_int, 1s);
  ASSERT_EQ(v.virtual_ipaddress.size(), 1u);
  EXPECT_EQ(v.virtual_ipaddress[0].address.to_string(), "192.0.2.1/24");
}

// The full config with its one deliberate mistake removed.
std::string full_config() {
  std::string text = kFull;
  const std::string bad = "    vrrp_unused_placeholder\n";
  text.replace(text.find(bad), bad.size(),
               "    virtual_router_id 52\n    virtual_ipaddress {\n        192.0.2.3\n    }\n"
               "    promote_secondaries\n    preempt_delay 2.5\n");
  return text;
}

TEST(VrrpTables, EveryKeywordParses) {
  auto l = load_text("full.conf", full_config(), any_interface());
  // track_bfd names a BFD instance of the LVS area, which this config does not define.
  for (const auto& d : l.diagnostics.all()) {
    EXPECT_NE(d.severity, Severity::Error) << rendered(l);
  }
  const auto& vrrp = l.config->vrrp;
  ASSERT_EQ(vrrp.scripts.size(), 2u);
  const auto& a = vrrp.scripts[0];
  EXPECT_EQ(a.script.command, "/bin/true arg");
  EXPECT_EQ(a.script.user, "root");
  EXPECT_EQ(a.interval, 2s);
  EXPECT_EQ(a.timeout, 3s);
  EXPECT_EQ(a.weight, -20);
  EXPECT_TRUE(a.weight_reverse);
  EXPECT_EQ(a.rise, 2u);
  EXPECT_EQ(a.fall, 3u);
  EXPECT_TRUE(a.init_fail);
  EXPECT_EQ(vrrp.scripts[1].script.user, "nobody");  // `user` before `script` is kept

  ASSERT_EQ(vrrp.track_processes.size(), 2u);
  const auto& p = vrrp.track_processes[0];
  EXPECT_EQ(p.process, (std::vector<std::string>{"/usr/sbin/sshd", "-D", "a b"}));
  EXPECT_EQ(p.param_match, ParamMatch::Partial);
  EXPECT_EQ(p.weight, 10);
  EXPECT_EQ(p.quorum, 2);
  EXPECT_EQ(p.quorum_max, 4);
  EXPECT_EQ(p.fork_delay, 500ms);
  EXPECT_EQ(p.terminate_delay, 1250ms);
  EXPECT_TRUE(p.full_command);
  EXPECT_EQ(vrrp.track_processes[1].param_match, ParamMatch::Exact);
  EXPECT_EQ(vrrp.track_processes[1].fork_delay, 2s);
  EXPECT_EQ(vrrp.track_processes[1].terminate_delay, 2s);

  ASSERT_EQ(vrrp.track_files.size(), 2u);
  EXPECT_EQ(vrrp.track_files[0].weight, -254);
  EXPECT_EQ(vrrp.track_files[0].init_file, (TrackFile::Init{5, true}));
  EXPECT_EQ(vrrp.track_files[1].name, "tf2");  // vrrp_track_file alias
  EXPECT_EQ(vrrp.track_files[1].init_file, (TrackFile::Init{0, false}));

  ASSERT_EQ(vrrp.sync_groups.size(), 1u);
  const auto& g = vrrp.sync_groups[0];
  ASSERT_EQ(g.group.size(), 2u);
  EXPECT_EQ(g.group[1].name, "VI_2");
  EXPECT_EQ(g.track.interfaces[0].weight, 5);
  EXPECT_TRUE(g.track.interfaces[0].reverse);
  EXPECT_EQ(g.notify_master->command, "/bin/true master");
  EXPECT_EQ(g.notify_priority_changes, true);
  EXPECT_EQ(g.smtp_alert, false);
  EXPECT_TRUE(g.sync_group_tracking_weight);

  ASSERT_EQ(vrrp.instances.size(), 2u);
  const auto& v = vrrp.instances[0];
  EXPECT_EQ(v.state, VrrpState::Master);
  ASSERT_TRUE(v.use_vmac);
  EXPECT_EQ(v.use_vmac->name, "vrrp51");
  ASSERT_TRUE(v.use_vmac->mac);
  EXPECT_EQ(v.use_vmac->mac->length, 5);
  EXPECT_TRUE(v.use_vmac_addr && v.vmac_xmit_base && v.dont_track_primary);
  ASSERT_EQ(v.track.interfaces.size(), 2u);
  EXPECT_EQ(v.track.interfaces[1].weight, -10);
  ASSERT_EQ(v.track.scripts.size(), 2u);
  EXPECT_FALSE(v.track.scripts[0].weight);
  EXPECT_TRUE(v.track.scripts[1].reverse);
  EXPECT_EQ(v.track.files[0].weight, 254);
  EXPECT_EQ(v.track.processes[0].weight, -254);
  EXPECT_EQ(v.track.bfds[0].name, "bfd1");
  EXPECT_EQ(v.unicast_src_ip->to_string(), "192.0.2.10");
  ASSERT_EQ(v.unicast_peer.size(), 2u);
  EXPECT_EQ(v.unicast_peer[0].min_ttl, 1);
  EXPECT_EQ(v.unicast_peer[0].max_ttl, 255);
  EXPECT_TRUE(v.check_unicast_src && v.unicast_fault_no_peer && v.track_src_ip);
  EXPECT_EQ(v.unicast_ttl, 10);
  EXPECT_EQ(v.old_unicast_checksum, OldUnicastChecksum::Never);
  EXPECT_EQ(v.version, 3);
  EXPECT_EQ(v.garp_master_delay, 10u);
  EXPECT_EQ(v.garp_lower_prio_repeat, 0u);
  EXPECT_EQ(v.garp_extra_if, (GarpExtraIf{100, true}));
  EXPECT_EQ(v.down_timer_adverts, 5);
  EXPECT_EQ(v.lower_prio_no_advert, true);
  EXPECT_EQ(v.higher_prio_send_advert, false);
  EXPECT_EQ(v.priority, 150);
  EXPECT_EQ(v.advert_int, 500ms);
  ASSERT_EQ(v.virtual_ipaddress.size(), 2u);
  EXPECT_EQ(v.virtual_ipaddress[0].dev, "eth1");
  EXPECT_EQ(v.virtual_ipaddress[0].label, "eth1:1");
  EXPECT_TRUE(v.virtual_ipaddress[0].no_track);
  EXPECT_EQ(v.virtual_ipaddress_excluded[0].address.address.family(), Family::V6);
  EXPECT_EQ(v.virtual_routes.size(), 1u);
  EXPECT_EQ(v.virtual_rules.size(), 1u);
  EXPECT_EQ(v.accept, false);
  EXPECT_TRUE(vrrp.instances[1].promote_secondaries);
  EXPECT_EQ(vrrp.instances[1].preempt_delay, 2500ms);
  EXPECT_EQ(v.skip_check_adv_addr, true);
  EXPECT_EQ(v.strict_mode, false);
  EXPECT_EQ(v.debug, 2);
  EXPECT_EQ(v.notify_master->user, "root");
  EXPECT_TRUE(v.notify_deleted);
  EXPECT_EQ(v.notify_deleted_script->command, "/bin/true");
  EXPECT_TRUE(v.notify_master_rx_lower_pri && v.notify);
  EXPECT_EQ(v.notify_priority_changes, true);
  EXPECT_EQ(v.smtp_alert, true);
  EXPECT_EQ(v.kernel_rx_buf_size, 262144u);
}

TEST(VrrpTables, FullConfigRoundTrips) {
  auto l = load_text("full.conf", full_config(), any_interface());
  expect_round_trip(*l.config, any_interface());
  EXPECT_FALSE(dump_json(*l.config).empty());
}

TEST(VrrpTables, PartialBlocksRoundTrip) {
  // Incomplete blocks (errors, but kept in the model) still print back to the same model.
  auto l = load(
      "vrrp_script a {\n user root root\n}\nvrrp_sync_group G {\n group {\n }\n}\n"
      "vrrp_track_process p {\n weight 0 reverse\n}\ntrack_file f {\n init_file 0 "
      "overwrite\n}\nvrrp_instance V {\n track_interface {\n  eth1 weight 0 reverse\n "
      "}\n authentication {\n  auth_pass x\n }\n}\n");
  ASSERT_EQ(l.config->vrrp.scripts.size(), 1u);
  EXPECT_EQ(l.config->vrrp.scripts[0].script.group, "root");
  EXPECT_TRUE(l.config->vrrp.sync_groups[0].group_set);
  expect_round_trip(*l.config, any_interface());
}

TEST(VrrpTables, UnknownKeywordInInstanceIsReported) {
  auto l = load_text("full.conf", kFull, any_interface());
  EXPECT_TRUE(has_error_anywhere(l, "unknown keyword 'vrrp_unused_placeholder' in vrrp_instance"))
      << rendered(l);
}

// ---- values and ranges -------------------------------------------------------------------

struct BadValue {
  const char* line;
  const char* message;
  std::uint32_t at = 7;  // the text starts on line 7; a block's item is on line 8
};

class VrrpInstanceBadValue : public ::testing::TestWithParam<BadValue> {};

TEST_P(VrrpInstanceBadValue, IsAnErrorOnItsLine) {
  // kInstance has 6 lines; the extra text starts on line 7.
  auto l = load(instance(GetParam().line));
  EXPECT_TRUE(has_error(l, GetParam().at, GetParam().message)) << rendered(l);
}

INSTANTIATE_TEST_SUITE_P(
    Values, VrrpInstanceBadValue,
    ::testing::Values(
        BadValue{"priority 300", "'priority' value 300 is out of range 1..255"},
        BadValue{"priority 0", "'priority' value 0 is out of range 1..255"},
        BadValue{"priority abc", "'priority' needs a whole number, not 'abc'"},
        BadValue{"virtual_router_id 256", "'virtual_router_id' value 256 is out of range 1..255"},
        BadValue{"advert_int 0", "'advert_int' value 0 is out of range"},
        BadValue{"advert_int 256", "'advert_int' value 256 is out of range"},
        BadValue{"version 4", "'version' value 4 is out of range 2..3"},
        BadValue{"debug 5", "'debug' value 5 is out of range 0..4"},
        BadValue{"preempt_delay 1001", "'preempt_delay' value 1001 is out of range"},
        BadValue{"state FOO", "'state' takes MASTER|BACKUP, not 'FOO'"},
        BadValue{"garp_master_delay 4295", "'garp_master_delay' value 4295 is out of range"},
        BadValue{"garp_master_delay 0.5", "'garp_master_delay' needs a whole number"},
        BadValue{"garp_master_repeat 0", "'garp_master_repeat' value 0 is out of range"},
        BadValue{"garp_master_refresh_repeat 0", "'garp_master_refresh_repeat' value 0"},
        BadValue{"garp_lower_prio_repeat -1", "'garp_lower_prio_repeat' value -1"},
        BadValue{"garp_extra_if 86401", "'garp_extra_if' value 86401 is out of range 0..86400"},
        BadValue{"garp_extra_if all", "'garp_extra_if' needs an interval"},
        BadValue{"down_timer_adverts 101", "'down_timer_adverts' value 101 is out of range"},
        BadValue{"unicast_ttl 256", "'unicast_ttl' value 256 is out of range 0..255"},
        BadValue{"old_unicast_checksum foo", "'old_unicast_checksum' takes [never], not 'foo'"},
        BadValue{"kernel_rx_buf_size 1.5", "'kernel_rx_buf_size' needs a whole number"},
        BadValue{"lower_prio_no_advert maybe", "'lower_prio_no_advert' takes on|off"},
        BadValue{"smtp_alert maybe", "'smtp_alert' takes on|off"},
        BadValue{"notify_priority_changes maybe", "'notify_priority_changes' takes on|off"},
        BadValue{"mcast_src_ip 192.0.2", "'192.0.2' is not a valid IP address"},
        BadValue{"use_vmac vrrp51 00:00:5e:00:01:05", "may not be an RFC 5798"},
        BadValue{"use_vmac 02:00:5e:00:01:05:06", "is not a MAC address of 5 or 6 octets"},
        BadValue{"use_vmac a b", "use_vmac takes [<NAME>] [<MAC>]"},
        BadValue{"use_ipvlan a 192.0.2.9/24 foo", "use_ipvlan takes"},
        BadValue{"state MASTER\nstate BACKUP", "'state' was already set to MASTER", 8},
        BadValue{"linkbeat_use_polling", "'linkbeat_use_polling' is not supported by halo"},
        BadValue{"lvs_sync_daemon_interface eth1", "use global_defs lvs_sync_daemon"},
        BadValue{"interface", "'interface' needs a value"},
        BadValue{"track_script {\n chk weight 254\n}", "'weight' value 254 is out of range", 8},
        BadValue{"track_interface {\n eth1 weight 10 noreverse\n}",
                 "unknown weight option 'noreverse' for track_interface 'eth1'", 8},
        BadValue{"track_script {\n chk weight 10 no_reverse\n}",
                 "unknown weight option 'no_reverse' for track_script 'chk'", 8},
        BadValue{"track_script {\n chk reverse\n}", "unknown option 'reverse' for track_script", 8},
        BadValue{"track_script {\n chk weight\n}", "'weight' needs a value", 8},
        BadValue{"track_file {\n tf weight -255\n}", "'weight' value -255 is out of range", 8},
        BadValue{"track_process {\n tp weight 255\n}", "'weight' value 255 is out of range", 8},
        BadValue{"unicast_peer {\n 192.0.2.9 min_ttl 300\n}",
                 "'min_ttl' value 300 is out of range 0..255", 8},
        BadValue{"unicast_peer {\n 192.0.2.9 foo 1\n}", "unknown unicast_peer option 'foo'", 8},
        BadValue{"unicast_peer {\n 192.0.2.9 min_ttl 10 max_ttl 5\n}",
                 "min_ttl 10 is greater than max_ttl 5", 8},
        BadValue{"virtual_ipaddress {\n 192.0.2.3/33\n}",
                 "prefix length 33 of '192.0.2.3/33' is out of range", 8},
        BadValue{"authentication {\n auth_type FOO\n}", "'auth_type' takes PASS|AH, not 'FOO'",
                 8}));

TEST(VrrpTables, AuthPassLongerThanEightIsAnError) {
  auto l = load(instance("authentication {\n auth_type PASS\n auth_pass 123456789\n}"));
  EXPECT_TRUE(has_error(l, 9, "'auth_pass' is 9 characters long; at most 8 are used"))
      << rendered(l);
  EXPECT_EQ(l.config->vrrp.instances[0].authentication.pass, "12345678");
}

TEST(VrrpTables, ScriptBlockValues) {
  auto script = [](const std::string& body) {
    return load("vrrp_script chk {\n script /bin/true\n" + body + "\n}\n");
  };
  EXPECT_TRUE(has_error(script("interval 0"), 3, "'interval' value 0 is out of range 1..4294"));
  EXPECT_TRUE(has_error(script("interval 1.5"), 3, "'interval' needs a whole number of seconds"));
  EXPECT_TRUE(has_error(script("timeout 0"), 3, "'timeout' value 0 is out of range"));
  EXPECT_TRUE(has_error(script("weight 254"), 3, "'weight' value 254 is out of range -253..253"));
  EXPECT_TRUE(has_error(script("weight 10 foo"), 3, "unknown weight option 'foo'"));
  EXPECT_TRUE(has_error(script("rise 0"), 3, "'rise' value 0 is out of range"));
  EXPECT_TRUE(has_error(script("fall 0"), 3, "'fall' value 0 is out of range"));
  EXPECT_TRUE(has_error(script("user nosuchuser_halo"), 3,
                        "user 'nosuchuser_halo' does not "
                        "exist"));
  EXPECT_TRUE(script("weight -253 reverse\nuser root root\ninit_fail").ok());
  auto none = load("vrrp_script chk {\n interval 2\n}\n");
  EXPECT_TRUE(has_error(none, 1, "vrrp_script 'chk' has no 'script'")) << rendered(none);
}

TEST(VrrpTables, TrackProcessBlockValues) {
  auto tp = [](const std::string& body) {
    return load("vrrp_track_process tp {\n" + body + "\n}\n");
  };
  EXPECT_TRUE(
      has_error(tp("process a\nparam_match foo"), 3, "'param_match' takes initial|partial"));
  EXPECT_TRUE(has_error(tp("process a\nquorum 0"), 3, "'quorum' value 0 is out of range 1..65535"));
  EXPECT_TRUE(has_error(tp("process a\nquorum_max 65536"), 3, "'quorum_max' value 65536"));
  EXPECT_TRUE(has_error(tp("process a\ndelay 0"), 3, "'delay' value 0 is out of range"));
  EXPECT_TRUE(has_error(tp("process a\nfork_delay 3601"), 3, "'fork_delay' value 3601"));
  EXPECT_TRUE(has_error(tp("process a\nprocess b"), 3, "'process' is already set"));
  EXPECT_TRUE(has_error(tp("weight 1"), 1, "vrrp_track_process 'tp' has no 'process'"));
  EXPECT_TRUE(has_error(tp("process a\nquorum 2\nquorum_max 1"), 1,
                        "quorum_max 1 is less than "
                        "quorum 2"));
  EXPECT_TRUE(tp("process a\nquorum_max 0").ok());
  // keepalived -t: "Weight already set for track process" (unless the first was the default).
  EXPECT_TRUE(has_error(tp("process a\nweight 5\nweight 6"), 4, "weight is already set"));
  EXPECT_TRUE(tp("process a\nweight 1\nweight 6").ok());
}

TEST(VrrpTables, TrackFileBlockValues) {
  auto tf = [](const std::string& body) { return load("track_file tf {\n" + body + "\n}\n"); };
  EXPECT_TRUE(has_error(tf("file /x\nweight 2147483647"), 3, "'weight' value 2147483647"));
  EXPECT_TRUE(has_error(tf("file /x\ninit_file foo"), 3, "unknown init_file option 'foo'"));
  EXPECT_TRUE(has_error(tf("file /x\ninit_file +5"), 3, "unknown init_file option '+5'"));
  EXPECT_TRUE(has_error(tf("file /x\ninit_file 1x"), 3, "'init_file' needs a whole number"));
  EXPECT_TRUE(has_error(tf("file /x\ninit_file 2147483648"), 3, "out of range"));
  EXPECT_TRUE(has_error(tf("weight 3"), 1, "track_file 'tf' has no 'file'"));
  EXPECT_TRUE(tf("file /x\ninit_file overwrite").ok());
  // keepalived -t: words in any order, the last value wins, -254..254 only.
  auto any_order = tf("file /x\ninit_file overwrite 5 -7");
  ASSERT_TRUE(any_order.ok()) << rendered(any_order);
  EXPECT_EQ(any_order.config->vrrp.track_files[0].init_file,
            (TrackFile::Init{-7, /*overwrite=*/true}));
  EXPECT_TRUE(tf("file /x\ninit_file -254").ok());
  EXPECT_TRUE(has_error(tf("file /x\ninit_file 255"), 3,
                        "init_file value 255 is outside the sensible range -254..254"));
  // A second file or weight is reported and ignored; weight 1 (the default) may be restated.
  auto two_files = tf("file /x\nfile /y");
  EXPECT_TRUE(has_error(two_files, 3, "'file' is already set for track_file 'tf'; ignoring '/y'"))
      << rendered(two_files);
  EXPECT_EQ(two_files.config->vrrp.track_files[0].file, "/x");
  EXPECT_TRUE(has_error(tf("file /x\nweight 5\nweight 6"), 4,
                        "weight is already set for 'tf'; ignoring '6'"));
  EXPECT_TRUE(tf("file /x\nweight 1\nweight 6").ok());
  // init_file overwrite needs a regular file where one exists (checked while reading, as
  // keepalived does).
  EXPECT_TRUE(has_error(tf("file /tmp\ninit_file 1 overwrite"), 1,
                        "init_file cannot overwrite '/tmp': it is not a regular file"));
  EXPECT_TRUE(tf("file /tmp\ninit_file 1").ok());
}

TEST(VrrpTables, SyncGroupKeywords) {
  auto l = load(instance("", "vrrp_sync_group G {\n group {\n  VI_1\n }\n global_tracking\n}\n"));
  EXPECT_TRUE(has_error(l, 5, "'global_tracking' is deprecated")) << rendered(l);
  EXPECT_TRUE(l.config->vrrp.sync_groups[0].sync_group_tracking_weight);
  auto twice = load("vrrp_sync_group G {\n group {\n  A\n }\n group {\n  B\n }\n}\n");
  EXPECT_TRUE(has_error(twice, 5, "'group' is already given for sync group 'G'"));
  auto deleted = load("vrrp_sync_group G {\n notify_deleted\n}\n");
  EXPECT_TRUE(has_error(deleted, 2, "unknown keyword 'notify_deleted' in vrrp_sync_group"));
}

// ---- whole-config validation -------------------------------------------------------------

TEST(VrrpValidate, VirtualRouterIdMustBeSet) {
  auto l = load("vrrp_instance VI_1 {\n interface eth0\n virtual_ipaddress {\n 192.0.2.1\n }\n}\n");
  EXPECT_TRUE(has_error(
      l, 1,
      "vrrp_instance 'VI_1': the virtual router id must be set: virtual_router_id is missing"))
      << rendered(l);
}

TEST(VrrpValidate, NoVirtualAddressIsAnErrorAsInKeepalived) {
  auto l = load("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n}\n");
  EXPECT_TRUE(has_error(l, 1, "no virtual_ipaddress is specified")) << rendered(l);
}

TEST(VrrpValidate, Interfaces) {
  auto missing = load(instance("", "").replace(std::string(kInstance).find("eth0"), 4, "nosuch0"));
  EXPECT_TRUE(has_error(missing, 2, "interface 'nosuch0' does not exist")) << rendered(missing);
  auto lo = load(instance("interface lo"));
  EXPECT_TRUE(has_error(lo, 7, "a loopback interface cannot be used")) << rendered(lo);
  auto own = load(instance("track_interface {\n eth0\n}"));
  EXPECT_TRUE(has_error(own, 8, "track_interface 'eth0' is the instance's own interface"));
  auto tracked = load(instance("track_interface {\n eth9\n}"));
  EXPECT_TRUE(has_error(tracked, 8, "tracked interface 'eth9' does not exist"));
  auto dev = load(instance("virtual_ipaddress_excluded {\n 192.0.2.9 dev eth9\n}"));
  EXPECT_TRUE(has_error(dev, 8, "interface 'eth9' of address 192.0.2.9 does not exist"));
  auto route =
      load(instance("virtual_routes {\n 192.0.2.128/25 dev eth9\n 192.0.2.0/25 via "
                    "192.0.2.254\n 198.51.100.0/24 via 192.0.2.254 no_track\n}"));
  EXPECT_TRUE(has_error(route, 8,
                        "interface 'eth9' of virtual route 192.0.2.128/25 does not "
                        "exist"))
      << rendered(route);
  EXPECT_TRUE(has_error(route, 9, "route 192.0.2.0/25 has no 'dev'"));
  EXPECT_FALSE(has_error_anywhere(route, "198.51.100.0/24"));
  auto rule =
      load(instance("virtual_rules {\n from 192.0.2.0/24 table 1 preference 10 iif eth9\n}"));
  EXPECT_TRUE(has_error(rule, 8, "interface 'eth9' of a virtual rule does not exist"))
      << rendered(rule);
  auto vrf = load(instance("vrf eth1"));
  EXPECT_TRUE(has_error(vrf, 2, "'vrf' and 'interface' cannot both be set")) << rendered(vrf);
  auto none = load(
      "vrrp_instance VI_1 {\n virtual_router_id 1\n virtual_ipaddress {\n "
      "192.0.2.1\n }\n}\n");
  EXPECT_TRUE(has_error(none, 1, "'interface' must be set")) << rendered(none);
  auto unicast = load(
      "vrrp_instance VI_1 {\n virtual_router_id 1\n unicast_peer {\n 192.0.2.2\n "
      "}\n virtual_ipaddress {\n 192.0.2.1\n }\n}\n");
  EXPECT_TRUE(has_error(unicast, 1, "'interface' must be set")) << rendered(unicast);
}

TEST(VrrpValidate, UndefinedTrackersAreErrors) {
  auto l =
      load(instance("track_script {\n nosuch\n}\ntrack_process {\n nosuch\n}\n"
                    "track_file {\n nosuch\n}"));
  EXPECT_TRUE(has_error(l, 8, "track_script 'nosuch' is not defined (no vrrp_script 'nosuch')"))
      << rendered(l);
  EXPECT_TRUE(has_error(l, 11, "track_process 'nosuch' is not defined"));
  EXPECT_TRUE(has_error(l, 14, "track_file 'nosuch' is not defined"));
}

TEST(VrrpValidate, DuplicateVrid) {
  const std::string second = R"(vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.2/24
    }
}
)";
  auto l = load(instance("") + second);
  EXPECT_TRUE(has_error(l, 11,
                        "vrrp_instance 'VI_1' and 'VI_2' both use VRID 51 with IPv4 on "
                        "interface eth0"))
      << rendered(l);
  // Another family, interface or multicast group, or disjoint unicast peers: no clash.
  auto v6 = second;
  v6.replace(v6.find("192.0.2.2/24"), 12, "2001:db8::2");
  EXPECT_TRUE(load(instance("") + v6).ok());
  auto eth1 = second;
  eth1.replace(eth1.find("eth0"), 4, "eth1");
  EXPECT_TRUE(load(instance("") + eth1).ok());
  auto mcast = second;
  mcast.replace(mcast.find("    virtual_router_id"), 0, "    mcast_dst_ip 224.0.0.50\n");
  EXPECT_TRUE(load(instance("") + mcast).ok());
  auto peers = [](const char* peer) {
    return std::string("    unicast_peer {\n        ") + peer + "\n    }\n";
  };
  auto u2 = second;
  u2.replace(u2.find("    virtual_router_id"), 0, peers("192.0.2.20"));
  EXPECT_TRUE(load(instance(peers("192.0.2.10")) + u2).ok());
  EXPECT_FALSE(load(instance(peers("192.0.2.20")) + u2).ok());
}

TEST(VrrpValidate, DuplicateNames) {
  auto l = load(instance("") + instance("virtual_router_id 52"));
  EXPECT_TRUE(has_error(l, 9, "vrrp_instance 'VI_1' is already defined")) << rendered(l);
  auto scripts = load(
      "vrrp_script a {\n script /bin/true\n}\nvrrp_script a {\n script "
      "/bin/true\n}\n");
  EXPECT_TRUE(has_warning(scripts, 4, "vrrp_script 'a' is already defined")) << rendered(scripts);
}

TEST(VrrpValidate, Families) {
  auto mixed = load(instance("virtual_ipaddress {\n 2001:db8::1\n}"));
  EXPECT_TRUE(has_error(mixed, 8, "virtual_ipaddress 2001:db8::1 is not IPv4")) << rendered(mixed);
  auto src = load(instance("unicast_src_ip 2001:db8::5\nunicast_peer {\n 192.0.2.6\n}"));
  EXPECT_TRUE(has_error(src, 7, "source address 2001:db8::5 is not IPv4")) << rendered(src);
  auto peer = load(instance("unicast_peer {\n 2001:db8::1\n}"));
  EXPECT_TRUE(has_error(peer, 8, "unicast_peer 2001:db8::1 is not IPv4")) << rendered(peer);
  auto dst = load(instance("mcast_dst_ip 192.0.2.9"));
  EXPECT_TRUE(has_error_anywhere(dst, "mcast_dst_ip 192.0.2.9 is not a multicast address"));
  auto dst6 = load(instance("mcast_dst_ip ff02::1"));
  EXPECT_TRUE(has_error_anywhere(dst6, "mcast_dst_ip ff02::1 is not IPv4"));
  auto native = load(instance("native_ipv6"));
  EXPECT_TRUE(has_error_anywhere(native, "native_ipv6 cannot be used with IPv4"));
  auto excluded = load(instance("virtual_ipaddress_excluded {\n 2001:db8::1\n}"));
  EXPECT_TRUE(excluded.ok()) << rendered(excluded);
}

constexpr const char* kTrackers = R"(global_defs {
    enable_script_security
    script_user root
}
vrrp_script chk {
    script /bin/true
}
vrrp_track_process tp {
    process sshd
}
track_file tf {
    file /run/halo/tf
}
)";

TEST(VrrpValidate, ConsistencyOfOptions) {
  EXPECT_TRUE(has_error_anywhere(load(instance("priority 255\nnopreempt")),
                                 "nopreempt cannot be used with priority 255"));
  EXPECT_TRUE(has_error_anywhere(load(instance("state MASTER\nnopreempt")),
                                 "nopreempt does not work with state MASTER"));
  EXPECT_TRUE(has_error_anywhere(load(instance("preempt_delay 5\nnopreempt")),
                                 "preempt_delay cannot be used with nopreempt"));
  EXPECT_TRUE(has_error_anywhere(load(instance("state MASTER\npreempt_delay 5")),
                                 "preempt_delay does not work with state MASTER"));
  EXPECT_TRUE(has_error_anywhere(load(instance("use_vmac\npromote_secondaries")),
                                 "promote_secondaries is always set on a VMAC"));
  auto twice = load(instance("track_interface {\n eth1\n eth1 weight 2\n}"));
  EXPECT_TRUE(has_error(twice, 9, "track_interface 'eth1' is listed twice")) << rendered(twice);
  EXPECT_TRUE(load(instance("track_script {\n chk weight 10 noreverse\n}", kTrackers)).ok());
  EXPECT_TRUE(load(instance("priority 255\nstate BACKUP")).ok());
  EXPECT_TRUE(load(instance("nopreempt\npreempt\nstate MASTER")).ok());
  EXPECT_TRUE(has_error_anywhere(load(instance("advert_int 2.5")),
                                 "VRRPv2 advert_int 2.5s must be a whole number of seconds"));
  EXPECT_TRUE(load(instance("version 3\nadvert_int 2.5")).ok());
  EXPECT_TRUE(
      has_error_anywhere(load(instance("version 3\nadvert_int 41")), "must be less than 40.96s"));
  EXPECT_TRUE(has_error_anywhere(load(instance("version 3\nadvert_int 0.015")),
                                 "must be a multiple of 10ms"));
  const std::string auth = "authentication {\n auth_type PASS\n auth_pass abc\n}\n";
  EXPECT_TRUE(load(instance(auth)).ok());
  EXPECT_TRUE(has_error_anywhere(load(instance("authentication {\n auth_type PASS\n}")),
                                 "authentication has an auth_type but no auth_pass"));
  EXPECT_TRUE(has_error_anywhere(
      load(instance("state MASTER\nauthentication {\n auth_type AH\n auth_pass x\n}")),
      "AH authentication does not work with state MASTER"));
  EXPECT_TRUE(has_error_anywhere(load(instance(auth + "version 3")),
                                 "VRRPv3 does not support authentication"));
  EXPECT_TRUE(has_error_anywhere(load(instance(auth + "strict_mode")),
                                 "strict_mode does not allow authentication"));
  // Global defaults: vrrp_strict, vrrp_version.
  auto strict = [](const std::string& extra) {
    return revalidate(load(instance(extra)), [](Config& c) { c.global.defs.vrrp_strict = true; });
  };
  EXPECT_TRUE(has_diagnostic(strict(auth), Severity::Error, 0,
                             "strict_mode does not allow authentication"));
  EXPECT_TRUE(has_diagnostic(strict("accept"), Severity::Error, 0, "accept mode with VRRPv2"));
  EXPECT_FALSE(strict("accept\nversion 3").has_errors());
  EXPECT_FALSE(revalidate(load(instance("advert_int 0.5")), [](Config& c) {
                 c.global.defs.vrrp_version = 3;
               }).has_errors());
  EXPECT_TRUE(
      has_error_anywhere(load(instance("unicast_src_ip 192.0.2.5")), "without any unicast_peer"));
  EXPECT_TRUE(has_error_anywhere(load(instance("unicast_ttl 5")),
                                 "unicast_ttl cannot be used without unicast_peer"));
  EXPECT_TRUE(load(instance("unicast_fault_no_peer")).ok());
  EXPECT_TRUE(has_error_anywhere(load(instance("use_vmac\nunicast_peer {\n 192.0.2.9\n}")),
                                 "use_vmac with unicast_peer requires vmac_xmit_base"));
  EXPECT_TRUE(has_error_anywhere(load(instance("use_ipvlan ipv1")),
                                 "use_ipvlan needs an address for an IPv4 instance"));
  EXPECT_TRUE(load(instance("use_ipvlan ipv1 192.0.2.5/24 private")).ok());
}

TEST(VrrpValidate, AddressOwnerCannotUseWeights) {
  auto l = load(instance("priority 255\ntrack_script {\n chk weight 10\n}", kTrackers));
  EXPECT_TRUE(has_error_anywhere(l, "address owner (priority 255) cannot use tracking weights"))
      << rendered(l);
  // track_process and track_file default to weight 1.
  EXPECT_FALSE(load(instance("priority 255\ntrack_file {\n tf\n}", kTrackers)).ok());
  EXPECT_TRUE(load(instance("priority 255\ntrack_file {\n tf weight 0\n}", kTrackers)).ok());
  EXPECT_TRUE(load(instance("priority 255\ntrack_script {\n chk\n}", kTrackers)).ok());
  // keepalived does not apply this to track_process.
  EXPECT_TRUE(load(instance("priority 255\ntrack_process {\n tp weight 5\n}", kTrackers)).ok());
  auto iface = load(instance("priority 255\ntrack_interface {\n eth1 weight 5\n}"));
  EXPECT_TRUE(has_error_anywhere(iface, "address owner (priority 255)")) << rendered(iface);
}

std::string two_instances(const std::string& extra_first) {
  return std::string(kInstance) + extra_first + "\n}\n" +
         "vrrp_instance VI_2 {\n interface eth1\n virtual_router_id 52\n virtual_ipaddress {\n "
         "192.0.2.2\n }\n}\n";
}

TEST(VrrpValidate, SyncGroups) {
  const std::string group = "vrrp_sync_group G1 {\n group {\n  VI_1\n  VI_2\n }\n}\n";
  EXPECT_TRUE(load(group + two_instances("")).ok());

  auto missing = load("vrrp_sync_group G1 {\n group {\n  VI_1\n  VI_X\n }\n}\n" + instance(""));
  EXPECT_TRUE(has_error(missing, 4, "vrrp_sync_group 'G1': vrrp_instance 'VI_X' does not exist"))
      << rendered(missing);
  EXPECT_TRUE(has_error(missing, 1, "has only one vrrp_instance"));

  auto twice = load(group + "vrrp_sync_group G2 {\n group {\n  VI_1\n }\n}\n" + two_instances(""));
  EXPECT_TRUE(has_error(twice, 9, "vrrp_instance 'VI_1' is already in sync group 'G1'"))
      << rendered(twice);
  EXPECT_TRUE(has_error(twice, 7, "vrrp_sync_group 'G2' has no vrrp_instance"));

  auto weighted = load(kTrackers + group + two_instances("track_script {\n chk weight 5\n}"));
  EXPECT_TRUE(has_error_anywhere(weighted,
                                 "is in sync group 'G1', so its tracking weights are "
                                 "ignored"))
      << rendered(weighted);
  auto allowed = std::string(kTrackers) + group;
  allowed.replace(allowed.rfind("}"), 0, " sync_group_tracking_weight\n");
  EXPECT_TRUE(load(allowed + two_instances("track_script {\n chk weight 5\n}")).ok());

  auto own = group;
  own.replace(own.rfind("}"), 0, " track_interface {\n  eth0\n }\n");
  auto o = load(own + two_instances(""));
  EXPECT_TRUE(has_error(o, 7, "interface 'eth0' is also tracked by a member instance"))
      << rendered(o);
  auto script = group;
  script.replace(script.rfind("}"), 0, " track_script {\n  nosuch\n }\n");
  EXPECT_TRUE(has_error(load(script + two_instances("")), 7,
                        "track_script 'nosuch' is not "
                        "defined"));
}

// keepalived -t: a sync group with an address owner among its members cannot use weights on
// its own trackers ("Cannot have weighted track ... with member having priority 255"), with or
// without sync_group_tracking_weight.
TEST(VrrpValidate, SyncGroupWithAddressOwnerCannotUseWeights) {
  auto group = [](const std::string& tracking) {
    return "vrrp_sync_group G1 {\n group {\n  VI_1\n  VI_2\n }\n" + tracking + "}\n";
  };
  // VI_1 is an address owner (a group may mix owners and others: keepalived -t accepts it).
  auto config = [&](const std::string& tracking) {
    return load(std::string(kTrackers) + group(tracking) + two_instances("priority 255"));
  };
  EXPECT_TRUE(config("").ok()) << rendered(config(""));
  auto script = config(" track_script {\n  chk weight 10\n }\n");
  EXPECT_TRUE(has_error(script, 20,
                        "vrrp_sync_group 'G1': track_script 'chk' has a weight, but member "
                        "'VI_1' is an address owner (priority 255)"))
      << rendered(script);
  EXPECT_TRUE(config(" track_script {\n  chk\n }\n").ok());
  // track_file's default weight is 1.
  EXPECT_TRUE(
      has_error_anywhere(config(" track_file {\n  tf\n }\n"), "track_file 'tf' has a weight"));
  EXPECT_TRUE(config(" track_file {\n  tf weight 0\n }\n").ok());
  EXPECT_TRUE(has_error_anywhere(config(" track_process {\n  tp weight -5\n }\n"),
                                 "track_process 'tp' has a weight"));
  // keepalived 2.2.7 does not report vrrp_track_process's default weight here.
  EXPECT_TRUE(config(" track_process {\n  tp\n }\n").ok());
  EXPECT_TRUE(has_error_anywhere(config(" track_interface {\n  eth2 weight 5\n }\n"),
                                 "track_interface 'eth2' has a weight"));
  EXPECT_TRUE(config(" track_interface {\n  eth2\n }\n").ok());
  EXPECT_TRUE(has_error_anywhere(
      config(" sync_group_tracking_weight\n track_script {\n  chk weight 10\n }\n"),
      "track_script 'chk' has a weight"));
  // Without an owner in the group the weights are fine.
  auto plain =
      std::string(kTrackers) + group(" track_script {\n  chk weight 10\n }\n") + two_instances("");
  EXPECT_TRUE(load(plain).ok()) << rendered(load(plain));
}

TEST(VrrpValidate, ScriptMustExistWhenVrrpRuns) {
  const std::string missing = "vrrp_script chk {\n script /nonexistent/halo_check.sh\n}\n";
  auto l = load(instance("", missing));
  EXPECT_TRUE(has_error(l, 2, "script '/nonexistent/halo_check.sh' is not found")) << rendered(l);
  // Without any vrrp_instance keepalived does not look at scripts.
  EXPECT_TRUE(load(missing).ok());
  // Shell syntax is not looked up.
  EXPECT_TRUE(load(instance("track_script {\n chk\n}",
                            "vrrp_script chk {\n script \"</dev/tcp/127.0.0.1/80\"\n}\n"))
                  .ok());
}

// ---- keepalived's samples ----------------------------------------------------------------

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class VrrpSample : public ::testing::TestWithParam<const char*> {};

TEST_P(VrrpSample, RoundTrips) {
  const std::filesystem::path path =
      std::filesystem::path("/usr/share/doc/keepalived/samples") / GetParam();
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not installed";
  // The samples also hold global_defs and virtual_server blocks of other areas: read leniently
  // and require only that every VRRP keyword is known.
  const auto options = any_interface("high", KeywordMode::Lenient);
  auto l = load_text(path.string(), read_file(path), options);
  for (const auto& d : l.diagnostics.all()) {
    // keepalived.conf.vrrp.lvs_syncd lists instances without a `group` block; keepalived does
    // not understand that either.
    if (d.message.starts_with("unknown keyword 'VI_")) continue;
    for (const char* block : {"in vrrp_", "in track_file", "in authentication"}) {
      EXPECT_EQ(d.message.find(block), std::string::npos) << Diagnostics::render(d, l.sources);
    }
  }
  expect_round_trip(*l.config, options);
}

INSTANTIATE_TEST_SUITE_P(
    Samples, VrrpSample,
    ::testing::Values("keepalived.conf.vrrp", "keepalived.conf.vrrp.localcheck",
                      "keepalived.conf.vrrp.lvs_syncd", "keepalived.conf.vrrp.routes",
                      "keepalived.conf.vrrp.rules", "keepalived.conf.vrrp.scripts",
                      "keepalived.conf.vrrp.static_ipaddress", "keepalived.conf.vrrp.sync",
                      "keepalived.conf.IPv6", "keepalived.conf.track_interface",
                      "keepalived.conf.conditional_conf"),
    [](const auto& param_info) {
      std::string name = param_info.param;
      for (auto& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace halo::config::testing
