// global_defs and the other host-wide blocks: linkbeat_interfaces, interface_up_down_delays,
// track_group, static_ipaddress / static_routes / static_rules, garp_group, SSL, and the
// process-level keywords keepalived takes only at the top level (net_namespace, instance,
// use_pid_dir, linkbeat_use_polling, child_wait_time, namespace_with_ipsets,
// net_namespace_ipvs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/model/common.h"
#include "config/model/ip_items.h"

namespace halo::config {

// `notify_fifo FIFO [username [groupname]]` and its vrrp_/lvs_ variants.
struct FifoSpec {
  std::string path;
  std::optional<std::string> user;
  std::optional<std::string> group;

  bool operator==(const FifoSpec&) const = default;
};

// `smtp_server <IP|NAME> [<PORT>]`
struct SmtpServer {
  std::string host;  // as written: an address or a host name
  std::uint16_t port = 25;

  bool operator==(const SmtpServer&) const = default;
};

// `lvs_sync_daemon <IF> [[inst] <VRRP_INSTANCE>] [id <0..255>] [maxlen <N>] [port <N>]
//  [ttl <N>] [group <IP>]`
struct LvsSyncDaemon {
  std::string interface;
  std::string instance;  // empty: both daemons run whatever the VRRP state
  std::optional<std::uint8_t> sync_id;
  std::optional<std::uint16_t> maxlen;
  std::optional<std::uint16_t> port;
  std::optional<std::uint8_t> ttl;
  std::optional<IpAddress> group;

  bool operator==(const LvsSyncDaemon&) const = default;
};

// `lvs_timeouts [tcp SECS] [tcpfin SECS] [udp SECS]`; unset values are left unchanged.
struct LvsTimeouts {
  std::optional<std::uint32_t> tcp;
  std::optional<std::uint32_t> tcpfin;
  std::optional<std::uint32_t> udp;

  bool operator==(const LvsTimeouts&) const = default;
};

// `vrrp_garp_extra_if [all] <SECONDS>`
struct GarpExtraIf {
  std::uint32_t interval = 0;  // seconds, 1..86400
  bool all = false;            // all interfaces of the instance, not only VMACs

  bool operator==(const GarpExtraIf&) const = default;
};

// `vrrp_iptables [<IN_CHAIN> [<OUT_CHAIN>]]`
struct IptablesChains {
  std::string in_chain;
  std::string out_chain;

  bool operator==(const IptablesChains&) const = default;
};

enum class RxBufsPolicyKind : std::uint8_t { Mtu, Advert, Size };
// `vrrp_rx_bufs_policy MTU|ADVERT|<BYTES>`
struct RxBufsPolicy {
  RxBufsPolicyKind kind = RxBufsPolicyKind::Mtu;
  std::uint32_t size = 0;  // with Size

  bool operator==(const RxBufsPolicy&) const = default;
};

// `include_check [[+|-]readable|match|wildcard_match|brace_match ...]` as written.
struct IncludeCheck {
  std::vector<std::string> options;

  bool operator==(const IncludeCheck&) const = default;
};

struct GlobalDefs {
  // Process and start-up.
  std::optional<Script> startup_script;
  std::uint16_t startup_script_timeout = 10;  // seconds
  std::optional<Script> shutdown_script;
  std::uint16_t shutdown_script_timeout = 10;
  std::optional<std::string> tmp_config_directory;
  std::optional<std::string> config_save_dir;
  bool process_names = false;
  std::optional<std::string> process_name;
  std::optional<std::string> vrrp_process_name;
  std::optional<std::string> checker_process_name;
  std::optional<std::string> bfd_process_name;

  // Notification e-mail.
  std::vector<std::string> notification_email;
  std::optional<std::string> notification_email_from;
  std::optional<SmtpServer> smtp_server;
  std::optional<std::string> smtp_helo_name;
  std::uint16_t smtp_connect_timeout = 30;  // seconds
  std::optional<bool> smtp_alert;
  std::optional<bool> smtp_alert_vrrp;
  std::optional<bool> smtp_alert_checker;
  bool checker_log_all_failures = false;
  bool no_email_faults = false;
  bool no_checker_emails = false;
  std::optional<std::string> router_id;

