// The VRRP engine: every running instance and the I/O they share.
//
// It owns the rtnetlink request socket, the gratuitous ARP / NA sender, the link monitor, one
// raw VRRP socket per (interface, family) and one ARP listener per interface with IPv4
// addresses to defend, and demultiplexes received adverts to instances by VRID. Applying a
// configuration diffs it with the running one: an instance whose spec is unchanged keeps its
// state; one that changed or disappeared stops gracefully (priority 0) before the new one
// starts.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/result.h"
#include "config/model.h"
#include "net/announce_socket.h"
#include "net/link_monitor.h"
#include "net/nft_no_accept.h"
#include "net/rtnetlink.h"
#include "net/vrrp_socket.h"
#include "notify/vrrp_notice.h"
#include "status/event_log.h"
#include "status/snapshot.h"
#include "track/tracker_set.h"
#include "vrrp/installed_routes.h"
#include "vrrp/instance.h"
#include "vrrp/packet.h"
#include "vrrp/sync_group.h"

namespace halo::vrrp {

class Engine {
 public:
  // Opens the host-wide sockets (rtnetlink, ARP/NA, the link monitor).
  static Result<std::unique_ptr<Engine>> create(boost::asio::io_context& io);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts (or, on reload, reconciles) the instances of `config`. Instances whose interface or
  // socket cannot be set up are logged and left out; the others run.
  void apply(const config::Config& config);
  // The first half of apply(), for a reload: stops the instances `config` removes or changes,
  // so their notices go out with the old notify scripts before the notifier takes the new
  // ones. apply() calls it itself.
  void retire(const config::Config& config);
  // Graceful stop of every instance: priority-0 adverts, addresses removed.
  void stop();

  // keepalived.data's VRRP part.
  void dump(std::ostream& out) const;
  // keepalived's STATS_CLEAR: every counter back to zero.
  void clear_stats();
  // Every configured instance (those not started too, with why) and sync group.
  void snapshot(status::Snapshot& out) const;
  // The running instance called `name`, or null.
  Instance* find(const std::string& name);
  // Where state, priority and split-brain events go (null: nowhere).
  void set_event_log(status::EventLog* events) { events_ = events; }
  status::EventLog* event_log() const { return events_; }

  // Where tracker statuses come from (null: no tracker runs). Set before apply(); instances
  // whose trackers are unavailable are not started.
  void set_trackers(const track::TrackerSet* trackers) { trackers_ = trackers; }
  // The current state of every instance and sync group as notices (without running anything):
  // fifo_write_vrrp_states_on_reload.
  std::vector<notify::VrrpNotice> current_notices() const;
  // A tracker changed: every instance that uses it recomputes its priority and fault.
  void on_tracker_change(track::TrackerKind kind, const std::string& name);
  // Receives every notice (state changes of instances and sync groups, priority changes,
  // lower-priority adverts while master), in order.
  void set_notice_handler(std::function<void(const notify::VrrpNotice&)> handler) {
    notice_handler_ = std::move(handler);
  }

  // ---- for instances --------------------------------------------------------------------
  boost::asio::io_context& io() { return io_; }
  net::Rtnetlink& rtnl() { return rtnl_; }
  net::AnnounceSocket& announcer() { return *announce_; }
  // The no_accept firewall (an nftables table of halo's own), null if it cannot be set up.
  net::NoAcceptFirewall* firewall();
  // The socket an instance sends on (null if it could not be opened).
  net::VrrpSocket* socket_for(std::uint32_t ifindex, Family family);
  // The link as last seen (from a dump or the monitor).
  const net::LinkInfo* link(const std::string& name) const;
  const net::LinkInfo* link(std::uint32_t ifindex) const;
  // Interface name -> index, from the links as last seen (for route requests).
  IfindexOf ifindex_lookup() const;
  // The first address of `family` on `ifindex` (IPv6: link-local), for a source address.
  std::optional<IpAddress> primary_address(std::uint32_t ifindex, Family family);
  // An instance's own transition or own fault change, for its vrrp_sync_group (if any): the
  // group's decisions are applied to the other members before this returns.
  void on_member_state(const Instance& instance, State to);
  void on_member_fault(const Instance& instance, bool fault);
  std::optional<track::TrackerStatus> tracker_status(track::TrackerKind kind,
                                                     const std::string& name) const;
  void notice(const Instance& instance, notify::VrrpNotice::What what);

