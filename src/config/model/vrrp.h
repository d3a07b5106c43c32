// The VRRP side of the model: vrrp_script, vrrp_track_process, track_file, vrrp_sync_group
// and vrrp_instance with all its sub-blocks.
//
// Values keep what the configuration said, typed: an unset keyword whose default comes from
// global_defs (version, strict_mode, garp_*) is an empty optional, so later stages can fall back
// to the global value; a keyword with a fixed default is a plain member initialised to it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/model/common.h"
#include "config/model/global.h"  // GarpExtraIf
#include "config/model/ip_items.h"

namespace halo::config {

// ---- trackers --------------------------------------------------------------------------------

// vrrp_script NAME { ... }: a command run periodically; its exit status is tracked.
struct VrrpScript {
  std::string name;
  SourceLoc loc;
  Script script;  // empty command: none configured (an error)
  Duration interval = std::chrono::seconds(1);
  std::optional<Duration> timeout;  // default: the interval
  std::int16_t weight = 0;          // -253..253
  bool weight_reverse = false;
  std::uint32_t rise = 1;
  std::uint32_t fall = 1;
  bool init_fail = false;

  bool operator==(const VrrpScript&) const = default;
};

enum class ParamMatch : std::uint8_t { Exact, Initial, Partial };

// vrrp_track_process NAME { ... }: processes watched through the proc connector.
struct TrackProcess {
  std::string name;
  SourceLoc loc;
  std::vector<std::string> process;  // command name, then parameters; empty: none (an error)
  std::optional<ParamMatch> param_match;
  // keepalived.conf(5) says 1; keepalived 2.2.7 runs with 0 (its dump says `Weight = 0`, and a
  // lost quorum puts the instance in FAULT). Configurations written for it rely on that.
  std::int16_t weight = 0;  // -254..254
  bool weight_reverse = false;
  std::uint16_t quorum = 1;
  std::optional<std::uint16_t> quorum_max;
  std::optional<Duration> fork_delay;
  std::optional<Duration> terminate_delay;
  bool full_command = false;

  bool operator==(const TrackProcess&) const = default;
};

// track_file NAME { ... } (vrrp_track_file): a file holding a number.
struct TrackFile {
  std::string name;
  SourceLoc loc;
  std::string file;         // empty: none configured (an error)
  std::int16_t weight = 1;  // -254..254
  bool weight_reverse = false;
  struct Init {
    std::int32_t value = 0;
    bool overwrite = false;
    bool operator==(const Init&) const = default;
  };
  std::optional<Init> init_file;

  bool operator==(const TrackFile&) const = default;
};

// An item of track_interface { IF [weight N [reverse]] }.
struct TrackedInterface {
  std::string name;
  SourceLoc loc;
  std::int16_t weight = 0;  // 0: down means FAULT
  bool reverse = false;

  bool operator==(const TrackedInterface&) const = default;
};

// An item of track_script / track_process / track_file / track_bfd: a named tracker with an
// optional weight overriding the tracker's own.
struct TrackRef {
  std::string name;
  SourceLoc loc;
  std::optional<std::int16_t> weight;
  bool reverse = false;

  bool operator==(const TrackRef&) const = default;
};

// The tracking blocks shared by vrrp_instance and vrrp_sync_group.
struct Tracking {
  std::vector<TrackedInterface> interfaces;
  std::vector<TrackRef> scripts;
  std::vector<TrackRef> files;
  std::vector<TrackRef> processes;
  std::vector<TrackRef> bfds;

  bool operator==(const Tracking&) const = default;
};

// ---- sync groups -----------------------------------------------------------------------------

struct SyncGroupMember {
  std::string name;
  SourceLoc loc;
  bool operator==(const SyncGroupMember&) const = default;
};

struct VrrpSyncGroup {
  std::string name;
  SourceLoc loc;
  std::vector<SyncGroupMember> group;
  bool group_set = false;  // a `group` block was given (keepalived allows one)
  Tracking track;
  std::optional<Script> notify_master;
  std::optional<Script> notify_backup;
  std::optional<Script> notify_fault;
  std::optional<Script> notify_stop;
  std::optional<Script> notify;
  std::optional<bool> notify_priority_changes;
  std::optional<bool> smtp_alert;
  bool sync_group_tracking_weight = false;

