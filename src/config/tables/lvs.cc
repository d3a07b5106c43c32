// Keyword tables of the load-balancer blocks (see model/lvs.h): virtual_server_group,
// virtual_server, real_server; the checkers are in checkers.cc and bfd_instance in bfd.cc.
//
// keepalived reads some virtual_server keywords in order: `sorry_server_inhibit` and
// `sorry_server_lvs_method` need the sorry_server before them, `sh-port` needs `lvs_sched sh`
// before it. halo keeps that (the errors match -t), and its tables list the keywords in an
// order that dumps parse back.
#include <algorithm>
#include <charconv>

#include "config/fields.h"
#include "config/tables/lvs_internal.h"
#include "config/tables/tables.h"

namespace halo::config {
namespace {

constexpr double kMaxTimer = 1e12;  // see checkers.cc
constexpr double kMaxConnectTimeout = 4294.967295;
constexpr std::int64_t kMaxWeight = 2147483647;    // IPVS_WEIGHT_LIMIT
constexpr std::int64_t kMaxPersistence = 2678400;  // LVS_MAX_TIMEOUT: 31 days

std::optional<std::uint16_t> parse_port(const Statement& st, const Token& tok, int min) {
  auto v = kw::parse_integer(tok.text);
  if (!v || *v < min || *v > 65535) {
    st.error(tok, fmt::format("'{}' port '{}' is out of range {}..65535", st.keyword().text,
                              tok.text, min));
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(*v);
}

std::optional<IpAddress> parse_address(const Statement& st, const Token& tok) {
  auto a = IpAddress::parse(tok.text);
  if (!a) {
    st.error(tok, fmt::format("'{}' address '{}' is not a valid IP address", st.keyword().text,
                              tok.text));
  }
  return a;
}

// `NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]`
std::optional<ForwardingMethod> parse_forwarding(const Statement& st) {
  if (!st.expect_args(1, 6)) return std::nullopt;
  ForwardingMethod f;
  const auto& m = st.arg(0).text;
  if (m == "NAT") {
    f.method = LvsMethod::Nat;
  } else if (m == "DR") {
    f.method = LvsMethod::Dr;
  } else if (m == "TUN") {
    f.method = LvsMethod::Tun;
  } else {
    st.error(st.arg(0), fmt::format("'{}' takes NAT|DR|TUN, not '{}'", st.keyword().text, m));
    return std::nullopt;
  }
  for (std::size_t i = 1; i < st.size(); ++i) {
    const auto& w = st.arg(i).text;
    if (w == "type" || w == "port") {
      if (i + 1 >= st.size()) {
        st.error(st.arg(i), fmt::format("'{}' {} needs a value", st.keyword().text, w));
        return std::nullopt;
      }
      const auto& v = st.arg(++i);
      if (w == "port") {
        auto p = parse_port(st, v, 1);
        if (!p) return std::nullopt;
        f.tunnel_port = *p;
      } else if (v.text == "ipip") {
        f.tunnel = TunnelType::Ipip;
      } else if (v.text == "gue") {
        f.tunnel = TunnelType::Gue;
      } else if (v.text == "gre") {
        f.tunnel = TunnelType::Gre;
      } else {
        st.error(v, fmt::format("'{}' tunnel type is ipip|gue|gre, not '{}'", st.keyword().text,
                                v.text));
        return std::nullopt;
      }
    } else if (w == "nocsum") {
      f.checksum = TunnelChecksum::NoCsum;
    } else if (w == "csum") {
      f.checksum = TunnelChecksum::Csum;
    } else if (w == "remcsum") {
      f.checksum = TunnelChecksum::RemCsum;
    } else {
      st.error(st.arg(i), fmt::format("'{}' has no tunnel option '{}'", st.keyword().text, w));
      return std::nullopt;
    }
  }
  if ((f.tunnel == TunnelType::Gue) != (f.tunnel_port != 0)) {
    st.error(
        fmt::format("'{}': a gue tunnel needs 'port', other tunnels take none", st.keyword().text));
    return std::nullopt;
  }
  if (f.tunnel == TunnelType::Ipip && f.checksum != TunnelChecksum::NoCsum) {
    st.error(fmt::format("'{}': ipip tunnels have no checksum option", st.keyword().text));
    return std::nullopt;
  }
  if (f.tunnel == TunnelType::Gre && f.checksum == TunnelChecksum::RemCsum) {
    st.error(fmt::format("'{}': gre tunnels do not support remcsum", st.keyword().text));
    return std::nullopt;
  }
  return f;
}

DumpArgs format_forwarding(const ForwardingMethod& f) {
  DumpArgs a{f.method == LvsMethod::Nat ? "NAT" : f.method == LvsMethod::Dr ? "DR" : "TUN"};
  if (f.tunnel == TunnelType::Gue) {
    a.insert(a.end(), {"type", "gue", "port", static_cast<unsigned>(f.tunnel_port)});
  } else if (f.tunnel == TunnelType::Gre) {
    a.insert(a.end(), {"type", "gre"});
  }
  if (f.checksum == TunnelChecksum::Csum) a.emplace_back("csum");
  if (f.checksum == TunnelChecksum::RemCsum) a.emplace_back("remcsum");
  return a;
}

const char* kForwardingSyntax = "NAT|DR|TUN [type ipip|gue port <PORT>|gre] [nocsum|csum|remcsum]";

template <class T>
Keyword<T> forwarding(std::string_view name, std::optional<ForwardingMethod> T::*member) {
  return kw::custom<T>(
      name, kForwardingSyntax,
      [member](T& t, const Statement& st) {
        if (auto f = parse_forwarding(st)) t.*member = *f;
      },
      [member, name](const T& t, Writer& w) {
        if (t.*member) w.statement(name, format_forwarding(*(t.*member)));
      });
}

// A notify script that may be given once (keepalived reports a second one).
template <class T>
Keyword<T> once_script(std::string_view name, std::optional<Script> T::*member) {
  auto k = kw::script(name, member);
  auto parse = k.parse;
  k.parse = [parse, member, name](T& t, const Statement& st) {
    if (t.*member) {
      st.error(fmt::format("'{}' given twice; the first one is kept", name));
      return;
    }
    parse(t, st);
  };
  return k;
}

// `<IPADDR> [<PORT>]` of real_server and sorry_server.
bool parse_server_header(const Statement& st, IpAddress& address, std::uint16_t& port) {
  if (!st.expect_args(1, 2)) return false;
  auto a = parse_address(st, st.arg(0));
  if (!a) return false;
  address = *a;
  if (st.size() > 1) {
    auto p = parse_port(st, st.arg(1), 0);
    if (!p) return false;
    port = *p;
  }
  return true;
}

DumpArgs format_server(const IpAddress& a, std::uint16_t port) {
  DumpArgs args{a.to_string()};
  if (port != 0) args.emplace_back(static_cast<unsigned>(port));
  return args;
}

// ---- real_server ------------------------------------------------------------------------------

struct OptionsOf {
  RealServerOptions& operator()(RealServer& rs) const { return rs.options.mut(); }
  const RealServerOptions& operator()(const RealServer& rs) const { return rs.options.get(); }
};

const Table<RealServer>& real_server_table() {
  using R = RealServer;
  using O = RealServerOptions;
  static const Table<R> table("real_server", "one back end of a virtual server", [] {
    std::vector<Keyword<R>> k{kw::integer("weight", &R::weight, 0, kMaxWeight)};
    std::vector<Keyword<O>> options{
        forwarding("lvs_method", &O::lvs_method).default_text("the virtual server's"),
        kw::integer("uthreshold", &O::uthreshold, 0, 4294967295LL),
        kw::integer("lthreshold", &O::lthreshold, 0, 4294967295LL),
        kw::boolean("inhibit_on_failure", &O::inhibit_on_failure)
            .default_text("the virtual server's"),
        once_script("notify_up", &O::notify_up),
        once_script("notify_down", &O::notify_down),
        kw::boolean("alpha", &O::alpha).default_text("the virtual server's"),
        kw::integer("retry", &O::retry, 1, 4294967295LL).default_text("the virtual server's"),
        kw::seconds("delay_before_retry", &O::delay_before_retry, 0, kMaxTimer)
            .default_text("the virtual server's"),
        kw::seconds("warmup", &O::warmup, 0, kMaxTimer).default_text("the virtual server's"),
        kw::seconds("connect_timeout", &O::connect_timeout, 0.000001, kMaxConnectTimeout)
            .default_text("the virtual server's"),
        kw::seconds("delay_loop", &O::delay_loop, 0.000001, kMaxTimer)
            .default_text("the virtual server's"),
        kw::boolean("smtp_alert", &O::smtp_alert)
            .default_text("global smtp_alert_checker, else smtp_alert, else true"),
        kw::string("virtualhost", &O::virtualhost, "<HOST>").default_text("the virtual server's"),
        kw::string("snmp_name", &O::snmp_name, "<NAME>")
            .ignored("halo has no SNMP agent; it exports Prometheus metrics"),
    };
    for (auto& o : options) k.push_back(nest<R>(o, OptionsOf{}));
    for (auto& c : checker_keywords()) k.push_back(std::move(c));
    return acted_on<R>(
        std::move(k),
        {"weight",    "lvs_method",      "uthreshold", "lthreshold",  "inhibit_on_failure",
         "notify_up", "notify_down",     "alpha",      "retry",       "delay_before_retry",
         "warmup",    "connect_timeout", "delay_loop", "virtualhost", "HTTP_GET",
         "SSL_GET",   "TCP_CHECK",       "SMTP_CHECK", "DNS_CHECK",   "MISC_CHECK",
         "UDP_CHECK", "PING_CHECK",      "FILE_CHECK", "smtp_alert"});
  }());
  return table;
}

// ---- virtual_server ---------------------------------------------------------------------------

// A virtual_server flag. keepalived ignores whatever follows these keywords, so halo accepts
// (and ignores, with a warning) one word after them too.
Keyword<VirtualServer> vs_flag(std::string_view name, bool VirtualServer::*member) {
  auto k = kw::flag(name, member);
  k.parse = [member, name](VirtualServer& vs, const Statement& st) {
    if (!st.expect_args(0, 1)) return;
    if (st.size() == 1) {
      st.warning(st.arg(0), fmt::format("'{}' takes no value; '{}' is ignored, as keepalived "
                                        "does",
                                        name, st.arg(0).text));
    }
    vs.*member = true;
  };
  return k;
}

// alpha and inhibit_on_failure take a <BOOL> in real_server; in virtual_server keepalived
// ignores the value and turns them on. halo honours the value and warns when it is off.
Keyword<VirtualServer> vs_bool(std::string_view name, bool VirtualServer::*member) {
  auto k = kw::boolean(name, member);
  auto parse = k.parse;
  k.parse = [parse, member, name](VirtualServer& vs, const Statement& st) {
    parse(vs, st);
    if (st.size() == 1 && !(vs.*member)) {
      st.warning(st.arg(0), fmt::format("keepalived turns '{}' on whatever its value; halo "
                                        "honours '{}'",
                                        name, st.arg(0).text));
    }
  };
  return std::move(k).note("keepalived ignores the value (always on); halo honours it");
}

// hashed, sh-*, mh-*: flags that only mean something to some schedulers, checked in order.
Keyword<VirtualServer> sched_flag(std::string_view name, bool VirtualServer::*member,
                                  const std::vector<LvsScheduler>& needs) {
  auto k = vs_flag(name, member);
  auto parse = k.parse;
  std::string names;
  for (auto s : needs)
    names += std::string(names.empty() ? "" : "|") + (s == LvsScheduler::Sh ? "sh" : "mh");
  k.parse = [parse, needs, name, names](VirtualServer& vs, const Statement& st) {
    if (!vs.scheduler || std::find(needs.begin(), needs.end(), *vs.scheduler) == needs.end()) {
      st.error(
          fmt::format("'{}' only applies to the {} scheduler (set lvs_sched first)", name, names));
      return;
    }
    parse(vs, st);
  };
  return std::move(k).note(fmt::format("needs lvs_sched {} before it", names));
}

void parse_granularity(VirtualServer& vs, const Statement& st) {
  if (!st.expect_args(1, 1)) return;
  const auto& text = st.arg(0).text;
  bool v6;
  if (vs.kind == VirtualServerKind::Address) {
    v6 = vs.address.is_v6();
  } else if (vs.ip_family) {
    v6 = *vs.ip_family == Family::V6;
  } else {
    v6 = text.find('.') == std::string::npos;
  }
  PersistenceGranularity g;
  if (v6) {
    auto v = kw::parse_integer(text);
    if (!v || *v < 1 || *v > 128) {
      st.error(st.arg(0), fmt::format("'persistence_granularity' value '{}' is not an IPv6 "
                                      "prefix length 1..128",
                                      text));
      return;
    }
    g.prefix_length = static_cast<std::uint8_t>(*v);
  } else {
    auto a = IpAddress::parse(text);
    if (!a || !a->is_v4()) {
      st.error(st.arg(0),
               fmt::format("'persistence_granularity' value '{}' is not an IPv4 netmask", text));
      return;
    }
    g.netmask = *a;
  }
  vs.persistence_granularity = g;
}

const Table<VirtualServer>& virtual_server_table() {
  using V = VirtualServer;
  static const Table<V> table(
      "virtual_server", "one IPVS service and its real servers",
      acted_on<V>(
          {
              kw::custom<V>(
                  "ip_family", "inet|inet6",
                  [](V& vs, const Statement& st) {
                    if (!st.expect_args(1, 1)) return;
                    const auto& f = st.arg(0).text;
                    Family fam;
                    if (f == "inet") {
                      fam = Family::V4;
                    } else if (f == "inet6") {
                      fam = Family::V6;
                    } else {
                      st.error(st.arg(0), fmt::format("'ip_family' takes inet|inet6, not '{}'", f));
                      return;
                    }
                    if (vs.kind == VirtualServerKind::Address && vs.address.family() != fam) {
                      st.error(st.arg(0), fmt::format("'ip_family' {} conflicts with the virtual "
                                                      "server's address {}",
                                                      f, vs.address.to_string()));
                      return;
                    }
                    vs.ip_family = fam;
                  },
                  [](const V& vs, Writer& w) {
                    if (vs.ip_family) {
                      w.statement("ip_family", {*vs.ip_family == Family::V4 ? "inet" : "inet6"});
                    }
                  })
                  .default_text("the servers' family, else inet"),
              kw::integer("retry", &V::retry, 1, 4294967295LL).default_text("1"),
              kw::seconds("delay_before_retry", &V::delay_before_retry, 0, kMaxTimer)
                  .default_text("1 (HTTP/SSL 3, DNS delay_loop)"),
              kw::seconds("warmup", &V::warmup, 0, kMaxTimer).default_text("delay_loop"),
              kw::seconds("connect_timeout", &V::connect_timeout, 0.000001, kMaxConnectTimeout)
                  .default_text("5"),
              kw::seconds("delay_loop", &V::delay_loop, 0.000001, kMaxTimer),
              vs_bool("inhibit_on_failure", &V::inhibit_on_failure),
              kw::enumeration("lvs_sched", &V::scheduler,
                              std::vector<std::pair<std::string_view, LvsScheduler>>{
                                  {"rr", LvsScheduler::Rr},
                                  {"wrr", LvsScheduler::Wrr},
                                  {"lc", LvsScheduler::Lc},
                                  {"wlc", LvsScheduler::Wlc},
                                  {"lblc", LvsScheduler::Lblc},
                                  {"sh", LvsScheduler::Sh},
                                  {"mh", LvsScheduler::Mh},
                                  {"dh", LvsScheduler::Dh},
                                  {"fo", LvsScheduler::Fo},
                                  {"ovf", LvsScheduler::Ovf},
                                  {"lblcr", LvsScheduler::Lblcr},
                                  {"sed", LvsScheduler::Sed},
                                  {"nq", LvsScheduler::Nq},
                                  {"twos", LvsScheduler::Twos}})
                  .alias("lb_algo")
                  .default_text("required (keepalived: error, then wlc)"),
              sched_flag("hashed", &V::hashed, {LvsScheduler::Sh, LvsScheduler::Mh}),
              vs_flag("ops", &V::ops)
                  .note("IPVS one-packet scheduling; the nftables back end refuses it"),
              vs_flag("flag-1", &V::flag_1)
                  .note("IPVS scheduler flag 1 (sh/mh: fallback; nftables hashes healthy servers "
                        "only, so it always falls back)"),
              vs_flag("flag-2", &V::flag_2)
                  .note("IPVS scheduler flag 2 (sh/mh: hash the port too; nftables: for sh)"),
              vs_flag("flag-3", &V::flag_3).note("IPVS scheduler flag 3; nothing for nftables"),
              sched_flag("sh-port", &V::sh_port, {LvsScheduler::Sh}),
              sched_flag("sh-fallback", &V::sh_fallback, {LvsScheduler::Sh}),
              sched_flag("mh-port", &V::mh_port, {LvsScheduler::Mh}),
              sched_flag("mh-fallback", &V::mh_fallback, {LvsScheduler::Mh}),
              forwarding("lvs_method", &V::lvs_method)
                  .alias("lb_kind")
                  .default_text("required (keepalived: error, then NAT)"),
              kw::custom<V>(
                  "persistence_engine", "<NAME>",
                  [](V& vs, const Statement& st) {
                    if (!st.expect_args(1, 1)) return;
                    // IP_VS_PENAME_MAXLEN: 16 with the terminating NUL.
                    if (st.arg(0).text.size() > 15) {
                      st.error(st.arg(0), fmt::format("'persistence_engine' name '{}' is longer "
                                                      "than 15 characters",
                                                      st.arg(0).text));
                      return;
                    }
                    vs.persistence_engine = st.arg(0).text;
                  },
                  [](const V& vs, Writer& w) {
                    if (vs.persistence_engine) {
                      w.statement("persistence_engine", {DumpArg(*vs.persistence_engine, true)});
                    }
                  }),
              kw::custom<V>(
                  "persistence_timeout", fmt::format("[<1..{}>]", kMaxPersistence),
                  [](V& vs, const Statement& st) {
                    if (!st.expect_args(0, 1)) return;
                    if (st.size() == 0) {
                      vs.persistence_timeout = 360;
                      return;
                    }
                    auto v = kw::parse_integer(st.arg(0).text);
                    if (!v || *v < 1 || *v > kMaxPersistence) {
                      st.error(st.arg(0), fmt::format("'persistence_timeout' value {} is out of "
                                                      "range 1..{}",
                                                      st.arg(0).text, kMaxPersistence));
                      return;
                    }
                    vs.persistence_timeout = static_cast<std::uint32_t>(*v);
                  },
                  [](const V& vs, Writer& w) {
                    if (vs.persistence_timeout) {
                      w.statement("persistence_timeout", {*vs.persistence_timeout});
                    }
                  })
                  .default_text("none; 360 when given without a value"),
              kw::custom<V>(
                  "persistence_granularity", "<NETMASK>|<IPv6 PREFIX LENGTH>", parse_granularity,
                  [](const V& vs, Writer& w) {
                    if (!vs.persistence_granularity) return;
                    const auto& g = *vs.persistence_granularity;
                    w.statement("persistence_granularity",
                                {g.netmask ? DumpArg(g.netmask->to_string())
                                           : DumpArg(unsigned{g.prefix_length})});
                  }),
              kw::custom<V>(
                  "protocol", "TCP|UDP|SCTP",
                  [](V& vs, const Statement& st) {
                    if (!st.expect_args(1, 1)) return;
                    std::string p = st.arg(0).text;
                    for (char& c : p)
                      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                    if (p == "TCP") {
                      vs.protocol = LvsProtocol::Tcp;
                    } else if (p == "UDP") {
                      vs.protocol = LvsProtocol::Udp;
                    } else if (p == "SCTP") {
                      vs.protocol = LvsProtocol::Sctp;
                    } else {
                      st.error(st.arg(0), fmt::format("'protocol' takes TCP|UDP|SCTP, not '{}'",
                                                      st.arg(0).text));
                    }
                  },
                  [](const V& vs, Writer& w) {
                    if (!vs.protocol) return;
                    w.statement("protocol", {*vs.protocol == LvsProtocol::Tcp   ? "TCP"
                                             : *vs.protocol == LvsProtocol::Udp ? "UDP"
                                                                                : "SCTP"});
                  })
                  .default_text("required unless fwmark (keepalived: error, then UDP)"),
              vs_flag("ha_suspend", &V::ha_suspend),
              kw::boolean("smtp_alert", &V::smtp_alert)
                  .default_text("global smtp_alert_checker, else smtp_alert, else false"),
              kw::string("virtualhost", &V::virtualhost, "<HOST>"),
              kw::string("snmp_name", &V::snmp_name, "<NAME>")
                  .ignored("halo has no SNMP agent; it exports Prometheus metrics"),
              vs_bool("alpha", &V::alpha),
              vs_flag("omega", &V::omega),
              once_script("quorum_up", &V::quorum_up),
              once_script("quorum_down", &V::quorum_down),
              kw::custom<V>(
                  "quorum", "<1..4294967295>",
                  [](V& vs, const Statement& st) {
                    if (!st.expect_args(1, 1)) return;
                    auto v = kw::parse_integer(st.arg(0).text);
                    if (!v || *v < 1 || *v > 4294967295LL) {
                      // keepalived reports it and uses 1.
                      st.error(st.arg(0), fmt::format("'quorum' value {} is out of range "
                                                      "1..4294967295",
                                                      st.arg(0).text));
                      vs.quorum = 1;
                      return;
                    }
                    vs.quorum = static_cast<std::uint32_t>(*v);
                  },
                  [](const V& vs, Writer& w) {
                    if (vs.quorum != 1)
                      w.statement("quorum", {static_cast<std::int64_t>(vs.quorum)});
                  })
                  .default_text("1"),
              kw::integer("hysteresis", &V::hysteresis, 0, 4294967295LL),
              kw::integer("weight", &V::weight, 1, kMaxWeight),
              kw::custom<V>(
                  "sorry_server", "<IPADDR> [<PORT>]",
                  [](V& vs, const Statement& st) {
                    SorryServer s;
                    s.loc = st.keyword().loc;
                    if (!parse_server_header(st, s.address, s.port)) return;
                    vs.sorry_server = s;
                  },
                  [](const V& vs, Writer& w) {
                    if (vs.sorry_server) {
                      w.statement("sorry_server",
                                  format_server(vs.sorry_server->address, vs.sorry_server->port));
                    }
                  }),
              kw::custom<V>(
                  "sorry_server_inhibit", "",
                  [](V& vs, const Statement& st) {
                    if (!st.expect_args(0, 0)) return;
                    if (!vs.sorry_server) {
                      st.error("'sorry_server_inhibit' needs a sorry_server before it");
                      return;
                    }
                    vs.sorry_server->inhibit = true;
                  },
                  [](const V& vs, Writer& w) {
                    if (vs.sorry_server && vs.sorry_server->inhibit) {
                      w.statement("sorry_server_inhibit", {});
                    }
                  })
                  .note("needs sorry_server before it"),
              kw::custom<V>(
                  "sorry_server_lvs_method", kForwardingSyntax,
                  [](V& vs, const Statement& st) {
                    if (!vs.sorry_server) {
                      st.error("'sorry_server_lvs_method' needs a sorry_server before it");
                      return;
                    }
                    if (auto f = parse_forwarding(st)) vs.sorry_server->lvs_method = *f;
                  },
                  [](const V& vs, Writer& w) {
                    if (vs.sorry_server && vs.sorry_server->lvs_method) {
                      w.statement("sorry_server_lvs_method",
                                  format_forwarding(*vs.sorry_server->lvs_method));
                    }
                  })
                  .default_text("the virtual server's")
                  .note("needs sorry_server before it"),
              kw::blocks<V, RealServer>(
                  "real_server", &V::real_servers, real_server_table, "<IPADDR> [<PORT>]",
                  [](RealServer& rs, const Statement& st) {
                    return parse_server_header(st, rs.address, rs.port);
                  },
                  [](const RealServer& rs) { return format_server(rs.address, rs.port); }),
          },
          {"ip_family",
           "retry",
           "delay_before_retry",
           "warmup",
           "connect_timeout",
           "delay_loop",
           "inhibit_on_failure",
           "lvs_sched",
           "sh-port",
           "sh-fallback",
           "mh-port",
           "mh-fallback",
           "flag-1",
           "flag-2",
           "flag-3",
           "ops",
           "hashed",
           "lvs_method",
           "persistence_timeout",
           "persistence_granularity",
           "protocol",
           "virtualhost",
           "alpha",
           "omega",
           "quorum_up",
           "quorum_down",
           "quorum",
           "hysteresis",
           "sorry_server",
           "sorry_server_inhibit",
           "sorry_server_lvs_method",
           "smtp_alert",
           "real_server"}));
  return table;
}

// `virtual_server <IPADDR> [<PORT>] | fwmark <INT> | group <NAME>`
bool parse_vs_header(VirtualServer& vs, const Statement& st) {
  if (!st.expect_args(1, 2)) return false;
  const auto& first = st.arg(0).text;
  if (first == "fwmark" || first == "group") {
    if (st.size() < 2) {
      st.error(st.arg(0), fmt::format("'virtual_server {}' needs a {}", first,
                                      first == "fwmark" ? "mark" : "virtual_server_group name"));
      return false;
    }
    if (first == "group") {
      vs.kind = VirtualServerKind::Group;
      vs.group = st.arg(1).text;
      return true;
    }
    auto v = kw::parse_integer(st.arg(1).text);
    if (!v || *v < 1 || *v > 4294967295LL) {
      st.error(st.arg(1), fmt::format("'virtual_server fwmark' value {} is out of range "
                                      "1..4294967295",
                                      st.arg(1).text));
      return false;
    }
    vs.kind = VirtualServerKind::Fwmark;
    vs.fwmark = static_cast<std::uint32_t>(*v);
    return true;
  }
  vs.kind = VirtualServerKind::Address;
  return parse_server_header(st, vs.address, vs.port);
}

DumpArgs format_vs_header(const VirtualServer& vs) {
  switch (vs.kind) {
    case VirtualServerKind::Fwmark:
      return {"fwmark", static_cast<std::int64_t>(vs.fwmark)};
    case VirtualServerKind::Group:
      return {"group", DumpArg(vs.group, true)};
    case VirtualServerKind::Address:
      break;
  }
  return format_server(vs.address, vs.port);
}

// ---- virtual_server_group ---------------------------------------------------------------------

// Replaces the last `width` bytes of an address with `value` (big-endian).
void set_tail(IpAddress& a, std::uint64_t value, std::size_t width) {
  auto bytes = a.bytes();
  const std::size_t len = a.is_v4() ? 4 : 16;
  for (std::size_t i = 0; i < width; ++i) {
    bytes[len - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  a = a.is_v4() ? IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]}) : IpAddress::v6(bytes);
}

// `<IPADDR>`, `<IPADDR>-<LAST OCTET|GROUP>`, `<IPADDR>-<IPADDR>` or `<IPADDR>/<LEN>`.
std::optional<VsgAddressRange> parse_vsg_range(const Statement& st) {
  const Token& tok = st.keyword();
  const std::string& text = tok.text;
  VsgAddressRange r;
  r.loc = tok.loc;
  auto bad = [&](std::string why) {
    st.error(tok, fmt::format("virtual_server_group entry '{}' {}", text, why));
    return std::nullopt;
  };
  if (auto slash = text.find('/'); slash != std::string::npos) {
    auto p = IpPrefix::parse(text);
    if (!p) return bad("is not an address or prefix");
    r.first = p->address;
    auto bytes = p->address.bytes();
    const unsigned bits = p->address.is_v4() ? 32 : 128;
    for (unsigned b = p->length; b < bits; ++b)
      bytes[b / 8] |= static_cast<std::uint8_t>(0x80 >> (b % 8));
    r.last = p->address.is_v4() ? IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]})
                                : IpAddress::v6(bytes);
  } else if (auto dash = text.find('-'); dash != std::string::npos) {
    auto a = IpAddress::parse(std::string_view(text).substr(0, dash));
    if (!a) return bad("does not start with a valid IP address");
    r.first = *a;
    auto tail = std::string_view(text).substr(dash + 1);
    if (auto full = IpAddress::parse(tail)) {
      if (full->family() != a->family()) return bad("mixes IPv4 and IPv6");
      r.last = *full;
    } else {
      std::uint64_t v = 0;
      const bool v4 = a->is_v4();
      const auto* end = tail.data() + tail.size();
      auto [p, ec] = std::from_chars(tail.data(), end, v, v4 ? 10 : 16);
      if (tail.empty() || ec != std::errc{} || p != end || v > (v4 ? 255u : 0xffffu)) {
        return bad("has an invalid range end");
      }
      r.last = *a;
      set_tail(r.last, v, v4 ? 1 : 2);
    }
    if (!(r.first < r.last)) return bad("does not end after it starts");
  } else {
    auto a = IpAddress::parse(text);
    if (!a) return bad("is not a valid IP address");
    r.first = r.last = *a;
  }
  if (!st.expect_args(0, 1)) return std::nullopt;
  if (st.size() == 1) {
    auto p = parse_port(st, st.arg(0), 1);
    if (!p) return std::nullopt;
    r.port = *p;
  }
  return r;
}

