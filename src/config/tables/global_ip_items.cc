// Parsers for `ip address` / `ip route` / `ip rule` lines (see global_ip_items.h).
//
// keepalived parses these lines itself (vrrp_ipaddress.c, vrrp_iproute.c, vrrp_iprule.c)
// with the option names of iproute2, minus abbreviations. We follow what `keepalived -t`
// accepts and refuses: an unknown option, a malformed address, a missing value, a route
// with no destination, a rule with no action or no preference all fail the configuration.
// Options halo will act on become typed fields; the remaining ip-route metrics are checked
// for shape and kept only in the item's words.
#include "config/tables/global_ip_items.h"

#include <fmt/core.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <span>

#include "config/fields.h"
#include "config/parser.h"

namespace halo::config {
namespace {

constexpr std::uint8_t kProtoKeepalived = 18;

// The tokens of an item line (its "keyword" is its first word) and a cursor over them.
class Cursor {
 public:
  explicit Cursor(const Statement& st) : st_(st) {
    tokens_.reserve(st.size() + 1);
    tokens_.push_back(&st.keyword());
    for (const auto& t : st.args()) tokens_.push_back(&t);
  }
  bool done() const { return i_ >= tokens_.size(); }
  const Token& peek() const { return *tokens_[i_]; }
  const Token& take() { return *tokens_[i_++]; }
  // The value of option `opt`; reports and returns null when the line ends first.
  const Token* value(const Token& opt) {
    if (done()) {
      st_.parser().diag().error(st_.end_loc(), fmt::format("'{}' needs a value", opt.text));
      failed = true;
      return nullptr;
    }
    return &take();
  }
  void error(const Token& at, std::string message) {
    st_.error(at, std::move(message));
    failed = true;
  }
  std::vector<std::string> words() const {
    std::vector<std::string> out;
    out.reserve(tokens_.size());
    for (const auto* t : tokens_) out.push_back(t->text);
    return out;
  }
  SourceLoc loc() const { return tokens_.front()->loc; }
  bool failed = false;

 private:
  const Statement& st_;
  std::vector<const Token*> tokens_;
  std::size_t i_ = 0;
};

using kw::parse_unsigned;  // decimal or 0x-hex

template <class T>
std::optional<T> number(Cursor& c, const Token& opt, const Token& tok, std::uint64_t min,
                        std::uint64_t max) {
  auto v = parse_unsigned(tok.text);
  if (!v) {
    c.error(tok, fmt::format("'{}' needs a whole number, not '{}'", opt.text, tok.text));
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    c.error(tok, fmt::format("'{}' value {} is out of range {}..{}", opt.text, tok.text, min, max));
    return std::nullopt;
  }
  return static_cast<T>(*v);
}

// <IP>[/<LEN>] with a precise message for each way it can be wrong.
std::optional<IpPrefix> prefix(Cursor& c, const Token& tok, bool* has_length = nullptr,
                               bool report = true) {
  const std::string_view text = tok.text;
  const auto slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) {
    if (report) c.error(tok, fmt::format("'{}' is not a valid IP address", text));
    return std::nullopt;
  }
  const unsigned max = address->is_v4() ? 32 : 128;
  IpPrefix p{*address, static_cast<std::uint8_t>(max)};
  if (has_length) *has_length = slash != std::string_view::npos;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    auto len = parse_unsigned(digits);
    if (!len || digits.starts_with("0x")) {
      if (report) c.error(tok, fmt::format("'{}' has an invalid prefix length", text));
      return std::nullopt;
    }
    if (*len > max) {
      if (report) {
        c.error(tok,
                fmt::format("prefix length {} of '{}' is out of range 0..{}", *len, text, max));
      }
      return std::nullopt;
    }
    p.length = static_cast<std::uint8_t>(*len);
  }
  return p;
}

std::optional<IpAddress> address(Cursor& c, const Token& opt, const Token& tok) {
  auto a = IpAddress::parse(tok.text);
  if (!a) c.error(tok, fmt::format("'{}' needs an IP address, not '{}'", opt.text, tok.text));
  return a;
}

// Names from an iproute2 file ("NUMBER NAME" lines) and its .d directory.
std::optional<std::uint32_t> lookup_file(const char* file, const char* dir, std::string_view name) {
  auto scan = [&](const std::filesystem::path& path) -> std::optional<std::uint32_t> {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      const auto hash = line.find('#');
      if (hash != std::string::npos) line.resize(hash);
      std::size_t i = 0;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      std::size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
      const auto num = parse_unsigned(std::string_view(line).substr(i, j - i));
      while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
      std::size_t k = j;
      while (k < line.size() && line[k] != ' ' && line[k] != '\t') ++k;
      if (num && *num <= 0xffffffff && std::string_view(line).substr(j, k - j) == name) {
        return static_cast<std::uint32_t>(*num);
      }
    }
    return std::nullopt;
  };
  if (auto v = scan(file)) return v;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".conf") {
      if (auto v = scan(e.path())) return v;
    }
  }
  return std::nullopt;
}