  // VRRP defaults.
  IpAddress vrrp_mcast_group4 = IpAddress::v4({224, 0, 0, 18});
  IpAddress vrrp_mcast_group6 =
      IpAddress::v6({0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12});
  std::string default_interface = "eth0";
  std::uint16_t vrrp_garp_master_delay = 5;  // seconds; 0: no second burst
  std::uint32_t vrrp_garp_master_repeat = 5;
  std::optional<std::uint16_t> vrrp_garp_lower_prio_delay;   // default: master_delay
  std::optional<std::uint32_t> vrrp_garp_lower_prio_repeat;  // default: master_repeat
  std::uint32_t vrrp_garp_master_refresh = 0;                // seconds; 0: never
  std::uint32_t vrrp_garp_master_refresh_repeat = 1;
  std::optional<Duration> vrrp_garp_interval;
  std::optional<Duration> vrrp_gna_interval;
  bool vrrp_min_garp = false;
  std::optional<GarpExtraIf> vrrp_garp_extra_if;
  std::uint8_t vrrp_down_timer_adverts = 3;
  std::optional<bool> vrrp_lower_prio_no_advert;
  std::optional<bool> vrrp_higher_prio_send_advert;
  std::uint8_t vrrp_version = 2;
  // halo's own: the valid lifetime, in seconds, of the virtual addresses halo adds; it renews
  // them while it runs, so the kernel removes them by itself when halod dies (design §2 L6).
  // kVipLifetimeForever: keepalived's behaviour (addresses stay until removed).
  static constexpr std::uint32_t kVipLifetimeForever = 0;
  std::uint32_t vrrp_vip_lifetime = 2;
  bool vrrp_check_unicast_src = false;
  bool vrrp_skip_check_adv_addr = false;
  bool vrrp_strict = false;
  bool vrrp_notify_priority_changes = false;
  std::optional<Duration> vrrp_startup_delay;
  bool log_unknown_vrids = false;
  std::string vmac_prefix = "vrrp";
  std::optional<std::string> vmac_addr_prefix;  // default: vmac_prefix
  std::optional<RxBufsPolicy> vrrp_rx_bufs_policy;
  std::uint32_t vrrp_rx_bufs_multiplier = 3;

  // Firewall.
  std::optional<std::string> nftables;  // table name; set by `nftables` (default keepalived)
  std::int32_t nftables_priority = -1;
  bool nftables_counters = false;
  bool nftables_ifindex = false;
  std::optional<std::string> nftables_ipvs;
  std::int32_t nftables_ipvs_priority = -1;
  std::uint32_t nftables_ipvs_start_fwmark = 1000;
  std::optional<IptablesChains> vrrp_iptables;
  bool disable_local_igmp = false;

  // LVS.
  std::optional<LvsSyncDaemon> lvs_sync_daemon;
  std::optional<LvsTimeouts> lvs_timeouts;
  bool lvs_flush = false;
  std::optional<bool> lvs_flush_on_stop;  // set: flush; true: "VS" (virtual servers only)
  bool rs_init_notifies = false;

  // Scheduling of the keepalived processes.
  std::optional<std::int8_t> max_auto_priority;          // -1..99; bare keyword: 99
  std::optional<std::uint32_t> min_auto_priority_delay;  // microseconds
  std::optional<std::int8_t> vrrp_priority;
  std::optional<std::int8_t> checker_priority;
  std::optional<std::int8_t> bfd_priority;
  bool vrrp_no_swap = false;
  bool checker_no_swap = false;
  bool bfd_no_swap = false;
  std::vector<std::uint16_t> vrrp_cpu_affinity;
  std::vector<std::uint16_t> checker_cpu_affinity;
  std::vector<std::uint16_t> bfd_cpu_affinity;
  std::optional<std::uint8_t> vrrp_rt_priority;
  std::optional<std::uint8_t> checker_rt_priority;
  std::optional<std::uint8_t> bfd_rt_priority;
  std::uint32_t vrrp_rlimit_rttime = 10000;  // microseconds
  std::uint32_t checker_rlimit_rttime = 10000;
  std::uint32_t bfd_rlimit_rttime = 10000;

  // SNMP and D-Bus.
  std::optional<std::string> snmp_socket;
  bool enable_snmp_vrrp = false;
  bool enable_snmp_checker = false;
  bool enable_snmp_rfc = false;
  bool enable_snmp_rfcv2 = false;
  bool enable_snmp_rfcv3 = false;
  bool enable_traps = false;
  bool enable_dbus = false;
  std::optional<std::string> dbus_service_name;

  // Scripts and FIFOs.
  std::optional<std::string> script_user;
  std::optional<std::string> script_group;
  bool enable_script_security = false;
  std::optional<FifoSpec> notify_fifo;
  std::optional<Script> notify_fifo_script;
  std::optional<FifoSpec> vrrp_notify_fifo;
  std::optional<Script> vrrp_notify_fifo_script;
  std::optional<FifoSpec> lvs_notify_fifo;
  std::optional<Script> lvs_notify_fifo_script;
  bool fifo_write_vrrp_states_on_reload = false;
  // halo's own: how long a notify script may run before it is killed, and how long a FIFO
  // script has between SIGTERM and SIGKILL at stop (keepalived's fixed 1 s).
  Duration notify_script_timeout = std::chrono::seconds(60);
  Duration fifo_script_stop_grace = std::chrono::seconds(1);