std::string format_vsg_range(const VsgAddressRange& r) {
  if (r.first == r.last) return r.first.to_string();
  const auto& a = r.first.bytes();
  const auto& b = r.last.bytes();
  if (r.first.is_v4() && std::equal(a.begin(), a.begin() + 3, b.begin())) {
    return r.first.to_string() + "-" + std::to_string(b[3]);
  }
  if (r.first.is_v6() && std::equal(a.begin(), a.begin() + 14, b.begin())) {
    return r.first.to_string() + "-" + fmt::format("{:x}", (b[14] << 8) | b[15]);
  }
  return r.first.to_string() + "-" + r.last.to_string();
}

void parse_vsg_item(VirtualServerGroup& g, const Statement& st) {
  if (st.keyword().text == "fwmark") {
    if (!st.expect_args(1, 2)) return;
    VsgFwmark f;
    f.loc = st.keyword().loc;
    auto v = kw::parse_integer(st.arg(0).text);
    if (!v || *v < 0 || *v > 4294967295LL) {
      st.error(st.arg(0),
               fmt::format("'fwmark' value {} is out of range 0..4294967295", st.arg(0).text));
      return;
    }
    f.mark = static_cast<std::uint32_t>(*v);
    if (st.size() > 1) {
      if (st.arg(1).text == "inet") {
        f.family = Family::V4;
      } else if (st.arg(1).text == "inet6") {
        f.family = Family::V6;
      } else {
        st.error(st.arg(1), fmt::format("'fwmark' family is inet|inet6, not '{}'", st.arg(1).text));
        return;
      }
    }
    g.fwmarks.push_back(f);
    return;
  }
  if (auto r = parse_vsg_range(st)) g.ranges.push_back(*r);
}

