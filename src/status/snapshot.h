// What the daemon is doing, as plain values: the one model behind the control socket's
// `show` replies, haloctl's tables, the Prometheus metrics and the keepalived.stats /
// keepalived.json dumps. The daemon fills a Snapshot from its subsystems when asked (a
// command, a scrape, a signal); every renderer is a pure function of it, so each is tested
// with hand-made snapshots and none reaches into the running subsystems.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace halo::status {

using WallClock = std::chrono::system_clock;

// A counter with a stable snake_case name ("bad_checksum"), for labels and JSON keys.
using NamedCount = std::pair<std::string, std::uint64_t>;

struct DaemonInfo {
  std::string version;  // HALO_VERSION
  pid_t pid = 0;
  std::string config_file;
  std::string router_id;
  std::string network_namespace;  // "" : the one halod was started in
  WallClock::time_point started{};
  std::uint64_t reloads = 0;            // successful reloads
  std::uint64_t reload_failures = 0;    // reloads refused for config errors
  bool last_reload_ok = true;           // true before the first reload
  WallClock::time_point last_reload{};  // epoch before the first reload
  std::string lb_backend = "none";      // "ipvs", "nftables", "none" (no checkers yet)
};

// One tracked item of an instance (interfaces, scripts, processes, files, as configured).
struct TrackedView {
  std::string kind;  // "interface", "script", "process", "file", "bfd"
  std::string name;
  bool up = true;
  bool pending = false;    // a vrrp_script before its first result
  std::int64_t value = 0;  // track_file's number
  int weight = 0;          // 0: a failure means FAULT
  bool reverse = false;
  // A script's command as keepalived's JSON dump lists it: each word in single quotes, the
  // program by its resolved path ("'/usr/bin/true' 'arg'"). The daemon fills it for scripts;
  // empty: the dump lists `name` instead.
  std::string command{};
};

// Per-instance counters: keepalived's stats (keepalived.stats, its JSON "stats") and halo's.
struct InstanceCounters {
  std::uint64_t adverts_sent = 0;
  std::uint64_t adverts_received = 0;
  std::uint64_t became_master = 0;
  std::uint64_t released_master = 0;
  std::uint64_t priority_zero_sent = 0;
  std::uint64_t priority_zero_received = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t address_errors = 0;
  std::uint64_t announcements_sent = 0;  // gratuitous ARPs and NAs
  std::uint64_t split_brain_episodes = 0;
  std::uint64_t transitions = 0;  // state changes since start (every state)
  // keepalived's packet error counters, mapped from halo's reject reasons.
  std::uint64_t packet_length_errors = 0;    // too_short, bad_ip_header
  std::uint64_t ttl_errors = 0;              // bad_ttl
  std::uint64_t invalid_type = 0;            // bad_type
  std::uint64_t advert_interval_errors = 0;  // bad_interval
  std::uint64_t address_list_errors = 0;     // bad_address_count
  std::uint64_t invalid_auth_type = 0;       // bad_auth_type
  std::uint64_t auth_type_mismatch = 0;      // auth_type_mismatch
  std::uint64_t auth_failure = 0;            // auth_failure
  // Every reject reason by its halo name (vrrp::to_string(Reject)), zero counts included.
  std::vector<NamedCount> rejected;
};

// An instance's notify commands, quoted like TrackedView::command; "" : not configured.
// keepalived's JSON dump lists the configured ones (script_master, …).
struct NotifyCommands {
  std::string backup{};
  std::string master{};
  std::string fault{};
  std::string stop{};
  std::string deleted{};
  std::string any{};  // `notify`
  std::string master_rx_lower_pri{};
};

struct InstanceView {
  std::string name;
  std::string interface;
  std::string family;  // "inet" or "inet6"
  int vrid = 0;
  int version = 3;
  std::string state = "INIT";           // INIT, BACKUP, MASTER, FAULT, STOP
  std::string wanted_state = "BACKUP";  // the configured `state` (keepalived's wantstate)
  int base_priority = 0;                // as configured, or as `set instance … priority` made it
  int configured_priority = 0;          // as configured
  int effective_priority = 0;           // with tracking, as advertised
  int advert_interval_ms = 1000;
  int master_advert_interval_ms = 1000;  // as last heard from the master (v3), else ours
  bool nopreempt = false;
  int preempt_delay_ms = 0;
  bool accept = true;
  std::string sync_group;                      // "" : none
  std::vector<std::string> virtual_addresses;  // "192.0.2.10/24"
  WallClock::time_point last_transition{};
  bool split_brain = false;  // another master is seen right now
  bool running = true;       // false: not started (an unavailable tracker, no interface)
  std::string not_running_reason;
  std::vector<TrackedView> tracked;
  InstanceCounters counters;
  // For keepalived's JSON dump (keepalived.json); the daemon fills these. The defaults are
  // keepalived's own for an instance that does not configure them.
  int master_priority = 0;       // the priority of the master last heard; 0: none (or us)
  std::string vmac_interface{};  // use_vmac's interface; "" : none
  int auth_type = 0;             // 0 none, 1 PASS, 2 AH (VRRPv2 `authentication`)
  std::string auth_data{};       // auth_pass as configured
  bool addresses_set = false;    // the VIPs are on the interface (keepalived's vipset)
  std::vector<std::string> excluded_addresses{};  // virtual_ipaddress_excluded, as VIPs
  NotifyCommands notify{};
};

struct SyncGroupView {
  std::string name;
  std::string state;  // the members' common state as last notified
  std::vector<std::string> members;
};

// A tracker the configuration uses (vrrp_script, vrrp_track_process, track_file).
struct TrackerView {
  std::string kind;  // "script", "process", "file"
  std::string name;
  bool running = true;  // false: unavailable (see reason)
  std::string unavailable_reason;
  bool enabled = true;  // false: `disable tracker` — its failures are ignored until enabled
  bool up = true;
  bool pending = false;
  std::int64_t value = 0;
  std::uint64_t transitions = 0;        // status changes seen since it started
  WallClock::time_point last_change{};  // epoch: never changed
  std::vector<std::string> used_by;     // instances and sync groups
};

// The control socket's own counters (L5: what it refused, evicted and dropped, and why).
struct ControlCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_active = 0;
  std::uint64_t maxconn = 0;
  std::uint64_t commands = 0;
  std::uint64_t command_errors = 0;
  std::uint64_t evicted_idle = 0;  // closed to admit a newcomer
  std::uint64_t refused_busy = 0;  // newcomer told `busy`
  std::uint64_t idle_timeouts = 0;
  std::uint64_t command_timeouts = 0;  // reply not taken within the command deadline
  std::uint64_t overlong_lines = 0;
  std::uint64_t followers = 0;          // `show events follow` streams now
  std::uint64_t followers_dropped = 0;  // slow readers dropped
};

struct Snapshot {
  DaemonInfo info;
  WallClock::time_point taken{};
  std::vector<InstanceView> instances;
  std::vector<SyncGroupView> sync_groups;
  std::vector<TrackerView> trackers;
  ControlCounters control;
  std::uint64_t events_published = 0;
  std::uint64_t metrics_scrapes = 0;
};

}  // namespace halo::status