  bool operator==(const VrrpSyncGroup&) const = default;
};

// ---- instances -------------------------------------------------------------------------------

enum class VrrpState : std::uint8_t { Backup, Master };
enum class AuthType : std::uint8_t { None, Pass, Ah };
enum class IpvlanMode : std::uint8_t { Bridge, Private, Vepa };
enum class OldUnicastChecksum : std::uint8_t { Off, On, Never };

struct MacAddress {
  std::array<std::uint8_t, 6> bytes{};
  std::uint8_t length = 0;  // 5: the VRID supplies the last octet
  bool operator==(const MacAddress&) const = default;
};

struct UseVmac {
  std::string name;  // empty: vrrp.<VRID>
  std::optional<MacAddress> mac;
  bool operator==(const UseVmac&) const = default;
};

struct UseIpvlan {
  std::string name;
  std::optional<IpPrefix> address;
  IpvlanMode mode = IpvlanMode::Bridge;
  bool operator==(const UseIpvlan&) const = default;
};

struct UnicastPeer {
  IpAddress address;
  SourceLoc loc;
  std::optional<std::uint8_t> min_ttl;
  std::optional<std::uint8_t> max_ttl;
  bool operator==(const UnicastPeer&) const = default;
};

struct Authentication {
  AuthType type = AuthType::None;
  std::string pass;  // at most 8 characters
  SourceLoc loc;
  bool operator==(const Authentication&) const = default;
};

struct VrrpInstance {
  std::string name;
  SourceLoc loc;

  VrrpState state = VrrpState::Backup;
  std::string interface;  // empty: none (allowed with unicast peers)
  SourceLoc interface_loc;
  std::string vrf;
  std::optional<UseVmac> use_vmac;
  bool use_vmac_addr = false;
  bool vmac_xmit_base = false;
  std::optional<UseIpvlan> use_ipvlan;
  bool native_ipv6 = false;
  bool dont_track_primary = false;
  Tracking track;

  std::optional<IpAddress> mcast_src_ip;
  std::optional<IpAddress> unicast_src_ip;
  SourceLoc src_ip_loc;
  std::optional<IpAddress> mcast_dst_ip;
  bool track_src_ip = false;
  std::optional<std::uint8_t> version;  // default: global vrrp_version (IPv6: always 3)
  bool check_unicast_src = false;
  std::vector<UnicastPeer> unicast_peer;
  bool unicast_fault_no_peer = false;
  std::optional<std::uint8_t> unicast_ttl;
  OldUnicastChecksum old_unicast_checksum = OldUnicastChecksum::Off;

  // Per-instance overrides of the global vrrp_garp_* settings (whole seconds / counts).
  std::optional<std::uint32_t> garp_master_delay;
  std::optional<std::uint32_t> garp_master_repeat;
  std::optional<std::uint32_t> garp_lower_prio_delay;
  std::optional<std::uint32_t> garp_lower_prio_repeat;
  std::optional<std::uint32_t> garp_master_refresh;
  std::optional<std::uint32_t> garp_master_refresh_repeat;
  std::optional<GarpExtraIf> garp_extra_if;
  std::uint8_t down_timer_adverts = 3;
  std::optional<bool> lower_prio_no_advert;
  std::optional<bool> higher_prio_send_advert;

  std::uint8_t virtual_router_id = 0;  // 0: not set (an error)
  SourceLoc vrid_loc;
  std::uint8_t priority = 100;
  Duration advert_int = std::chrono::seconds(1);
  Authentication authentication;

  std::vector<IpAddressItem> virtual_ipaddress;
  std::vector<IpAddressItem> virtual_ipaddress_excluded;
  bool promote_secondaries = false;
  std::vector<IpRouteItem> virtual_routes;
  std::vector<IpRuleItem> virtual_rules;

  std::optional<bool> accept;  // accept / no_accept; default: accept unless strict mode
  bool nopreempt = false;
  Duration preempt_delay{0};
  std::optional<bool> skip_check_adv_addr;
  std::optional<bool> strict_mode;
  std::uint8_t debug = 0;

  std::optional<Script> notify_master;
  std::optional<Script> notify_backup;
  std::optional<Script> notify_fault;
  std::optional<Script> notify_stop;
  bool notify_deleted = false;  // send DELETED rather than FAULT on removal
  std::optional<Script> notify_deleted_script;
  std::optional<Script> notify_master_rx_lower_pri;
  std::optional<Script> notify;
  std::optional<bool> notify_priority_changes;
  std::optional<bool> smtp_alert;
  std::optional<std::uint64_t> kernel_rx_buf_size;

  bool operator==(const VrrpInstance&) const = default;
};

struct VrrpConfig {
  std::vector<VrrpScript> scripts;
  std::vector<TrackProcess> track_processes;
  std::vector<TrackFile> track_files;
  std::vector<VrrpSyncGroup> sync_groups;
  std::vector<VrrpInstance> instances;

  bool operator==(const VrrpConfig&) const = default;
};

}  // namespace halo::config