Keyword<LvsConfig> virtual_server_group_keyword() {
  return kw::custom<LvsConfig>(
      "virtual_server_group",
      "<NAME> { <IPADDR>[-<END>|/<LEN>] [<PORT>] ... fwmark <INT> [inet|inet6] ... }",
      [](LvsConfig& c, const Statement& st) {
        VirtualServerGroup g;
        g.loc = st.keyword().loc;
        const bool ok = st.expect_args(1, 1);
        if (ok) g.name = st.arg(0).text;
        if (!st.has_block()) {
          st.error("'virtual_server_group' needs a { } block");
          return;
        }
        st.parser().parse_list(st, [&](const Statement& item) { parse_vsg_item(g, item); });
        if (!ok) return;
        if (g.ranges.empty() && g.fwmarks.empty()) {
          st.error(st.arg(0), fmt::format("virtual_server_group '{}' has no entries", g.name));
          return;
        }
        c.virtual_server_groups.push_back(std::move(g));
      },
      [](const LvsConfig& c, Writer& w) {
        for (const auto& g : c.virtual_server_groups) {
          w.begin_block("virtual_server_group", {DumpArg(g.name, true)});
          for (const auto& r : g.ranges) {
            DumpArgs args{format_vsg_range(r)};
            if (r.port) args.emplace_back(static_cast<unsigned>(r.port));
            w.item(args);
          }
          for (const auto& f : g.fwmarks) {
            DumpArgs args{"fwmark", static_cast<std::int64_t>(f.mark)};
            if (f.family) args.emplace_back(*f.family == Family::V4 ? "inet" : "inet6");
            w.item(args);
          }
          w.end_block();
        }
      });
}

}  // namespace

const Table<LvsConfig>& lvs_top_table() {
  static const Table<LvsConfig> table = [] {
    auto vsg = virtual_server_group_keyword();
    vsg.info.block = true;
    vsg.info.support = Support::Acted;
    return Table<LvsConfig>(
        "top level: load balancing", "LVS blocks",
        {
            // bfd_instance first: keepalived wants it before the BFD_CHECK naming it.
            kw::named_blocks("bfd_instance", &LvsConfig::bfd_instances, bfd_instance_table),
            std::move(vsg),
            kw::blocks<LvsConfig, VirtualServer>("virtual_server", &LvsConfig::virtual_servers,
                                                 virtual_server_table,
                                                 "<IPADDR> [<PORT>] | fwmark <INT> | group <NAME>",
                                                 parse_vs_header, format_vs_header)
                .acted(),
        });
  }();
  return table;
}

std::vector<const TableInfo*> lvs_tables() {
  std::vector<const TableInfo*> out{&lvs_top_table(), &virtual_server_table(),
                                    &real_server_table()};
  for (auto* t : checker_tables()) out.push_back(t);
  out.push_back(&bfd_instance_table());
  return out;
}

}  // namespace halo::config