  // halo's own: the control socket (haloctl) and the Prometheus listener.
  std::optional<std::string> control_socket;  // default: <runtime dir>/halo.sock
  std::uint16_t control_socket_mode = 0600;
  std::optional<std::string> control_socket_owner;
  std::optional<std::string> control_socket_group;
  std::uint32_t control_maxconn = 64;
  Duration control_idle_timeout = std::chrono::seconds(30);
  Duration control_command_timeout = std::chrono::seconds(10);
  struct MetricsListen {
    IpAddress address;
    std::uint16_t port = 9650;
    friend bool operator==(const MetricsListen&, const MetricsListen&) = default;
  };
  std::optional<MetricsListen> metrics_listen;  // off unless configured
  // halo's own: which load-balancer back end programs the virtual servers.
  enum class LbBackend : std::uint8_t { Auto, Ipvs, Nftables };
  LbBackend lb_backend = LbBackend::Auto;  // Auto: IPVS when the kernel has it, else nftables

  // Interfaces and netlink.
  bool dynamic_interfaces = false;
  bool allow_if_changes = false;
  std::optional<std::uint32_t> vrrp_netlink_cmd_rcv_bufs;
  bool vrrp_netlink_cmd_rcv_bufs_force = false;
  std::optional<std::uint32_t> vrrp_netlink_monitor_rcv_bufs;
  bool vrrp_netlink_monitor_rcv_bufs_force = false;
  std::optional<std::uint32_t> lvs_netlink_cmd_rcv_bufs;
  bool lvs_netlink_cmd_rcv_bufs_force = false;
  std::optional<std::uint32_t> lvs_netlink_monitor_rcv_bufs;
  bool lvs_netlink_monitor_rcv_bufs_force = false;
  std::optional<std::uint32_t> process_monitor_rcv_bufs;
  bool process_monitor_rcv_bufs_force = false;

  // Files, reload and the rest.
  std::optional<std::uint16_t> umask;  // 0..0777
  std::optional<std::uint32_t> random_seed;
  std::optional<std::string> reload_check_config;  // "" when given without a log file
  std::optional<IncludeCheck> include_check;
  std::optional<std::string> reload_time_file;
  bool reload_repeat = false;
  std::optional<std::string> reload_file;  // "" : the default file in the pid directory
  bool data_use_instance = false;

  bool operator==(const GlobalDefs&) const = default;
};

// linkbeat_interfaces { <IF> [MII|ETHTOOL|IOCTL] ... }
enum class LinkbeatType : std::uint8_t { Default, Mii, Ethtool, Ioctl };
struct LinkbeatInterface {
  std::string name;
  LinkbeatType type = LinkbeatType::Default;
  SourceLoc loc;

  bool operator==(const LinkbeatInterface&) const = default;
};

// interface_up_down_delays { <IF> <DOWN_DELAY> [<UP_DELAY>] ... }
struct InterfaceDelay {
  std::string name;
  Duration down_delay{0};
  Duration up_delay{0};  // equals down_delay when not written
  SourceLoc loc;

  bool operator==(const InterfaceDelay&) const = default;
};

// track_group <NAME> { group { <VRRP_INSTANCE> ... } }
struct TrackGroup {
  std::string name;
  SourceLoc loc;
  std::vector<std::string> group;

  bool operator==(const TrackGroup&) const = default;
};

// garp_group { garp_interval <T> gna_interval <T> interface <IF> | interfaces { ... } }
struct GarpGroup {
  SourceLoc loc;
  std::optional<Duration> garp_interval;
  std::optional<Duration> gna_interval;
  std::optional<std::string> interface;
  std::vector<std::string> interfaces;

  bool operator==(const GarpGroup&) const = default;
};

// SSL { password ca certificate key } for SSL_GET checkers.
struct SslConfig {
  std::optional<std::string> password;
  std::optional<std::string> ca;
  std::optional<std::string> certificate;
  std::optional<std::string> key;

  bool operator==(const SslConfig&) const = default;
};

struct GlobalConfig {
  // Process-level keywords (top level only in keepalived 2.2.7).
  std::optional<std::string> net_namespace;
  std::optional<std::string> net_namespace_ipvs;  // "" : the default namespace
  bool namespace_with_ipsets = false;
  std::optional<std::string> instance;
  bool use_pid_dir = false;
  bool linkbeat_use_polling = false;
  std::uint16_t child_wait_time = 5;  // seconds

  GlobalDefs defs;
  std::vector<LinkbeatInterface> linkbeat_interfaces;
  std::vector<InterfaceDelay> interface_up_down_delays;
  std::vector<TrackGroup> track_groups;
  std::vector<IpAddressItem> static_ipaddress;
  std::vector<IpRouteItem> static_routes;
  std::vector<IpRuleItem> static_rules;
  std::vector<GarpGroup> garp_groups;
  std::optional<SslConfig> ssl;

  bool operator==(const GlobalConfig&) const = default;
};

}  // namespace halo::config
