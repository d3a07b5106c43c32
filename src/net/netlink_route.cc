// rtnetlink route and rule messages: how halo adds keepalived's static and virtual routes and
// rules.
//
// A route is one RTM_NEWROUTE request (rtnetlink(7)): a struct rtmsg (family, dst_len,
// src_len, tos, table, protocol, scope, type, flags) followed by attributes, in this order:
//
//   RTA_TABLE      u32 table id, only above 255 (rtm_table is then RT_TABLE_UNSPEC), as
//                  iproute2 sends it
//   RTA_DST        the destination; left out for a default route (dst_len 0)
//   RTA_SRC        the source prefix (`from`): IPv6 source-specific routes only, IPv4 has none
//   RTA_PREFSRC    the preferred source address (`src`)
//   RTA_GATEWAY    the gateway of the route's own family, or
//   RTA_VIA        struct rtvia (family + address): an IPv4 route via an IPv6 gateway (RFC 5549,
//                  Linux 5.2); the kernel takes no IPv4 gateway for an IPv6 route
//   RTA_OIF        u32 interface index (`dev`)
//   RTA_PRIORITY   u32 metric
//   RTA_METRICS    nested RTAX_* u32 values: RTAX_MTU
//   RTA_MULTIPATH  a run of struct rtnexthop (len, flags, hops = weight - 1, ifindex), each
//                  followed by its own RTA_GATEWAY / RTA_VIA
//
// The protocol is RTPROT_KEEPALIVED (18) unless the configuration names another: keepalived
// stamps it on every route and rule it makes (iproute2's default would be RTPROT_BOOT), watches
// only routes carrying it, and halo follows so that `ip route show proto keepalived` and
// anyone's scripts that rely on it keep working. The scope defaults as in iproute2's
// iproute_modify(): host for local and nat routes, link for broadcast, anycast and multicast,
// link for a unicast route with neither a gateway nor nexthops, universe otherwise.
//
// A rule is one RTM_NEWRULE (<linux/fib_rules.h>): a struct fib_rule_hdr (family, dst_len,
// src_len, tos, table, action, flags) and FRA_* attributes. Interface names are sent as names
// (FRA_IIFNAME / FRA_OIFNAME): the kernel matches rules by name, so a rule may wait for its
// interface. Ranges (ports, uids) are small structs; FRA_TUN_ID is a big-endian u64.
//
// Adding sends NLM_F_CREATE alone, as keepalived does (vrrp_iproute.c: "the equivalent ip
// route command to add a route is: ip route prepend"), or NLM_F_CREATE|NLM_F_APPEND for
// `append`. Neither NLM_F_EXCL (`ip route add`: a route with the same key, someone else's,
// would make ours fail) nor NLM_F_REPLACE (`ip route replace`: it would overwrite someone
// else's route, and deleting ours later would leave none). The kernel answers EEXIST only
// when the very same route is already there.
//
// Deleting sends the same message as adding (without the create flags): the kernel then removes
// only a route or rule matching every attribute given, i.e. the one halo made, and not some
// other route to the same destination that happens to be first. The one difference is a route's
// scope: RT_SCOPE_NOWHERE ("any") unless the request names one, as `ip route del` sends it.
#include "net/netlink_route.h"

#include <endian.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "net/netlink_link.h"
#include "net/netlink_message.h"

