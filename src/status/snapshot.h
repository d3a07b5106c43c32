// What the daemon is doing, as plain values: the one model behind the control socket's
// `show` replies, haloctl's tables, the Prometheus metrics and the keepalived.stats /
// keepalived.json dumps. The daemon fills a Snapshot from its subsystems when asked (a
// command, a scrape, a signal); every renderer is a pure function of it, so each is tested
// with hand-made snapshots and none reaches into the running subsystems.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
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

// One health checker of a real server (issue 6; L2: every result is kept, not only up/down).
struct CheckView {
  std::string kind;     // keepalived's name: "TCP_CHECK", "HTTP_GET", "MISC_CHECK", ...
  std::string target;   // "198.51.100.11:80"; MISC_CHECK: the script; FILE_CHECK: the file
  std::string id;       // unique in the daemon, for `enable|disable check ID`: "VS/RS/N"
  bool enabled = true;  // false: `disable check`, it counts as up
  bool up = true;
  bool has_result = false;               // an attempt has finished
  std::string last_reason;               // why the last attempt succeeded or failed
  std::optional<int> last_exit_code;     // MISC_CHECK: keepalived's "Last status"
  std::int64_t weight_contribution = 0;  // misc_dynamic / FILE_CHECK share of the RS weight
  std::uint64_t attempts = 0;
  std::uint64_t failures = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t transitions = 0;
  WallClock::time_point last_change{};  // of up/down; epoch: never
  // When the last attempt finished (epoch: none yet). The daemon puts the time of the newest
  // result here; keepalived_check.data writes it as MISC_CHECK's "Last ran", and `show checks`
  // as the age of the last result.
  WallClock::time_point last_attempt{};
  // Configuration, resolved (inherited values filled), for dumps.
  std::int64_t connect_timeout_ms = 0;
  std::int64_t delay_loop_ms = 0;
  std::int64_t delay_before_retry_ms = 0;
  std::int64_t warmup_ms = 0;
  std::uint32_t retry = 0;
  bool alpha = false;
  bool log_all_failures = false;  // every failed attempt while up is logged, not only news
  // What only this kind has, in keepalived's dump words, in order: {"Keepalive method",
  // "MISC_CHECK"}, {"script", "/x.sh"}, {"dynamic", "YES"}, {"url", "/health"}, ...
  // keepalived_check.data writes each as "   KEY = VALUE" (a KEY that starts with blanks keeps
  // them, for keepalived's nested lines); MISC_CHECK's "Last ran" and "Last status" come from
  // last_attempt and last_exit_code, after these. Empty: "   Keepalive method = KIND" only.
  std::vector<std::pair<std::string, std::string>> details{};
};

struct RealServerView {
  std::string name;  // "[198.51.100.11]:tcp:80" (keepalived's form)
  std::string address;
  std::uint16_t port = 0;
  bool alive = true;
  bool in_pool = true;                 // held by the back end (alive, or inhibited with weight 0)
  std::uint32_t weight = 1;            // configured
  std::uint32_t effective_weight = 1;  // with misc_dynamic / FILE_CHECK contributions
  bool inhibit_on_failure = false;
  std::string method;       // "NAT", "DR", "TUN"
  std::string notify_up{};  // quoted command; "": none
  std::string notify_down{};
  std::vector<CheckView> checks;
};

struct VirtualServerView {
  std::string name;       // "[192.0.2.10]:tcp:80", "FWM 5", "group NAME" (keepalived's forms)
  std::string protocol;   // "TCP", "UDP", "SCTP"
  std::string scheduler;  // "rr", "wrr", ...
  std::string method;     // "NAT", "DR", "TUN"
  std::int64_t delay_loop_ms = 0;
  std::uint32_t quorum = 1;
  std::uint32_t hysteresis = 0;
  bool quorum_up = true;
  std::int64_t alive_weight_sum = 0;
  bool alpha = false;
  bool omega = false;
  bool inhibit_on_failure = false;
  std::string sorry_server{};  // "[198.51.100.99]:tcp:80"; "": none
  bool sorry_server_active = false;
  std::optional<std::uint32_t> persistence_timeout{};
  std::string quorum_up_script{};
  std::string quorum_down_script{};
  std::string backend_error{};  // the back end refused the last change: why ("" : fine)
  std::vector<RealServerView> real_servers;
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

// What the notifier did: notify scripts, FIFO lines and smtp_alert mails.
struct NotifyCounters {
  std::uint64_t scripts_run = 0;
  std::uint64_t scripts_failed = 0;  // non-zero exit, signal, timeout or spawn failure
  std::uint64_t scripts_timed_out = 0;
  std::uint64_t scripts_refused = 0;  // not run: enable_script_security, unknown user
  std::uint64_t fifo_lines = 0;       // per FIFO: a line on two FIFOs counts twice
  std::uint64_t fifo_lines_dropped = 0;
  std::uint64_t mails_sent = 0;  // the mail server took the message
  std::uint64_t mails_failed = 0;
  std::uint64_t mails_dropped = 0;  // too many waiting

  bool operator==(const NotifyCounters&) const = default;
};

struct Snapshot {
  DaemonInfo info;
  WallClock::time_point taken{};
  std::vector<InstanceView> instances;
  std::vector<SyncGroupView> sync_groups;
  std::vector<TrackerView> trackers;
  std::vector<VirtualServerView> virtual_servers;
  ControlCounters control;
  NotifyCounters notify;
  std::uint64_t events_published = 0;
  std::uint64_t metrics_scrapes = 0;
};

}  // namespace halo::status