const Token* missing_value(Cursor& c, const Token& opt) {
  return c.value(opt);
}

bool is_route_type(std::string_view w, RouteType& out) {
  static constexpr std::array<std::pair<std::string_view, RouteType>, 10> kTypes{{
      {"unicast", RouteType::Unicast},
      {"local", RouteType::Local},
      {"broadcast", RouteType::Broadcast},
      {"anycast", RouteType::Anycast},
      {"multicast", RouteType::Multicast},
      {"blackhole", RouteType::Blackhole},
      {"unreachable", RouteType::Unreachable},
      {"prohibit", RouteType::Prohibit},
      {"throw", RouteType::Throw},
      {"nat", RouteType::Nat},
  }};
  for (const auto& [n, t] : kTypes) {
    if (w == n) {
      out = t;
      return true;
    }
  }
  return false;
}

DumpArgs words_args(const std::vector<std::string>& words) {
  DumpArgs out;
  out.reserve(words.size());
  for (const auto& w : words) out.emplace_back(w);
  return out;
}

}  // namespace

std::optional<std::uint8_t> lookup_scope(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::uint8_t>, 5> kScopes{
      {{"global", 0}, {"site", 200}, {"link", 253}, {"host", 254}, {"nowhere", 255}}};
  for (const auto& [n, v] : kScopes) {
    if (text == n) return v;
  }
  if (auto v = parse_unsigned(text); v && *v <= 255) return static_cast<std::uint8_t>(*v);
  if (auto v = lookup_file("/etc/iproute2/rt_scopes", "/etc/iproute2/rt_scopes.d", text);
      v && *v <= 255) {
    return static_cast<std::uint8_t>(*v);
  }
  return std::nullopt;
}

std::optional<std::uint32_t> lookup_route_table(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::uint32_t>, 4> kTables{
      {{"unspec", 0}, {"default", 253}, {"main", 254}, {"local", 255}}};
  for (const auto& [n, v] : kTables) {
    if (text == n) return v;
  }
  if (auto v = parse_unsigned(text); v && *v <= 0xffffffff) return static_cast<std::uint32_t>(*v);
  return lookup_file("/etc/iproute2/rt_tables", "/etc/iproute2/rt_tables.d", text);
}

std::optional<std::uint8_t> lookup_route_protocol(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::uint8_t>, 22> kProtos{{
      {"unspec", 0},    {"redirect", 1}, {"kernel", 2}, {"boot", 3},   {"static", 4},
      {"gated", 8},     {"ra", 9},       {"mrt", 10},   {"zebra", 11}, {"bird", 12},
      {"dnrouted", 13}, {"xorp", 14},    {"ntk", 15},   {"dhcp", 16},  {"keepalived", 18},
      {"babel", 42},    {"openr", 99},   {"bgp", 186},  {"isis", 187}, {"ospf", 188},
      {"rip", 189},     {"eigrp", 192},
  }};
  for (const auto& [n, v] : kProtos) {
    if (text == n) return v;
  }
  if (auto v = parse_unsigned(text); v && *v <= 255) return static_cast<std::uint8_t>(*v);
  if (auto v = lookup_file("/etc/iproute2/rt_protos", "/etc/iproute2/rt_protos.d", text);
      v && *v <= 255) {
    return static_cast<std::uint8_t>(*v);
  }
  return std::nullopt;
}

// ---- ip address ---------------------------------------------------------------------------