namespace halo::net {
namespace {

constexpr std::uint16_t kMaxWeight = 256;

std::size_t address_size(const IpAddress& a) {
  return a.is_v4() ? 4 : 16;
}

unsigned max_length(Family f) {
  return f == Family::V4 ? 32 : 128;
}

const char* family_text(Family f) {
  return f == Family::V4 ? "IPv4" : "IPv6";
}

std::uint8_t af(Family f) {
  return f == Family::V4 ? AF_INET : AF_INET6;
}

using MessageWriter = NetlinkWriter<kMaxRouteMessageSize>;

// RTA_VIA: struct rtvia, a u16 family and the address.
bool put_via(MessageWriter& w, const IpAddress& a) {
  std::array<std::uint8_t, 2 + 16> via{};
  const std::uint16_t family = af(a.family());
  std::memcpy(via.data(), &family, sizeof family);
  std::memcpy(via.data() + 2, a.bytes().data(), address_size(a));
  return w.put(RTA_VIA, via.data(), 2 + address_size(a));
}

// Without NLA_F_NESTED, which libmnl sets: iproute2 sends RTA_METRICS and RTA_MULTIPATH
// without it and the kernel parses route messages the old way (either is accepted).
nlattr* nest_start(MessageWriter& w, std::uint16_t type) {
  nlattr* nest = w.nest_start(type);
  if (nest != nullptr) nest->nla_type = type;
  return nest;
}

Result<void> check_prefix(const IpPrefix& p, Family family, const char* what) {
  if (p.address.family() != family) {
    return fail(std::string(what) + " " + p.to_string() + " is not " + family_text(family));
  }
  if (p.length > max_length(family)) {
    return fail(std::string(what) + " prefix length " + std::to_string(p.length) +
                " is longer than " + std::to_string(max_length(family)));
  }
  return {};
}

Result<void> check_ifindex(std::uint32_t ifindex) {
  // rtnexthop.rtnh_ifindex and the kernel's interface indexes are signed ints.
  if (ifindex > 0x7FFFFFFFu) return fail("interface index " + std::to_string(ifindex));
  return {};
}

// A gateway of the route's family, or an IPv6 gateway for an IPv4 route (RTA_VIA).
Result<void> check_gateway(const IpAddress& gateway, Family family) {
  if (gateway.family() != family && family == Family::V6) {
    return fail("IPv6 route via IPv4 gateway " + gateway.to_string());
  }
  return {};
}

Result<void> check_route(const RouteRequest& r) {
  const Family family = r.destination.address.family();
  if (auto ok = check_prefix(r.destination, family, "destination"); !ok) return ok;
  if (r.source) {
    if (family == Family::V4) return fail("a source prefix ('from') is IPv6 only");
    if (auto ok = check_prefix(*r.source, family, "source"); !ok) return ok;
  }
  if (r.prefsrc && r.prefsrc->family() != family) {
    return fail(std::string("preferred source ") + r.prefsrc->to_string() + " is not " +
                family_text(family));
  }
  if (r.gateway) {
    if (auto ok = check_gateway(*r.gateway, family); !ok) return ok;
  }
  if (auto ok = check_ifindex(r.ifindex); !ok) return ok;
  if (r.table == 0) return fail("routing table 0");
  if (r.gateway && !r.nexthops.empty()) return fail("a route with nexthops cannot have 'via'");
  for (const auto& nh : r.nexthops) {
    if (nh.weight < 1 || nh.weight > kMaxWeight) {
      return fail("nexthop weight " + std::to_string(nh.weight) + " is out of range 1..256");
    }
    if (nh.gateway) {
      if (auto ok = check_gateway(*nh.gateway, family); !ok) return ok;
    }
    if (!nh.gateway && nh.ifindex == 0) return fail("a nexthop needs a gateway or an interface");
    if (auto ok = check_ifindex(nh.ifindex); !ok) return ok;
  }
  return {};
}

bool put_gateway(MessageWriter& w, const IpAddress& gateway, Family family) {
  return gateway.family() == family ? w.put_address(RTA_GATEWAY, gateway) : put_via(w, gateway);
}

bool put_multipath(MessageWriter& w, const RouteRequest& r) {
  nlattr* nest = nest_start(w, RTA_MULTIPATH);
  if (nest == nullptr) return false;
  const Family family = r.destination.address.family();
  for (const auto& nh : r.nexthops) {
    auto* rtnh = static_cast<rtnexthop*>(w.reserve(sizeof(rtnexthop)));
    if (rtnh == nullptr) return false;
    rtnh->rtnh_flags = nh.onlink ? RTNH_F_ONLINK : 0;
    rtnh->rtnh_hops = static_cast<std::uint8_t>(nh.weight - 1);
    rtnh->rtnh_ifindex = static_cast<int>(nh.ifindex);
    if (nh.gateway && !put_gateway(w, *nh.gateway, family)) return false;
    rtnh->rtnh_len = static_cast<std::uint16_t>(static_cast<const char*>(w.tail()) -
                                                reinterpret_cast<const char*>(rtnh));
  }
  w.nest_end(nest);
  return true;
}

Result<std::size_t> build_route(const RouteRequest& r, std::uint16_t type, std::uint16_t flags,
                                std::uint32_t seq, std::span<std::uint8_t> buf) {
  if (auto ok = check_route(r); !ok) return tl::unexpected(ok.error());
  const Family family = r.destination.address.family();
  rtmsg rtm{};
  rtm.rtm_family = af(family);
  rtm.rtm_dst_len = r.destination.length;
  rtm.rtm_src_len = r.source ? r.source->length : 0;
  rtm.rtm_tos = r.tos;
  rtm.rtm_table =
      r.table < 256 ? static_cast<std::uint8_t>(r.table) : std::uint8_t{RT_TABLE_UNSPEC};
  rtm.rtm_protocol = r.protocol;
  rtm.rtm_scope =
      type == RTM_DELROUTE && !r.scope ? std::uint8_t{RT_SCOPE_NOWHERE} : route_scope(r);
  rtm.rtm_type = static_cast<std::uint8_t>(r.type);
  rtm.rtm_flags = r.onlink ? RTNH_F_ONLINK : 0;

  MessageWriter w(buf.size());
  if (!w.start(type, flags, seq, rtm)) return too_small(buf);
  bool ok = (r.table < 256 || w.put_u32(RTA_TABLE, r.table)) &&
            (r.destination.length == 0 || w.put_address(RTA_DST, r.destination.address)) &&
            (!r.source || w.put_address(RTA_SRC, r.source->address)) &&
            (!r.prefsrc || w.put_address(RTA_PREFSRC, *r.prefsrc)) &&
            (!r.gateway || put_gateway(w, *r.gateway, family)) &&
            (r.ifindex == 0 || w.put_u32(RTA_OIF, r.ifindex)) &&
            (!r.metric || w.put_u32(RTA_PRIORITY, *r.metric));
  if (ok && r.mtu) {
    nlattr* metrics = nest_start(w, RTA_METRICS);
    ok = metrics != nullptr && w.put_u32(RTAX_MTU, *r.mtu);
    if (ok) w.nest_end(metrics);
  }
  if (ok && !r.nexthops.empty()) ok = put_multipath(w, r);
  if (!ok) return too_small(buf);
  return w.finish(buf);
}

const char* route_type_text(RouteType t) {
  switch (t) {
    case RouteType::Unicast:
      return "unicast";
    case RouteType::Local:
      return "local";
    case RouteType::Broadcast:
      return "broadcast";
    case RouteType::Anycast:
      return "anycast";
    case RouteType::Multicast:
      return "multicast";
    case RouteType::Blackhole:
      return "blackhole";
    case RouteType::Unreachable:
      return "unreachable";
    case RouteType::Prohibit:
      return "prohibit";
    case RouteType::Throw:
      return "throw";
    case RouteType::Nat:
      return "nat";
  }
  return "unknown";  // not reached: every enumerator is handled
}

}  // namespace

std::uint8_t route_scope(const RouteRequest& r) {
  if (r.scope) return *r.scope;
  switch (r.type) {
    case RouteType::Local:
    case RouteType::Nat:
      return RT_SCOPE_HOST;
    case RouteType::Broadcast:
    case RouteType::Multicast:
    case RouteType::Anycast:
      return RT_SCOPE_LINK;
    case RouteType::Unicast:
      return r.gateway || !r.nexthops.empty() ? std::uint8_t{RT_SCOPE_UNIVERSE}
                                              : std::uint8_t{RT_SCOPE_LINK};
    default:
      return RT_SCOPE_UNIVERSE;
  }
}

std::string route_text(const RouteRequest& r) {
  std::string out;
  if (r.type != RouteType::Unicast) out = std::string(route_type_text(r.type)) + " ";
  out += r.destination.to_string();
  if (r.source) out += " from " + r.source->to_string();
  if (r.gateway) out += " via " + r.gateway->to_string();
  if (r.ifindex != 0) out += " dev " + std::to_string(r.ifindex);
  for (const auto& nh : r.nexthops) {
    out += " nexthop";
    if (nh.gateway) out += " via " + nh.gateway->to_string();
    if (nh.ifindex != 0) out += " dev " + std::to_string(nh.ifindex);
  }
  if (r.table != kTableMain) out += " table " + std::to_string(r.table);
  if (r.metric) out += " metric " + std::to_string(*r.metric);
  return out;
}

Result<std::size_t> build_new_route(const RouteRequest& request, std::uint32_t seq,
                                    std::span<std::uint8_t> buf) {
  const std::uint16_t flags =
      NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (request.append ? NLM_F_APPEND : 0);
  return build_route(request, RTM_NEWROUTE, flags, seq, buf);
}

Result<std::size_t> build_del_route(const RouteRequest& request, std::uint32_t seq,
                                    std::span<std::uint8_t> buf) {
  return build_route(request, RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, seq, buf);
}

// ---- rules ---------------------------------------------------------------------------------

namespace {

Result<void> check_rule(const RuleRequest& r) {
  if (r.source) {
    if (auto ok = check_prefix(*r.source, r.family, "source"); !ok) return ok;
  }
  if (r.destination) {
    if (auto ok = check_prefix(*r.destination, r.family, "destination"); !ok) return ok;
  }
  if (r.action == RuleAction::Table) {
    if (r.l3mdev && r.table != 0) return fail("an l3mdev rule cannot have a table");
    if (!r.l3mdev && r.table == 0) return fail("table 0 (the kernel would make a new table)");
  } else if (r.l3mdev) {
    return fail("an l3mdev rule's action is its table lookup");
  }
  if (r.action == RuleAction::Goto && r.goto_target == 0) return fail("goto target 0");
  if (r.fwmask && !r.fwmark) return fail("a fwmark mask without a fwmark");
  for (const auto* name : {&r.iif, &r.oif}) {
    if (!name->empty()) {
      if (auto ok = check_interface_name(*name); !ok) return ok;
    }
  }
  for (const auto& range : {r.sport, r.dport}) {
    if (range && range->low > range->high) {
      return fail("port range " + std::to_string(range->low) + "-" + std::to_string(range->high) +
                  " is backwards");
    }
  }
  if (r.uid_range && r.uid_range->low > r.uid_range->high) {
    return fail("uid range " + std::to_string(r.uid_range->low) + "-" +
                std::to_string(r.uid_range->high) + " is backwards");
  }
  return {};
}

Result<std::size_t> build_rule(const RuleRequest& r, std::uint16_t type, std::uint16_t flags,
                               std::uint32_t seq, std::span<std::uint8_t> buf) {
  if (auto ok = check_rule(r); !ok) return tl::unexpected(ok.error());
  const bool to_table = r.action == RuleAction::Table;
  fib_rule_hdr frh{};
  frh.family = af(r.family);
  frh.dst_len = r.destination ? r.destination->length : 0;
  frh.src_len = r.source ? r.source->length : 0;
  frh.tos = r.tos;
  frh.table = to_table && r.table < 256 ? static_cast<std::uint8_t>(r.table)
                                        : std::uint8_t{RT_TABLE_UNSPEC};
  frh.action = static_cast<std::uint8_t>(r.action);
  frh.flags = r.invert ? FIB_RULE_INVERT : 0;

  MessageWriter w(buf.size());
  if (!w.start(type, flags, seq, frh)) return too_small(buf);
  fib_rule_port_range sport{}, dport{};
  if (r.sport) sport = {r.sport->low, r.sport->high};
  if (r.dport) dport = {r.dport->low, r.dport->high};
  fib_rule_uid_range uids{};
  if (r.uid_range) uids = {r.uid_range->low, r.uid_range->high};
  const std::uint64_t tun_id = r.tunnel_id ? htobe64(*r.tunnel_id) : 0;
  const bool ok =
      (!r.priority || w.put_u32(FRA_PRIORITY, *r.priority)) &&
      (!r.source || w.put_address(FRA_SRC, r.source->address)) &&
      (!r.destination || w.put_address(FRA_DST, r.destination->address)) &&
      (!to_table || r.table < 256 || w.put_u32(FRA_TABLE, r.table)) &&
      (r.action != RuleAction::Goto || w.put_u32(FRA_GOTO, r.goto_target)) &&
      (!r.fwmark || w.put_u32(FRA_FWMARK, *r.fwmark)) &&
      (!r.fwmask || w.put_u32(FRA_FWMASK, *r.fwmask)) &&
      (r.iif.empty() || w.put_strz(FRA_IIFNAME, r.iif)) &&
      (r.oif.empty() || w.put_strz(FRA_OIFNAME, r.oif)) &&
      (!r.realms || w.put_u32(FRA_FLOW, *r.realms)) &&
      (!r.tunnel_id || w.put(FRA_TUN_ID, &tun_id, sizeof tun_id)) &&
      (!r.suppress_prefixlen || w.put_u32(FRA_SUPPRESS_PREFIXLEN, *r.suppress_prefixlen)) &&
      (!r.suppress_ifgroup || w.put_u32(FRA_SUPPRESS_IFGROUP, *r.suppress_ifgroup)) &&
      (!r.l3mdev || w.put_u8(FRA_L3MDEV, 1)) &&
      (!r.uid_range || w.put(FRA_UID_RANGE, &uids, sizeof uids)) &&
      w.put_u8(FRA_PROTOCOL, r.protocol) && (!r.ip_proto || w.put_u8(FRA_IP_PROTO, *r.ip_proto)) &&
      (!r.sport || w.put(FRA_SPORT_RANGE, &sport, sizeof sport)) &&
      (!r.dport || w.put(FRA_DPORT_RANGE, &dport, sizeof dport));
  if (!ok) return too_small(buf);
  return w.finish(buf);
}

}  // namespace

std::string rule_text(const RuleRequest& r) {
  std::string out = r.invert ? "not " : "";
  out += "from " + (r.source ? r.source->to_string() : std::string("all"));
  if (r.destination) out += " to " + r.destination->to_string();
  if (r.fwmark) out += " fwmark " + std::to_string(*r.fwmark);
  if (!r.iif.empty()) out += " iif " + r.iif;
  if (!r.oif.empty()) out += " oif " + r.oif;
  switch (r.action) {
    case RuleAction::Table:
      out += r.l3mdev ? " l3mdev" : " table " + std::to_string(r.table);
      break;
    case RuleAction::Goto:
      out += " goto " + std::to_string(r.goto_target);
      break;
    case RuleAction::Nop:
      out += " nop";
      break;
    case RuleAction::Blackhole:
      out += " blackhole";
      break;
    case RuleAction::Unreachable:
      out += " unreachable";
      break;
    case RuleAction::Prohibit:
      out += " prohibit";
      break;
  }
  if (r.priority) out += " priority " + std::to_string(*r.priority);
  if (r.family == Family::V6) out += " (IPv6)";
  return out;
}

Result<std::size_t> build_new_rule(const RuleRequest& request, std::uint32_t seq,
                                   std::span<std::uint8_t> buf) {
  return build_rule(request, RTM_NEWRULE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                    seq, buf);
}

Result<std::size_t> build_del_rule(const RuleRequest& request, std::uint32_t seq,
                                   std::span<std::uint8_t> buf) {
  return build_rule(request, RTM_DELRULE, NLM_F_REQUEST | NLM_F_ACK, seq, buf);
}

}  // namespace halo::net
