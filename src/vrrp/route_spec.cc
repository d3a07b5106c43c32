// From `ip route` / `ip rule` lines in keepalived.conf to net::RouteRequest / net::RuleRequest.
//
// The config model types what halo acts on; a few options are kept only in the line's words
// (config/model/ip_items.h). For routes those are refused here: the remaining ip-route metrics
// (advmss, rtt, window, ...), realms, pref, expires, features, congctl, ttl-propagate, encap:
// a route added without them would silently be a different route. For rules the few simple
// ones (suppress_prefixlength, suppress_ifgroup, realms, tunnel-id) are read back from the
// words. The words are scanned option by option, skipping the value of every option that takes
// one, so that a value that happens to spell an option name ("dev rtt") is not mistaken for it.
#include "vrrp/route_spec.h"

#include <array>
#include <string>

#include "config/fields.h"

namespace halo::vrrp {
namespace {

constexpr std::uint32_t kTableMain = 254;

using config::kw::parse_unsigned;  // decimal or 0x-hex

std::string line_text(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

template <std::size_t N>
bool one_of(std::string_view word, const std::array<std::string_view, N>& set) {
  for (const auto& s : set) {
    if (word == s) return true;
  }
  return false;
}

// Route options that take one value (which the scan skips).
constexpr std::array<std::string_view, 22> kRouteValueOptions{
    "to",      "src",         "from",     "via",        "gw",     "or",       "dev",   "oif",
    "table",   "metric",      "priority", "preference", "scope",  "protocol", "proto", "tos",
    "dsfield", "track_group", "vrf",      "weight",     "realms", "expires"};

// Route options halo does not send.
constexpr std::array<std::string_view, 21> kRouteUnsupported{"advmss",
                                                             "rtt",
                                                             "rttvar",
                                                             "reordering",
                                                             "window",
                                                             "cwnd",
                                                             "ssthresh",
                                                             "hoplimit",
                                                             "initcwnd",
                                                             "initrwnd",
                                                             "rto_min",
                                                             "quickack",
                                                             "fastopen_no_cookie",
                                                             "realms",
                                                             "pref",
                                                             "expires",
                                                             "features",
                                                             "congctl",
                                                             "ttl-propagate",
                                                             "encap",
                                                             "vrf"};

// The first option of the route that halo refuses, if any.
std::optional<std::string> unsupported_route_option(const std::vector<std::string>& words) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string_view w = words[i];
    if (one_of(w, kRouteUnsupported)) return std::string(w);
    if (w == "mtu") {
      if (i + 1 < words.size() && words[i + 1] == "lock") return std::string("mtu lock");
      ++i;
    } else if (w == "via" || w == "gw") {
      // `via inet6 <IP>`
      if (i + 1 < words.size() && (words[i + 1] == "inet" || words[i + 1] == "inet6")) ++i;
      ++i;
    } else if (one_of(w, kRouteValueOptions)) {
      ++i;
    }
  }
  return std::nullopt;
}

net::RouteType route_type(config::RouteType t) {
  switch (t) {
    case config::RouteType::Unicast:
      return net::RouteType::Unicast;
    case config::RouteType::Local:
      return net::RouteType::Local;
    case config::RouteType::Broadcast:
      return net::RouteType::Broadcast;
    case config::RouteType::Anycast:
      return net::RouteType::Anycast;
    case config::RouteType::Multicast:
      return net::RouteType::Multicast;
    case config::RouteType::Blackhole:
      return net::RouteType::Blackhole;
    case config::RouteType::Unreachable:
      return net::RouteType::Unreachable;
    case config::RouteType::Prohibit:
      return net::RouteType::Prohibit;
    case config::RouteType::Throw:
      return net::RouteType::Throw;
    case config::RouteType::Nat:
      return net::RouteType::Nat;
  }
  return net::RouteType::Unicast;  // not reached
}

}  // namespace

Result<net::RouteRequest> route_request(const config::IpRouteItem& item,
                                        const IfindexOf& ifindex_of) {
  const std::string route = "route '" + line_text(item.words) + "'";
  if (auto option = unsupported_route_option(item.words)) {
    return fail(route + ": halo does not support '" + *option + "' in routes");
  }
  if (item.or_via) return fail(route + ": 'or' is not supported; use 'nexthop via ...'");
  auto ifindex = [&](const std::string& name) -> Result<std::uint32_t> {
    if (name.empty()) return 0u;
    auto index = ifindex_of(name);
    if (!index) return fail(route + ": interface " + name + " does not exist");
    return *index;
  };

  net::RouteRequest r;
  r.type = route_type(item.type);
  r.destination = item.destination;
  r.source = item.from;
  r.prefsrc = item.src;
  r.gateway = item.via;
  auto dev = ifindex(item.dev);
  if (!dev) return tl::unexpected(dev.error());
  r.ifindex = *dev;
  r.table = item.table.value_or(kTableMain);
  r.metric = item.metric;
  r.scope = item.scope;
  r.protocol = item.protocol.value_or(net::kProtocolKeepalived);
  r.tos = item.tos.value_or(0);
  r.onlink = item.onlink;
  r.mtu = item.mtu;
  r.append = item.append;
  for (const auto& nh : item.nexthops) {
    net::RouteNextHop out;
    out.gateway = nh.via;
    auto nh_dev = ifindex(nh.dev);
    if (!nh_dev) return tl::unexpected(nh_dev.error());
    out.ifindex = *nh_dev;
    out.weight = nh.weight.value_or(1);
    out.onlink = nh.onlink;
    r.nexthops.push_back(out);
  }
  if (r.table == 0) return fail(route + ": table 0 (unspec) is not a table a route can be in");
  return r;
}