std::optional<IpAddressItem> parse_ip_address_item(const Statement& st, IpItemContext context) {
  Cursor c(st);
  IpAddressItem item;
  item.loc = c.loc();
  item.words = c.words();
  {
    const Token& first = c.take();
    auto p = prefix(c, first, &item.has_length);
    if (!p) return std::nullopt;
    item.address = *p;
  }
  bool seen_dev = false;
  while (!c.done()) {
    const Token& opt = c.take();
    const std::string_view o = opt.text;
    if (o == "dev") {
      const Token* v = missing_value(c, opt);
      if (!v) break;
      if (seen_dev) {
        c.error(opt, fmt::format("'dev' given twice for {}", item.words.front()));
      }
      seen_dev = true;
      item.dev = v->text;
    } else if (o == "brd" || o == "broadcast") {
      const Token* v = missing_value(c, opt);
      if (!v) break;
      if (v->text == "-" || v->text == "+") {
        if (item.address.address.is_v6() || item.address.length >= 31) {
          c.error(*v, fmt::format("'brd {}' needs an IPv4 prefix shorter than /31", v->text));
        }
        item.broadcast_kind = v->text == "-" ? Broadcast::ClearHostBits : Broadcast::SetHostBits;
      } else if (item.address.address.is_v6()) {
        c.error(opt, "'brd' is only valid for IPv4 addresses");
      } else if (auto a = address(c, opt, *v)) {
        if (a->family() != item.address.address.family()) {
          c.error(*v, "'brd' address family differs from the address");
        }
        item.broadcast_kind = Broadcast::Address;
        item.broadcast = *a;
      }
    } else if (o == "scope") {
      const Token* v = missing_value(c, opt);
      if (!v) break;
      if (auto s = lookup_scope(v->text)) {
        item.scope = *s;
      } else {
        c.error(*v, fmt::format("'scope' takes host|link|site|global|nowhere or 0..255, not '{}'",
                                v->text));
      }
    } else if (o == "label") {
      const Token* v = missing_value(c, opt);
      if (!v) break;
      item.label = v->text;
    } else if (o == "peer") {
      const Token* v = missing_value(c, opt);
      if (!v) break;
      if (auto a = address(c, opt, *v)) item.peer = *a;
    } else if (o == "home") {
      item.home = true;
    } else if (o == "-nodad") {
      item.nodad = true;
    } else if (o == "mngtmpaddr") {
      item.mngtmpaddr = true;
    } else if (o == "noprefixroute") {
      item.noprefixroute = true;
    } else if (o == "autojoin") {
      item.autojoin = true;
    } else if (o == "no_track") {
      item.no_track = true;
    } else if (o == "track_group" && context == IpItemContext::Static) {
      const Token* v = missing_value(c, opt);
      if (!v) break;
      item.track_group = v->text;
    } else if (o == "use_vmac" && context == IpItemContext::Virtual) {
      item.use_vmac = true;
    } else if (o == "preferred_lft") {
      const Token* v = missing_value(c, opt);
      if (!v) break;
      if (v->text == "forever") {
        item.preferred_lft = IpAddressItem::kForever;
      } else if (auto n = number<std::uint32_t>(c, opt, *v, 0, 0xffffffff)) {
        item.preferred_lft = *n;
      }
    } else if (context == IpItemContext::Virtual) {
      // keepalived 2.2.7 logs and skips an unknown word in a virtual address, and -t passes.
      st.warning(opt, fmt::format("unknown option '{}' for IP address {} is ignored", o,
                                  item.words.front()));
    } else {
      c.error(opt, fmt::format("unknown option '{}' for IP address {}", o, item.words.front()));
    }
  }
  if (!item.track_group.empty() && item.no_track) {
    c.error(st.keyword(), "an address cannot have both 'track_group' and 'no_track'");
  }
  if (item.peer && item.has_length && !item.address.has_default_length()) {
    c.error(st.keyword(),
            fmt::format("{} cannot have a prefix length when 'peer' is given", item.words.front()));
  }
  if (c.failed) return std::nullopt;
  return item;
}

DumpArgs dump_ip_address_item(const IpAddressItem& item) {
  return words_args(item.words);
}

// ---- ip route -----------------------------------------------------------------------------

