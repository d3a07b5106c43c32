// Interim item parsers for virtual_ipaddress(_excluded), virtual_routes and virtual_rules (see
// vrrp_ip_items.h). Addresses are parsed with their common options; routes and rules are kept
// as their words until the shared static_routes / static_rules parsers take over.
#include "config/tables/vrrp_ip_items.h"

#include <fmt/core.h>

#include "config/parser.h"

namespace halo::config {
namespace {

constexpr std::string_view kScopes[] = {"site", "link", "host", "nowhere", "global"};

bool is_scope(std::string_view s) {
  for (auto sc : kScopes) {
    if (s == sc) return true;
  }
  return false;
}

}  // namespace

std::optional<VirtualAddress> parse_virtual_address(const Statement& st) {
  VirtualAddress a;
  a.loc = st.keyword().loc;
  const auto& first = st.keyword();
  auto prefix = IpPrefix::parse(first.text);
  if (!prefix) {
    st.error(first, fmt::format("'{}' is not a valid IP address or prefix", first.text));
    return std::nullopt;
  }
  a.address = *prefix;
  const auto args = st.args();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& opt = args[i];
    if (opt.text == "no_track") {
      a.no_track = true;
      continue;
    }
    const bool takes_value =
        opt.text == "dev" || opt.text == "label" || opt.text == "scope" || opt.text == "brd";
    if (!takes_value) {
      st.error(opt, fmt::format("unknown option '{}' for address {}", opt.text, first.text));
      return std::nullopt;
    }
    if (i + 1 >= args.size()) {
      st.error(opt, fmt::format("'{}' needs a value", opt.text));
      return std::nullopt;
    }
    const auto& val = args[++i];
    if (opt.text == "dev") {
      a.dev = val.text;
    } else if (opt.text == "label") {
      a.label = val.text;
    } else if (opt.text == "scope") {
      if (!is_scope(val.text)) {
        st.error(val,
                 fmt::format("'scope' takes site|link|host|nowhere|global, not '{}'", val.text));
        return std::nullopt;
      }
      a.scope = val.text;
    } else {
      auto brd = IpAddress::parse(val.text);
      if (!brd || brd->family() != a.address.address.family()) {
        st.error(val, fmt::format("'brd' value '{}' is not an address of the same family as {}",
                                  val.text, first.text));
        return std::nullopt;
      }
      a.broadcast = *brd;
    }
  }
  return a;
}

DumpArgs dump_virtual_address(const VirtualAddress& a) {
  DumpArgs out{a.address.to_string()};
  if (a.broadcast) {
    out.emplace_back("brd");
    out.emplace_back(a.broadcast->to_string());
  }
  if (!a.dev.empty()) {
    out.emplace_back("dev");
    out.emplace_back(a.dev);
  }
  if (!a.scope.empty()) {
    out.emplace_back("scope");
    out.emplace_back(a.scope);
  }
  if (!a.label.empty()) {
    out.emplace_back("label");
    out.emplace_back(a.label);
  }
  if (a.no_track) out.emplace_back("no_track");
  return out;
}

std::optional<VirtualRoute> parse_virtual_route(const Statement& st) {
  VirtualRoute r;
  r.loc = st.keyword().loc;
  r.words.push_back(st.keyword().text);
  for (const auto& t : st.args()) r.words.push_back(t.text);
  return r;
}

DumpArgs dump_virtual_route(const VirtualRoute& r) {
  DumpArgs out;
  for (const auto& w : r.words) out.emplace_back(w);
  return out;
}

}  // namespace halo::config