namespace {

// Rule options that take one value (which the scan skips).
constexpr std::array<std::string_view, 23> kRuleValueOptions{
    "from",  "to",      "preference", "priority", "order",    "table",       "lookup", "goto",
    "type",  "fwmark",  "tos",        "dsfield",  "iif",      "dev",         "oif",    "protocol",
    "proto", "ipproto", "sport",      "dport",    "uidrange", "track_group", "realms"};

// A realm: a number 0..65535 (names from rt_realms are refused).
std::optional<std::uint32_t> realm(std::string_view text) {
  auto v = parse_unsigned(text);
  if (!v || *v > 0xffff) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

}  // namespace

Result<net::RuleRequest> rule_request(const config::IpRuleItem& item) {
  const std::string rule = "rule '" + line_text(item.words) + "'";
  net::RuleRequest r;
  const bool v6 = (item.from && item.from->address.is_v6()) ||
                  (item.to && item.to->address.is_v6()) || item.inet6;
  r.family = v6 ? Family::V6 : Family::V4;
  r.source = item.from;
  r.destination = item.to;
  r.invert = item.invert;
  r.priority = item.preference;
  switch (item.action) {
    case config::RuleAction::None:
      if (!item.l3mdev) return fail(rule + ": no action");
      r.action = net::RuleAction::Table;
      break;
    case config::RuleAction::Table:
      if (!item.table) return fail(rule + ": no table");
      r.action = net::RuleAction::Table;
      r.table = *item.table;
      break;
    case config::RuleAction::Goto:
      if (!item.goto_target) return fail(rule + ": no goto target");
      r.action = net::RuleAction::Goto;
      r.goto_target = *item.goto_target;
      break;
    case config::RuleAction::Nop:
      r.action = net::RuleAction::Nop;
      break;
    case config::RuleAction::Blackhole:
      r.action = net::RuleAction::Blackhole;
      break;
    case config::RuleAction::Prohibit:
      r.action = net::RuleAction::Prohibit;
      break;
    case config::RuleAction::Unreachable:
      r.action = net::RuleAction::Unreachable;
      break;
  }
  r.l3mdev = item.l3mdev;
  r.fwmark = item.fwmark;
  r.fwmask = item.fwmask;
  r.tos = item.tos.value_or(0);
  r.iif = item.iif;
  r.oif = item.oif;
  r.protocol = item.protocol.value_or(net::kProtocolKeepalived);
  r.ip_proto = item.ipproto;
  if (item.sport) r.sport = net::PortRange{item.sport->low, item.sport->high};
  if (item.dport) r.dport = net::PortRange{item.dport->low, item.dport->high};
  if (item.uidrange) r.uid_range = net::UidRange{item.uidrange->first, item.uidrange->second};

  // The options the model keeps only in its words (the parser checked their values).
  const auto& words = item.words;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string_view w = words[i];
    const bool has_value = i + 1 < words.size();
    const std::string_view value = has_value ? std::string_view(words[i + 1]) : "";
    if (w == "suppress_prefixlength" || w == "sup_pl") {
      if (auto v = parse_unsigned(value); v && *v <= 0xffffffff) {
        r.suppress_prefixlen = static_cast<std::uint32_t>(*v);
      }
      ++i;
    } else if (w == "suppress_ifgroup" || w == "sup_group") {
      if (auto v = parse_unsigned(value); v && *v <= 0xffffffff) {
        r.suppress_ifgroup = static_cast<std::uint32_t>(*v);
      }
      ++i;
    } else if (w == "tunnel-id") {
      r.tunnel_id = parse_unsigned(value);
      ++i;
    } else if (w == "realms") {
      // `realms [FROM/]TO`: FRA_FLOW is (FROM << 16) | TO.
      const auto slash = value.find('/');
      auto to = realm(slash == std::string_view::npos ? value : value.substr(slash + 1));
      auto from = slash == std::string_view::npos ? std::optional<std::uint32_t>(0)
                                                  : realm(value.substr(0, slash));
      if (!to || !from) {
        return fail(rule + ": halo takes realms as numbers only, not '" + std::string(value) + "'");
      }
      r.realms = (*from << 16) | *to;
      ++i;
    } else if (one_of(w, kRuleValueOptions)) {
      ++i;
    }
  }
  return r;
}

}  // namespace halo::vrrp