namespace {

// ip-route metrics and options halo does not model: name, whether "lock" may precede the
// value. Their values are checked for shape only.
struct RouteMetric {
  std::string_view name;
  bool lockable;
  std::uint64_t max;
};
constexpr std::array<RouteMetric, 13> kRouteMetrics{{
    {"advmss", true, 0xffffffff},
    {"rtt", true, 0xffffffff},
    {"rttvar", true, 0xffffffff},
    {"reordering", true, 0xffffffff},
    {"window", false, 0xffffffff},
    {"cwnd", true, 0xffffffff},
    {"ssthresh", true, 0xffffffff},
    {"hoplimit", false, 255},
    {"initcwnd", false, 0xffffffff},
    {"initrwnd", false, 0xffffffff},
    {"rto_min", true, 0xffffffff},
    {"quickack", false, 1},
    {"fastopen_no_cookie", false, 1},
}};

// `rtt 10`, `rtt 10ms`, `rtt 2s`: whole milliseconds (or seconds with s/sec/secs), at most
// 960000 ms as keepalived checks; keepalived refuses fractions.
bool time_value(std::string_view text) {
  std::uint64_t ms_per_unit = 1;
  auto strip = [&](std::string_view unit, std::uint64_t scale) {
    if (!text.ends_with(unit)) return false;
    text.remove_suffix(unit.size());
    ms_per_unit = scale;
    return true;
  };
  strip("msecs", 1) || strip("msec", 1) || strip("ms", 1) || strip("secs", 1000) ||
      strip("sec", 1000) || strip("s", 1000);
  auto v = parse_unsigned(text);
  return v && !text.starts_with("0x") && *v <= 960000 / ms_per_unit;
}

// `realms [FROM/]TO`: realm numbers 0..255 or names.
bool realms_value(std::string_view text) {
  auto one = [](std::string_view r) {
    if (auto v = parse_unsigned(r)) return *v <= 255;
    return !r.empty() &&
           lookup_file("/etc/iproute2/rt_realms", "/etc/iproute2/rt_realms.d", r).has_value();
  };
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return one(text);
  return one(text.substr(0, slash)) && one(text.substr(slash + 1));
}

void check_family(Cursor& c, const Token& at, Family& family, bool& family_set, Family f) {
  if (family_set && family != f) {
    c.error(at, fmt::format("'{}' mixes IPv4 and IPv6 in one line", at.text));
    return;
  }
  family = f;
  family_set = true;
}

// `encap mpls <LABEL>` | `encap ip|ip6 id <N> dst <IP> ...` | `encap ila <LOCATOR> ...`
void skip_encap(Cursor& c, const Token& opt) {
  const Token* type = c.value(opt);
  if (!type) return;
  if (type->text == "mpls" || type->text == "ila") {
    const Token* v = c.value(*type);
    if (v == nullptr) return;
    if (type->text == "mpls") {
      // "ttl N" may follow.
      if (!c.done() && c.peek().text == "ttl") {
        const Token& t = c.take();
        if (const Token* n = c.value(t)) number<std::uint8_t>(c, t, *n, 0, 255);
      }
    }
    return;
  }
  if (type->text != "ip" && type->text != "ip6") {
    c.error(*type, fmt::format("unknown encap type '{}'", type->text));
    return;
  }
  static constexpr std::array<std::string_view, 9> kKeys{
      "id", "dst", "src", "tos", "dsfield", "ttl", "flags", "hoplimit", "tc"};
  bool any = false;
  while (!c.done() && std::find(kKeys.begin(), kKeys.end(), c.peek().text) != kKeys.end()) {
    const Token& key = c.take();
    if (key.text == "flags") {
      // csum, seq, key ... one word
    }
    if (!c.value(key)) return;
    any = true;
  }
  if (!any) c.error(*type, fmt::format("'encap {}' needs an address or id", type->text));
}

}  // namespace

