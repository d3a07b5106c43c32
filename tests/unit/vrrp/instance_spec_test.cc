// Resolving vrrp_instance blocks into what the running instance uses: defaults, global_defs
// fallbacks and per-instance overrides (keepalived.conf(5)).
#include "vrrp/instance_spec.h"

#include <gtest/gtest.h>

#include "config/test_util.h"

namespace halo::vrrp {
namespace {

using config::testing::load;
using config::testing::rendered;
using std::chrono::seconds;

std::vector<InstanceSpec> specs_of(const std::string& text) {
  auto loaded = load(text);
  EXPECT_TRUE(loaded.ok()) << rendered(loaded);
  if (!loaded.ok()) return {};
  return instance_specs(*loaded.config);
}

TEST(InstanceSpec, KeepalivedDefaults) {
  const auto specs = specs_of(R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    192.0.2.100
  }
}
)");
  ASSERT_EQ(specs.size(), 1u);
  const auto& s = specs[0];
  EXPECT_EQ(s.name, "VI_1");
  EXPECT_EQ(s.family, Family::V4);
  EXPECT_EQ(s.fsm.version, 2);
  EXPECT_EQ(s.fsm.vrid, 51);
  EXPECT_EQ(s.fsm.priority, 100);
  EXPECT_EQ(s.fsm.advert_interval, Centiseconds(100));
  EXPECT_TRUE(s.fsm.preempt);
  EXPECT_EQ(s.fsm.initial_state, State::Backup);
  EXPECT_FALSE(s.fsm.lower_prio_no_advert);
  EXPECT_EQ(s.fsm.down_timer_adverts, 3);
  EXPECT_EQ(s.multicast_group, *IpAddress::parse("224.0.0.18"));
  EXPECT_FALSE(s.unicast());
  EXPECT_TRUE(s.parse.require_ttl_255);
  EXPECT_EQ(s.garp.master_delay, seconds(5));
  EXPECT_EQ(s.garp.master_repeat, 5);
  EXPECT_EQ(s.vip_lifetime, 2u);  // halo's own default
  ASSERT_EQ(s.addresses.size(), 1u);
  EXPECT_EQ(s.addresses[0].prefix.to_string(), "192.0.2.100/32");
  EXPECT_EQ(s.addresses[0].interface, "eth0");
  EXPECT_FALSE(s.addresses[0].flags.nodad);
  EXPECT_TRUE(s.track_own_interface);
}

TEST(InstanceSpec, GlobalDefaultsAndInstanceOverrides) {
  const auto specs = specs_of(R"(
global_defs {
  vrrp_version 3
  vrrp_garp_master_delay 2
  vrrp_garp_master_repeat 4
  vrrp_strict
  vrrp_vip_lifetime forever
  vrrp_down_timer_adverts 5
}
vrrp_instance VI_1 {
  interface eth0
  state MASTER
  virtual_router_id 1
  priority 150
  advert_int 0.1
  garp_master_repeat 1
  virtual_ipaddress {
    192.0.2.100/24 brd + dev eth1 label eth1:vip
  }
  virtual_ipaddress_excluded {
    2001:db8::100/64
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 2
  version 2
  nopreempt
  lower_prio_no_advert false
  down_timer_adverts 4
  virtual_ipaddress {
    192.0.2.101
  }
}
)");
  ASSERT_EQ(specs.size(), 2u);
  const auto& a = specs[0];
  EXPECT_EQ(a.fsm.version, 3);
  EXPECT_EQ(a.fsm.advert_interval, Centiseconds(10));
  EXPECT_EQ(a.fsm.initial_state, State::Master);
  EXPECT_TRUE(a.fsm.lower_prio_no_advert);  // vrrp_strict's default
  EXPECT_EQ(a.fsm.down_timer_adverts, 5);
  EXPECT_EQ(a.garp.master_delay, seconds(2));
  EXPECT_EQ(a.garp.master_repeat, 1);
  EXPECT_EQ(a.vip_lifetime, 0u);
  ASSERT_EQ(a.addresses.size(), 2u);
  EXPECT_EQ(a.addresses[0].interface, "eth1");
  EXPECT_EQ(a.addresses[0].label, "eth1:vip");
  EXPECT_EQ(a.addresses[0].broadcast, IpAddress::parse("192.0.2.255"));
  EXPECT_FALSE(a.addresses[0].excluded);
  EXPECT_TRUE(a.addresses[1].excluded);
  EXPECT_TRUE(a.addresses[1].flags.nodad);  // IPv6 VIPs skip DAD

  const auto& b = specs[1];
  EXPECT_EQ(b.fsm.version, 2);
  EXPECT_FALSE(b.fsm.preempt);
  EXPECT_FALSE(b.fsm.lower_prio_no_advert);
  EXPECT_EQ(b.fsm.down_timer_adverts, 4);
}

TEST(InstanceSpec, Ipv6IsAlwaysVersion3) {
  const auto specs = specs_of(R"(
vrrp_instance V6 {
  interface eth0
  virtual_router_id 7
  virtual_ipaddress {
    2001:db8::7/64
  }
}
)");
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].family, Family::V6);
  EXPECT_EQ(specs[0].fsm.version, 3);
  EXPECT_EQ(specs[0].multicast_group, *IpAddress::parse("ff02::12"));
}