 private:
  using SocketKey = std::pair<std::uint32_t, Family>;
  // Holds back sync-group reports while one event reaches every instance (engine.cc).
  class GroupBatch {
   public:
    explicit GroupBatch(Engine& engine);
    ~GroupBatch();
    GroupBatch(const GroupBatch&) = delete;
    GroupBatch& operator=(const GroupBatch&) = delete;

   private:
    Engine& engine_;
  };
  struct GroupReport {
    const Instance* instance = nullptr;
    std::optional<bool> fault;  // a fault change; else a state report
    State state = State::Init;
  };

  Engine(boost::asio::io_context& io, net::Rtnetlink rtnl,
         std::unique_ptr<net::AnnounceSocket> announce);
  void refresh_links();
  // Sockets, ARP listeners and the VRID map for the links as they are now.
  void rebind();
  void open_sockets();
  void open_listeners();
  void on_datagram(const SocketKey& key, const net::VrrpDatagram& datagram);
  void on_link(const net::LinkInfo& link, bool removed);
  void arm_renewal();
  void build_sync_groups(const config::Config& config);
  void reconcile_vmacs();
  void apply_static(const config::GlobalConfig& global);
  void remove_static();
  void save_and_set_base(const std::string& base, const std::string& setting,
                         std::string_view value);
  void restore_base_settings(const std::string& base);
  void apply_forced(std::size_t group, const ForcedTransitions& forced);
  void notice_group_state(std::size_t group);
  // Why one of the spec's trackers cannot run (logged), or nothing when all can.
  std::optional<std::string> unavailable_tracker(const InstanceSpec& spec) const;

  boost::asio::io_context& io_;
  net::Rtnetlink rtnl_;
  std::unique_ptr<net::AnnounceSocket> announce_;
  std::unique_ptr<net::LinkMonitor> monitor_;
  std::unique_ptr<net::NoAcceptFirewall> firewall_;
  std::string firewall_table_ = std::string(net::NoAcceptFirewall::kDefaultTable);
  int firewall_priority_ = net::NoAcceptFirewall::kDefaultPriority;
  std::map<SocketKey, std::unique_ptr<net::VrrpSocket>> sockets_;
  std::map<SocketKey, std::set<IpAddress>> socket_groups_;
  std::map<std::uint32_t, std::unique_ptr<net::ArpListener>> arp_listeners_;
  std::map<std::uint32_t, std::unique_ptr<net::NaListener>> na_listeners_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<std::unique_ptr<Instance>> retired_;  // stopped by retire(), until apply() ends
  // (ifindex, family, vrid) -> instance, for demultiplexing.
  std::map<std::tuple<std::uint32_t, Family, std::uint8_t>, Instance*> by_vrid_;
  std::map<std::uint32_t, net::LinkInfo> links_;
  // VMACs halo created (name -> ifindex, base interface), and the base interfaces' sysctls
  // as they were before (path -> value), restored when their last VMAC goes.
  struct Vmac {
    std::uint32_t ifindex = 0;
    std::string base;
  };
  std::map<std::string, Vmac> vmacs_;
  std::map<std::string, std::string> saved_sysctls_;
  // static_ipaddress / static_routes / static_rules: added at the first apply (and when they
  // change on reload), removed at stop.
  std::vector<config::IpAddressItem> static_items_;
  std::vector<config::IpRouteItem> static_route_items_;
  std::vector<config::IpRuleItem> static_rule_items_;
  std::vector<net::AddressRequest> static_addresses_;
  InstalledRoutes static_routes_;
  // vrrp_sync_group: the pure decisions, the member instances in the group's order, and
  // each member's (group, index).
  std::vector<SyncGroup> groups_;
  std::vector<std::vector<Instance*>> group_members_;
  std::map<const Instance*, std::pair<std::size_t, std::size_t>> membership_;
  std::map<std::string, State> notified_group_state_;
  int batch_depth_ = 0;
  std::vector<GroupReport> pending_reports_;  // by group name, across reloads
  const track::TrackerSet* trackers_ = nullptr;
  std::function<void(const notify::VrrpNotice&)> notice_handler_;
  boost::asio::steady_timer renewal_;
  std::shared_ptr<bool> alive_;
  std::uint32_t renewal_period_ms_ = 0;

  status::EventLog* events_ = nullptr;
  // Instances the configuration has but apply() did not start, and why.
  std::vector<std::pair<std::string, std::string>> not_started_;

  RejectCounters rejected_;  // before an instance was found
  std::uint64_t unknown_vrid_ = 0;
};

}  // namespace halo::vrrp