std::optional<IpRouteItem> parse_ip_route_item(const Statement& st, IpItemContext context) {
  Cursor c(st);
  IpRouteItem item;
  item.loc = c.loc();
  item.words = c.words();
  bool have_dst = false, have_type = false, seen_or = false;
  Family family = Family::V4;
  bool family_set = false;
  bool inet = false;
  const Token* pref_token = nullptr;
  const Token* expires_token = nullptr;
  const Token* realms_token = nullptr;
  const Token* from_token = nullptr;
  bool default_dst = false;

  while (!c.done()) {
    const Token& opt = c.take();
    const std::string_view o = opt.text;
    RouteType type{};
    if (o == "nexthop") {
      RouteNextHop nh;
      while (!c.done() && c.peek().text != "nexthop") {
        const Token& k = c.take();
        if (k.text == "via") {
          const Token* v = c.value(k);
          if (!v) break;
          if (v->text == "inet" || v->text == "inet6") v = c.value(*v);
          if (!v) break;
          if (auto a = address(c, k, *v)) {
            check_family(c, *v, family, family_set, a->family());
            nh.via = *a;
          }
        } else if (k.text == "dev") {
          if (const Token* v = c.value(k)) nh.dev = v->text;
        } else if (k.text == "weight") {
          if (const Token* v = c.value(k)) {
            if (auto w = number<std::uint16_t>(c, k, *v, 1, 256)) nh.weight = *w;
          }
        } else if (k.text == "onlink") {
          nh.onlink = true;
        } else if (k.text == "realms") {
          if (const Token* v = c.value(k); v && !realms_value(v->text)) {
            c.error(*v, fmt::format("'realms' value '{}' is not valid", v->text));
          }
        } else if (k.text == "encap") {
          skip_encap(c, k);
        } else {
          c.error(k, fmt::format("unknown nexthop option '{}' (nexthops must come last)", k.text));
        }
      }
      item.nexthops.push_back(std::move(nh));
      continue;
    }
    if (!item.nexthops.empty()) {
      c.error(opt, fmt::format("route has '{}' after its nexthops", o));
      continue;
    }
    if (is_route_type(o, type)) {
      // keepalived takes the type only first (later it crashes or misreads it).
      if (have_type || &opt != &st.keyword()) {
        c.error(opt, fmt::format("route type '{}' must be the first word of the route", o));
      }
      have_type = true;
      item.type = type;
    } else if (o == "default") {
      // The family is settled at the end (IPv4 unless something says IPv6).
      default_dst = true;
      have_dst = true;
    } else if (o == "to" || o == "src" || o == "from" || o == "via" || o == "gw" || o == "or") {
      const Token* v = c.value(opt);
      if (!v) break;
      if ((o == "via" || o == "gw") && (v->text == "inet" || v->text == "inet6")) {
        v = c.value(*v);
        if (!v) break;
      }
      if (o == "to" || o == "from") {
        if (auto p = prefix(c, *v)) {
          check_family(c, *v, family, family_set, p->address.family());
          if (o == "to") {
            item.destination = *p;
            have_dst = true;
          } else {
            item.from = *p;
            from_token = v;
          }
        }
      } else if (auto a = address(c, opt, *v)) {
        check_family(c, *v, family, family_set, a->family());
        if (o == "src") {
          item.src = *a;
        } else if (o == "or") {
          if (seen_or) c.error(opt, "'or' given twice");
          // keepalived 2.2 fails the configuration for "or" and "gw" (deprecated).
          c.error(opt, "'or' for routes is deprecated; use 'nexthop via ...'");
          seen_or = true;
          item.or_via = *a;
        } else {
          if (o == "gw") c.error(opt, "'gw' for routes is deprecated; use 'via'");
          item.via = *a;
        }
      }
    } else if (o == "dev" || o == "oif") {
      if (const Token* v = c.value(opt)) item.dev = v->text;
    } else if (o == "table") {
      if (const Token* v = c.value(opt)) {
        if (auto t = lookup_route_table(v->text)) {
          item.table = *t;
        } else {
          c.error(*v, fmt::format("routing table '{}' is not known", v->text));
        }
      }
    } else if (o == "metric" || o == "priority" || o == "preference") {
      if (const Token* v = c.value(opt)) {
        if (auto n = number<std::uint32_t>(c, opt, *v, 0, 0xffffffff)) item.metric = *n;
      }
    } else if (o == "scope") {
      if (const Token* v = c.value(opt)) {
        if (auto s = lookup_scope(v->text)) {
          item.scope = *s;
        } else {
          c.error(*v, fmt::format("'scope' takes host|link|site|global|nowhere or 0..255, not '{}'",
                                  v->text));
        }
      }
    } else if (o == "protocol" || o == "proto") {
      if (const Token* v = c.value(opt)) {
        if (auto p = lookup_route_protocol(v->text)) {
          item.protocol = *p;
        } else {
          c.error(*v, fmt::format("route protocol '{}' is not known (0..255 or a name from "
                                  "/etc/iproute2/rt_protos)",
                                  v->text));
        }
      }
    } else if (o == "tos" || o == "dsfield") {
      if (const Token* v = c.value(opt)) {
        if (auto n = number<std::uint8_t>(c, opt, *v, 0, 255)) item.tos = *n;
      }
    } else if (o == "mtu") {
      const Token* v = c.value(opt);
      if (v && v->text == "lock") v = c.value(*v);
      if (v) {
        if (auto n = number<std::uint32_t>(c, opt, *v, 0, 0xffffffff)) item.mtu = *n;
      }
    } else if (o == "onlink") {
      item.onlink = true;
    } else if (o == "inet6") {
      item.inet6 = true;
      if (family_set && family == Family::V4) c.error(opt, "'inet6' given for an IPv4 route");
    } else if (o == "inet") {
      inet = true;
      if (family_set && family == Family::V6) c.error(opt, "'inet' given for an IPv6 route");
    } else if (o == "append") {
      item.append = true;
    } else if (o == "prepend") {
      item.append = false;
    } else if (o == "no_track") {
      item.no_track = true;
    } else if (o == "track_group" && context == IpItemContext::Static) {
      if (const Token* v = c.value(opt)) item.track_group = v->text;
    } else if (o == "vrf") {
      if (const Token* v = c.value(opt)) item.vrf = v->text;
    } else if (o == "realms") {
      if (const Token* v = c.value(opt)) {
        realms_token = v;
        if (!realms_value(v->text)) {
          c.error(*v, fmt::format("'realms' value '{}' is not valid", v->text));
        }
      }
    } else if (o == "pref") {
      if (const Token* v = c.value(opt)) {
        pref_token = v;
        if (v->text != "low" && v->text != "medium" && v->text != "high") {
          c.error(*v, fmt::format("'pref' takes low|medium|high, not '{}'", v->text));
        }
      }
    } else if (o == "expires") {
      if (const Token* v = c.value(opt)) {
        expires_token = v;
        number<std::uint32_t>(c, opt, *v, 0, 0xffffffff);
      }
    } else if (o == "features") {
      if (const Token* v = c.value(opt); v && v->text != "ecn") {
        c.error(*v, fmt::format("route feature '{}' is not supported (only 'ecn')", v->text));
      }
    } else if (o == "congctl") {
      const Token* v = c.value(opt);
      if (v && v->text == "lock") c.value(*v);
    } else if (o == "ttl-propagate") {
      if (const Token* v = c.value(opt); v && v->text != "enabled" && v->text != "disabled") {
        c.error(*v, fmt::format("'ttl-propagate' takes enabled|disabled, not '{}'", v->text));
      }
    } else if (o == "encap") {
      skip_encap(c, opt);
    } else if (auto m = std::find_if(kRouteMetrics.begin(), kRouteMetrics.end(),
                                     [&](const RouteMetric& r) { return r.name == o; });
               m != kRouteMetrics.end()) {
      const Token* v = c.value(opt);
      if (v && m->lockable && v->text == "lock") v = c.value(*v);
      if (v) {
        const bool is_time = o == "rtt" || o == "rttvar" || o == "rto_min";
        if (is_time) {
          if (!time_value(v->text)) {
            c.error(*v, fmt::format("'{}' needs whole milliseconds (or <N>s) up to 960000ms, "
                                    "not '{}'",
                                    o, v->text));
          }
        } else {
          number<std::uint32_t>(c, opt, *v, 0, m->max);
        }
      }
    } else if (auto p = prefix(c, opt, nullptr, /*report=*/false)) {
      // A bare prefix is the destination (keepalived takes the last one).
      check_family(c, opt, family, family_set, p->address.family());
      item.destination = *p;
      have_dst = true;
    } else {
      c.error(opt, fmt::format("unknown route option '{}'", o));
    }
  }

  const Token& first = st.keyword();
  if (default_dst) {
    const bool v6 = (family_set && family == Family::V6) || item.inet6;
    item.destination = *IpPrefix::parse(v6 ? "::/0" : "0.0.0.0/0");
  }
  if (!have_dst) {
    c.error(first, "a route needs a destination");
  } else {
    const bool v6 = item.destination.address.is_v6();
    if (item.inet6 && !v6) c.error(first, "'inet6' given for an IPv4 route");
    if (inet && v6) c.error(first, "'inet' given for an IPv6 route");
    if (from_token && !v6) c.error(*from_token, "route 'from' is only supported for IPv6");
    if (pref_token && !v6) c.error(*pref_token, "'pref' is only valid for IPv6 routes");
    if (expires_token && !v6) c.error(*expires_token, "'expires' is only valid for IPv6 routes");
    if (realms_token && v6) c.error(*realms_token, "'realms' is only valid for IPv4 routes");
  }
  if (seen_or && !item.nexthops.empty()) {
    c.error(first, "a route cannot have both 'or' and 'nexthop'");
  }
  if (!item.track_group.empty() && item.no_track) {
    c.error(first, "a route cannot have both 'track_group' and 'no_track'");
  }
  // keepalived watches routes (static and virtual) through their interface, and only the
  // routes it owns (protocol keepalived); anything else fails -t unless no_track is given.
  if (!item.no_track && have_dst && item.dev.empty()) {
    c.error(first, fmt::format("route {} has no 'dev', so it cannot be tracked; give "
                               "'dev <IF>' or 'no_track'",
                               item.destination.to_string()));
  }
  if (!item.no_track && item.protocol && *item.protocol != kProtoKeepalived) {
    c.error(first,
            "a tracked route must have protocol keepalived; add 'no_track' to use "
            "another protocol");
  }
  if (c.failed) return std::nullopt;
  return item;
}