TEST(InstanceSpec, UnicastPeersPasswordAndChecksumForms) {
  const auto specs = specs_of(R"(
vrrp_instance U {
  interface eth0
  virtual_router_id 9
  version 3
  unicast_src_ip 192.0.2.1
  unicast_ttl 64
  old_unicast_checksum
  unicast_peer {
    192.0.2.2 min_ttl 60 max_ttl 64
  }
  virtual_ipaddress {
    192.0.2.100
  }
}
vrrp_instance P {
  interface eth0
  virtual_router_id 10
  authentication {
    auth_type PASS
    auth_pass secret
  }
  virtual_ipaddress {
    192.0.2.101
  }
}
)");
  ASSERT_EQ(specs.size(), 2u);
  const auto& u = specs[0];
  EXPECT_TRUE(u.unicast());
  EXPECT_EQ(u.source, IpAddress::parse("192.0.2.1"));
  EXPECT_EQ(u.ttl, 64);
  ASSERT_EQ(u.peers.size(), 1u);
  EXPECT_EQ(u.peers[0].min_ttl, 60);
  EXPECT_EQ(u.peers[0].max_ttl, 64);
  EXPECT_FALSE(u.parse.require_ttl_255);
  EXPECT_TRUE(u.parse.accept_old_unicast_checksum);
  EXPECT_EQ(u.build.checksum, ChecksumForm::OldUnicast);
  EXPECT_EQ(specs[1].password, "secret");
}

TEST(InstanceSpec, IdentityIgnoresEverythingButInterfaceVridAndFamily) {
  auto specs = specs_of(R"(
vrrp_instance A {
  interface eth0
  virtual_router_id 3
  priority 90
  virtual_ipaddress {
    192.0.2.100
  }
}
)");
  ASSERT_EQ(specs.size(), 1u);
  auto changed = specs[0];
  changed.fsm.priority = 200;
  EXPECT_EQ(key_of(changed), key_of(specs[0]));
  EXPECT_NE(changed, specs[0]);
  changed.fsm.vrid = 4;
  EXPECT_NE(key_of(changed), key_of(specs[0]));
}

}  // namespace
}  // namespace halo::vrrp