DumpArgs dump_ip_route_item(const IpRouteItem& item) {
  return words_args(item.words);
}

// ---- ip rule ------------------------------------------------------------------------------

namespace {

std::optional<PortRange> port_range(Cursor& c, const Token& opt, const Token& v) {
  const std::string_view t = v.text;
  const auto dash = t.find('-');
  // keepalived 2.2.7 wants both ends ("dport 30" fails).
  const auto lo = parse_unsigned(t.substr(0, dash));
  const auto hi = parse_unsigned(dash == std::string_view::npos ? "" : t.substr(dash + 1));
  if (!lo || !hi || *lo > 65535 || *hi > 65535) {
    c.error(v, fmt::format("'{}' needs a port range <LOW>-<HIGH> within 0..65535, not '{}'",
                           opt.text, t));
    return std::nullopt;
  }
  return PortRange{static_cast<std::uint16_t>(*lo), static_cast<std::uint16_t>(*hi)};
}

std::optional<std::uint8_t> ip_protocol(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::uint8_t>, 8> kProtos{
      {{"icmp", 1},
       {"igmp", 2},
       {"tcp", 6},
       {"udp", 17},
       {"gre", 47},
       {"esp", 50},
       {"ipv6-icmp", 58},
       {"sctp", 132}}};
  for (const auto& [n, v] : kProtos) {
    if (text.size() == n.size() &&
        std::equal(text.begin(), text.end(), n.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return v;
    }
  }
  if (auto v = parse_unsigned(text); v && *v <= 255) return static_cast<std::uint8_t>(*v);
  return std::nullopt;
}

}  // namespace

std::optional<IpRuleItem> parse_ip_rule_item(const Statement& st, IpItemContext context) {
  Cursor c(st);
  IpRuleItem item;
  item.loc = c.loc();
  item.words = c.words();
  Family family = Family::V4;
  bool family_set = false;
  int actions = 0;
  const Token* realms_token = nullptr;
  const Token* inet6_token = nullptr;
  const Token* goto_token = nullptr;

  auto action = [&](const Token& at, RuleAction a) {
    if (++actions > 1) {
      c.error(at, "a rule takes only one of table/goto/nop/blackhole/prohibit/unreachable/l3mdev");
    }
    item.action = a;
  };

  while (!c.done()) {
    const Token& opt = c.take();
    const std::string_view o = opt.text;
    if (o == "not") {
      item.invert = true;
    } else if (o == "from" || o == "to") {
      const Token* v = c.value(opt);
      if (!v) break;
      if (v->text == "all") continue;
      if (auto p = prefix(c, *v)) {
        check_family(c, *v, family, family_set, p->address.family());
        (o == "from" ? item.from : item.to) = *p;
      }
    } else if (o == "preference" || o == "priority" || o == "order") {
      if (const Token* v = c.value(opt)) {
        if (auto n = number<std::uint32_t>(c, opt, *v, 0, 0xffffffff)) item.preference = *n;
      }
    } else if (o == "table" || o == "lookup") {
      if (const Token* v = c.value(opt)) {
        action(opt, RuleAction::Table);
        if (auto t = lookup_route_table(v->text)) {
          if (*t == 0) c.error(*v, "table 0 is not valid for a rule");
          item.table = *t;
        } else {
          c.error(*v, fmt::format("routing table '{}' is not known", v->text));
        }
      }
    } else if (o == "goto") {
      if (const Token* v = c.value(opt)) {
        action(opt, RuleAction::Goto);
        goto_token = v;
        if (auto n = number<std::uint32_t>(c, opt, *v, 0, 0xffffffff)) item.goto_target = *n;
      }
    } else if (o == "nop") {
      action(opt, RuleAction::Nop);
    } else if (o == "blackhole") {
      action(opt, RuleAction::Blackhole);
    } else if (o == "prohibit") {
      action(opt, RuleAction::Prohibit);
    } else if (o == "unreachable") {
      action(opt, RuleAction::Unreachable);
    } else if (o == "type") {
      const Token* v = c.value(opt);
      if (!v) break;
      if (v->text == "blackhole") {
        action(opt, RuleAction::Blackhole);
      } else if (v->text == "prohibit") {
        action(opt, RuleAction::Prohibit);
      } else if (v->text == "unreachable") {
        action(opt, RuleAction::Unreachable);
      } else if (v->text == "nop") {
        action(opt, RuleAction::Nop);
      } else {
        c.error(*v, fmt::format("rule type '{}' is not valid", v->text));
      }
    } else if (o == "fwmark") {
      if (const Token* v = c.value(opt)) {
        const std::string_view t = v->text;
        const auto slash = t.find('/');
        auto mark = parse_unsigned(t.substr(0, slash));
        std::optional<std::uint64_t> mask;
        if (slash != std::string_view::npos) mask = parse_unsigned(t.substr(slash + 1));
        if (!mark || *mark > 0xffffffff ||
            (slash != std::string_view::npos && (!mask || *mask > 0xffffffff))) {
          c.error(*v, fmt::format("'fwmark' needs <MARK>[/<MASK>], not '{}'", t));
        } else {
          item.fwmark = static_cast<std::uint32_t>(*mark);
          if (mask) item.fwmask = static_cast<std::uint32_t>(*mask);
        }
      }
    } else if (o == "tos" || o == "dsfield") {
      if (const Token* v = c.value(opt)) {
        if (auto n = number<std::uint8_t>(c, opt, *v, 0, 255)) item.tos = *n;
      }
    } else if (o == "iif" || o == "dev") {
      if (const Token* v = c.value(opt)) item.iif = v->text;
    } else if (o == "oif") {
      if (const Token* v = c.value(opt)) item.oif = v->text;
    } else if (o == "realms") {
      if (const Token* v = c.value(opt)) {
        realms_token = v;
        if (!realms_value(v->text)) {
          c.error(*v, fmt::format("'realms' value '{}' is not valid", v->text));
        }
      }
    } else if (o == "suppress_prefixlength" || o == "sup_pl") {
      if (const Token* v = c.value(opt)) number<std::uint32_t>(c, opt, *v, 0, 0x7fffffff);
    } else if (o == "suppress_ifgroup" || o == "sup_group") {
      if (const Token* v = c.value(opt)) number<std::uint32_t>(c, opt, *v, 0, 0xffffffff);
    } else if (o == "tunnel-id") {
      if (const Token* v = c.value(opt)) {
        number<std::uint64_t>(c, opt, *v, 0, 0xffffffffffffffffULL);
      }
    } else if (o == "uidrange") {
      if (const Token* v = c.value(opt)) {
        const std::string_view t = v->text;
        const auto dash = t.find('-');
        auto lo = parse_unsigned(t.substr(0, dash));
        decltype(lo) hi;  // (a ?: between nullopt and a call trips GCC 12's -Os uninit check)
        if (dash != std::string_view::npos) hi = parse_unsigned(t.substr(dash + 1));
        if (!lo || !hi || *lo > 0xffffffff || *hi > 0xffffffff) {
          c.error(*v, fmt::format("'uidrange' needs <LOW>-<HIGH>, not '{}'", t));
        } else {
          item.uidrange =
              std::pair{static_cast<std::uint32_t>(*lo), static_cast<std::uint32_t>(*hi)};
        }
      }
    } else if (o == "l3mdev") {
      action(opt, RuleAction::None);
      item.l3mdev = true;
    } else if (o == "protocol" || o == "proto") {
      if (const Token* v = c.value(opt)) {
        // keepalived takes only a number here, unlike for routes.
        if (auto p = number<std::uint8_t>(c, opt, *v, 0, 255)) item.protocol = *p;
      }
    } else if (o == "ipproto") {
      if (const Token* v = c.value(opt)) {
        if (auto p = ip_protocol(v->text)) {
          item.ipproto = *p;
        } else {
          c.error(*v, fmt::format("'ipproto' value '{}' is not a known IP protocol", v->text));
        }
      }
    } else if (o == "sport" || o == "dport") {
      if (const Token* v = c.value(opt)) {
        if (auto r = port_range(c, opt, *v)) (o == "sport" ? item.sport : item.dport) = *r;
      }
    } else if (o == "inet6") {
      item.inet6 = true;
      inet6_token = &opt;
    } else if (o == "inet") {
      // IPv4 is the default.
    } else if (o == "no_track") {
      item.no_track = true;
    } else if (o == "track_group" && context == IpItemContext::Static) {
      if (const Token* v = c.value(opt)) item.track_group = v->text;
    } else {
      c.error(opt, fmt::format("unknown rule option '{}'", o));
    }
  }

  const Token& first = st.keyword();
  const bool v6 = (family_set && family == Family::V6) || item.inet6;
  if (inet6_token && family_set && family == Family::V4) {
    c.error(*inet6_token, "'inet6' given for an IPv4 rule");
  }
  if (realms_token && v6) c.error(*realms_token, "'realms' is only valid for IPv4 rules");
  if (actions == 0 && !c.failed) {
    c.error(first, "a rule needs an action: table, goto, nop, blackhole, prohibit or unreachable");
  }
  if (item.l3mdev && item.table) c.error(first, "'table' cannot be given with 'l3mdev'");
  if (item.goto_target) {
    if (!item.preference) {
      c.error(*goto_token, "'goto' needs the rule to have a 'preference' below its target");
    } else if (*item.preference >= *item.goto_target) {
      c.error(*goto_token, fmt::format("rule preference {} must be below goto target {}",
                                       *item.preference, *item.goto_target));
    }
  }
  // keepalived picks a preference itself and -t fails ("probably not what you want").
  if (!item.preference && actions > 0 && !item.goto_target) {
    c.error(first, "a rule needs a 'preference'; keepalived would choose one itself");
  }
  if (!item.track_group.empty()) {
    if (item.no_track) c.error(first, "a rule cannot have both 'track_group' and 'no_track'");
    if (item.iif.empty()) c.error(first, "a rule with 'track_group' needs 'iif' or 'dev'");
  }
  if (!item.no_track && item.protocol && *item.protocol != kProtoKeepalived) {
    c.error(first,
            "a tracked rule must have protocol keepalived; add 'no_track' to use "
            "another protocol");
  }
  if (c.failed) return std::nullopt;
  return item;
}

DumpArgs dump_ip_rule_item(const IpRuleItem& item) {
  return words_args(item.words);
}

}  // namespace halo::config