namespace halo::vrrp {
namespace {

TEST(InstanceSpec, UseVmacMovesTheVipsOfItsInterfaceToTheVmac) {
  const auto specs = config::testing::load(R"(
vrrp_instance A {
  interface eth0
  use_vmac
  virtual_router_id 51
  virtual_ipaddress {
    192.0.2.100/24
    192.0.2.101/24 dev eth1
  }
}
vrrp_instance B {
  interface eth0
  use_vmac vmac-b 02:00:5e:00:01
  vmac_xmit_base
  virtual_router_id 52
  virtual_ipaddress {
    192.0.2.102/24
  }
}
)");
  ASSERT_TRUE(specs.ok()) << config::testing::rendered(specs);
  const auto s = instance_specs(*specs.config);
  ASSERT_EQ(s.size(), 2u);
  ASSERT_TRUE(s[0].vmac.has_value());
  EXPECT_EQ(s[0].vmac->name, "vrrp.51");
  EXPECT_EQ(s[0].vmac->mac.to_string(), "00:00:5e:00:01:33");
  EXPECT_EQ(s[0].advert_interface, "vrrp.51");
  EXPECT_EQ(s[0].addresses[0].interface, "vrrp.51");
  EXPECT_EQ(s[0].addresses[1].interface, "eth1");  // names another interface: stays there
  ASSERT_TRUE(s[1].vmac.has_value());
  EXPECT_EQ(s[1].vmac->name, "vmac-b");
  EXPECT_EQ(s[1].vmac->mac.to_string(), "02:00:5e:00:01:34");  // five octets + the VRID
  EXPECT_EQ(s[1].advert_interface, "eth0");                    // vmac_xmit_base
  EXPECT_EQ(s[1].addresses[0].interface, "vmac-b");
}

}  // namespace
}  // namespace halo::vrrp

namespace halo::vrrp {
namespace {

// The weight that applies to a tracker: the track_* item's own, else the tracker's default.
// A sync group's trackers apply to each member, with weights only under
// sync_group_tracking_weight (keepalived.conf(5), vrrp_sync_group).
TEST(InstanceSpec, TrackedItemsTakeTheirWeights) {
  const auto specs = specs_of(R"(
global_defs {
  enable_script_security
  script_user root
}
vrrp_script chk {
  script /bin/true
  weight 10
}
vrrp_track_process trk {
  process sleep
  weight -5 reverse
}
track_file tf {
  file /tmp/halo-tf
  weight 2
}
vrrp_sync_group G {
  group {
    VI_2
    VI_3
  }
  track_script {
    chk weight 7
  }
  track_interface {
    eth2 weight 4
  }
}
vrrp_sync_group H {
  group {
    VI_4
    VI_5
  }
  track_file {
    tf
  }
  sync_group_tracking_weight
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  track_script {
    chk
  }
  track_process {
    trk weight 3
  }
  track_file {
    tf
  }
  virtual_ipaddress {
    192.0.2.1
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 2
  virtual_ipaddress {
    192.0.2.2
  }
}
vrrp_instance VI_3 {
  interface eth0
  virtual_router_id 3
  virtual_ipaddress {
    192.0.2.3
  }
}
vrrp_instance VI_4 {
  interface eth0
  virtual_router_id 4
  virtual_ipaddress {
    192.0.2.4
  }
}
vrrp_instance VI_5 {
  interface eth0
  virtual_router_id 5
  virtual_ipaddress {
    192.0.2.5
  }
}
)");
  ASSERT_EQ(specs.size(), 5u);
  using K = track::TrackerKind;
  EXPECT_EQ(specs[0].tracked, (std::vector<TrackedItem>{{K::Script, "chk", 10, false},
                                                        {K::Process, "trk", 3, false},
                                                        {K::File, "tf", 2, false}}));
  // In G, without sync_group_tracking_weight: the group's trackers, weight 0 (down = FAULT).
  EXPECT_EQ(specs[1].tracked, (std::vector<TrackedItem>{{K::Script, "chk", 0, false}}));
  EXPECT_EQ(specs[2].tracked, specs[1].tracked);
  EXPECT_EQ(specs[1].tracked_interfaces, (std::vector<TrackedInterface>{{"eth2", 0, false}}));
  // In H, with sync_group_tracking_weight: the tracker's own weight.
  EXPECT_EQ(specs[3].tracked, (std::vector<TrackedItem>{{K::File, "tf", 2, false}}));
  EXPECT_EQ(specs[4].tracked, specs[3].tracked);
}

}  // namespace
}  // namespace halo::vrrp
