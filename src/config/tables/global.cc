// Keyword tables of the host-wide blocks (see model/global.h).
//
// Ranges and defaults follow keepalived 2.2.7 as `keepalived -t` enforces them (the man page
// is silent on most ranges; each was probed). Where keepalived ignores words after a value,
// halo warns about them instead of failing, so both agree on pass/fail.
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <unistd.h>

#include <limits>

#include "config/fields.h"
#include "config/tables/global_ip_items.h"
#include "config/tables/tables.h"

namespace halo::config {
namespace {

// ---- codecs ---------------------------------------------------------------------------------

// A codec that tolerates (and warns about) words after its value, as keepalived does.
template <class C>
struct Lenient : C {
  std::size_t max_args() const { return std::numeric_limits<std::size_t>::max(); }
  auto parse(const Statement& st) const {
    const std::size_t limit = C::max_args();
    if (st.size() > limit) {
      st.warning(st.arg(limit),
                 fmt::format("extra values after '{}' are ignored",
                             limit == 0 ? st.keyword().text : st.arg(limit - 1).text));
    }
    return C::parse(st);
  }
};

template <class T, class M>
Keyword<T> lenient_integer(std::string_view name, M T::*member, std::int64_t min,
                           std::int64_t max) {
  using V = typename kw::OptionalTraits<M>::type;
  return kw::value(name, member, Lenient<kw::IntegerCodec<V>>{{min, max}});
}

template <class T, class M>
Keyword<T> lenient_string(std::string_view name, M T::*member, std::string placeholder) {
  return kw::value(name, member, Lenient<kw::StringCodec>{{std::move(placeholder)}});
}

template <class T, class M>
Keyword<T> lenient_bool(std::string_view name, M T::*member) {
  return kw::value(name, member, Lenient<kw::BoolCodec>{});
}

template <class T>
Keyword<T> lenient_flag(std::string_view name, bool T::*member) {
  return kw::value(name, member, Lenient<kw::FlagCodec>{});
}

template <class T, class M>
Keyword<T> seconds(std::string_view name, M T::*member, std::int64_t min_us, std::int64_t max_us) {
  return kw::value(name, member, Lenient<kw::DurationCodec>{{Duration(min_us), Duration(max_us)}});
}

// ---- helpers for hand-written keywords ------------------------------------------------------

bool user_exists(const std::string& name) {
  return getpwnam(name.c_str()) != nullptr;
}
bool group_exists(const std::string& name) {
  return getgrnam(name.c_str()) != nullptr;
}

// `FIFO [username [groupname]]`; keepalived does not check the user or group here.
Keyword<GlobalDefs> fifo(std::string_view name, std::optional<FifoSpec> GlobalDefs::*member) {
  return kw::custom<GlobalDefs>(
      name, "<FIFO_PATH> [<USER> [<GROUP>]]",
      [member](GlobalDefs& g, const Statement& st) {
        if (!st.expect_args(1, std::numeric_limits<std::size_t>::max())) return;
        if (st.size() > 3) st.warning(st.arg(3), "extra values after the group are ignored");
        FifoSpec f;
        f.path = st.arg(0).text;
        if (st.size() > 1) {
          f.user = st.arg(1).text;
          if (!user_exists(*f.user)) {
            st.warning(st.arg(1), fmt::format("user '{}' does not exist", *f.user));
          }
        }
        if (st.size() > 2) {
          f.group = st.arg(2).text;
          if (!group_exists(*f.group)) {
            st.warning(st.arg(2), fmt::format("group '{}' does not exist", *f.group));
          }
        }
        g.*member = std::move(f);
      },
      [member, name](const GlobalDefs& g, Writer& w) {
        const auto& f = g.*member;
        if (!f) return;
        DumpArgs args{DumpArg(f->path, true)};
        if (f->user) args.emplace_back(*f->user);
        if (f->group) args.emplace_back(*f->group);
        w.statement(name, args);
      });
}

// `<KEYWORD> <CPU> [<CPU>]...`: CPU numbers that exist on this host.
Keyword<GlobalDefs> cpu_affinity(std::string_view name,
                                 std::vector<std::uint16_t> GlobalDefs::*member) {
  return kw::custom<GlobalDefs>(
             name, "<CPU> [<CPU>]...",
             [member](GlobalDefs& g, const Statement& st) {
               if (!st.expect_args(1, 1024)) return;
               const long cpus = sysconf(_SC_NPROCESSORS_CONF);
               const std::int64_t max = cpus > 0 ? cpus - 1 : 0;
               std::vector<std::uint16_t> out;
               for (std::size_t i = 0; i < st.size(); ++i) {
                 if (auto v = kw::integer_arg(st, st.arg(i), st.keyword().text, 0, max)) {
                   out.push_back(static_cast<std::uint16_t>(*v));
                 } else {
                   return;
                 }
               }
               g.*member = std::move(out);
             },
             [member, name](const GlobalDefs& g, Writer& w) {
               if ((g.*member).empty()) return;
               DumpArgs args;
               for (auto c : g.*member) args.emplace_back(unsigned{c});
               w.statement(name, args);
             })
      .note("CPUs are checked against this host's CPU count");
}

// `<KEYWORD> [<NAME>]`: an optional string whose bare form means "the default".
template <class T>
Keyword<T> optional_word(std::string_view name, std::optional<std::string> T::*member,
                         std::string syntax, const std::string& bare_value) {
  return kw::custom<T>(
      name, std::move(syntax),
      [member, bare_value](T& t, const Statement& st) {
        if (st.size() > 1) {
          st.warning(st.arg(1), fmt::format("extra values after '{}' are ignored", st.arg(0).text));
        }
        t.*member = st.size() > 0 ? st.arg(0).text : bare_value;
      },
      [member, name, bare_value](const T& t, Writer& w) {
        if (!(t.*member)) return;
        if (*(t.*member) == bare_value) {
          w.statement(name, {});
        } else {
          w.statement(name, {DumpArg(*(t.*member), true)});
        }
      });
}

// ---- hand-written keywords ------------------------------------------------------------------

// keepalived silently ignores a bare `smtp_helo_name`.
Keyword<GlobalDefs> optional_helo() {
  auto k = lenient_string("smtp_helo_name", &GlobalDefs::smtp_helo_name, "<STRING>");
  k.parse = [inner = std::move(k.parse)](GlobalDefs& g, const Statement& st) {
    if (st.size() == 0) {
      st.warning(st.keyword(), "'smtp_helo_name' without a name is ignored");
      return;
    }
    inner(g, st);
  };
  return k;
}

void parse_smtp_server(GlobalDefs& g, const Statement& st) {
  if (!st.expect_args(1, std::numeric_limits<std::size_t>::max())) return;
  if (st.size() > 2) st.warning(st.arg(2), "extra values after the port are ignored");
  SmtpServer s;
  s.host = st.arg(0).text;
  if (st.size() > 1) {
    auto port = kw::integer_arg(st, st.arg(1), "smtp_server port", 1, 65535);
    if (!port) return;
    s.port = static_cast<std::uint16_t>(*port);
  }
  if (!IpAddress::parse(s.host)) {
    // keepalived resolves a host name at once and fails the configuration when it cannot.
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const bool bad = s.host.find('/') != std::string::npos ||
                     getaddrinfo(s.host.c_str(), nullptr, &hints, &res) != 0;
    if (res) freeaddrinfo(res);
    if (bad) {
      st.error(st.arg(0), fmt::format("smtp_server '{}' is not an IP address or a host name "
                                      "that resolves",
                                      s.host));
      return;
    }
  }
  g.smtp_server = std::move(s);
}

void dump_smtp_server(const GlobalDefs& g, Writer& w) {
  if (!g.smtp_server) return;
  DumpArgs args{DumpArg(g.smtp_server->host)};
  if (g.smtp_server->port != 25) args.emplace_back(unsigned{g.smtp_server->port});
  w.statement("smtp_server", args);
}

void parse_mcast_group(std::optional<IpAddress>& out, Family family, const Statement& st) {
  if (st.size() == 0) {
    st.expect_args(1, 1);
    return;
  }
  if (st.size() > 1) st.warning(st.arg(1), "extra values after the address are ignored");
  auto a = IpAddress::parse(st.arg(0).text);
  if (!a) {
    st.error(st.arg(0), fmt::format("'{}' is not a valid IP address", st.arg(0).text));
  } else if (a->family() != family) {
    st.error(st.arg(0), fmt::format("'{}' needs an {} address, not '{}'", st.keyword().text,
                                    family == Family::V4 ? "IPv4" : "IPv6", st.arg(0).text));
  } else if (!a->is_multicast()) {
    st.error(st.arg(0),
             fmt::format("'{}' address {} is not multicast", st.keyword().text, st.arg(0).text));
  } else {
    out = a;
  }
}

Keyword<GlobalDefs> mcast_group(std::string_view name, IpAddress GlobalDefs::*member,
                                Family family) {
  Keyword<GlobalDefs> k = kw::custom<GlobalDefs>(
      name, "<IPADDR>",
      [member, family](GlobalDefs& g, const Statement& st) {
        std::optional<IpAddress> a;
        parse_mcast_group(a, family, st);
        if (a) g.*member = *a;
      },
      [member, name](const GlobalDefs& g, Writer& w) {
        if (g.*member != kw::defaults<GlobalDefs>().*member) {
          w.statement(name, {(g.*member).to_string()});
        }
      });
  k.info.default_text = (kw::defaults<GlobalDefs>().*member).to_string();
  return k;
}

void parse_lvs_sync_daemon(GlobalDefs& g, const Statement& st) {
  if (st.size() == 0) {
    st.error("'lvs_sync_daemon' needs an interface");
    return;
  }
  if (g.lvs_sync_daemon) {
    st.warning(st.keyword(), "'lvs_sync_daemon' was already given; this one is ignored");
    return;
  }
  LvsSyncDaemon d;
  d.interface = st.arg(0).text;
  bool ok = true;
  std::size_t i = 1;
  auto option = [&](std::string_view opt) { return i < st.size() && st.arg(i).text == opt; };
  // [[inst] <VRRP_INSTANCE>]: a word that is not one of the options below.
  auto is_option = [](std::string_view w) {
    return w == "id" || w == "maxlen" || w == "port" || w == "ttl" || w == "group";
  };
  if (option("inst")) {
    if (i + 1 >= st.size()) {
      st.error(st.arg(i), "'inst' needs a VRRP instance name");
      return;
    }
    d.instance = st.arg(i + 1).text;
    i += 2;
  } else if (i < st.size() && !is_option(st.arg(i).text)) {
    d.instance = st.arg(i).text;
    ++i;
  }
  while (i < st.size()) {
    const auto& opt = st.arg(i);
    if (!is_option(opt.text)) {
      // keepalived reads a stray word here as the old positional sync id.
      st.error(opt, fmt::format("'lvs_sync_daemon' option '{}' is not known (id, maxlen, port, "
                                "ttl, group)",
                                opt.text));
      ok = false;
      ++i;
      continue;
    }
    if (i + 1 >= st.size()) {
      st.error(opt, fmt::format("'{}' needs a value", opt.text));
      ok = false;
      break;
    }
    const std::size_t v = i + 1;
    if (opt.text == "id") {
      if (auto n = kw::integer_arg(st, st.arg(v), "lvs_sync_daemon id", 0, 255)) {
        d.sync_id = static_cast<std::uint8_t>(*n);
      } else {
        ok = false;
      }
    } else if (opt.text == "maxlen") {
      if (auto n = kw::integer_arg(st, st.arg(v), "lvs_sync_daemon maxlen", 1, 65507)) {
        d.maxlen = static_cast<std::uint16_t>(*n);
      } else {
        ok = false;
      }
    } else if (opt.text == "port") {
      if (auto n = kw::integer_arg(st, st.arg(v), "lvs_sync_daemon port", 1, 65535)) {
        d.port = static_cast<std::uint16_t>(*n);
      } else {
        ok = false;
      }
    } else if (opt.text == "ttl") {
      if (auto n = kw::integer_arg(st, st.arg(v), "lvs_sync_daemon ttl", 1, 255)) {
        d.ttl = static_cast<std::uint8_t>(*n);
      } else {
        ok = false;
      }
    } else {
      auto a = IpAddress::parse(st.arg(v).text);
      if (!a) {
        st.error(st.arg(v), fmt::format("'{}' is not a valid IP address", st.arg(v).text));
        ok = false;
      } else if (!a->is_multicast()) {
        st.error(st.arg(v),
                 fmt::format("lvs_sync_daemon group address {} is not multicast", st.arg(v).text));
        ok = false;
      } else {
        d.group = *a;
      }
    }
    i += 2;
  }
  if (ok) g.lvs_sync_daemon = std::move(d);
}

void dump_lvs_sync_daemon(const GlobalDefs& g, Writer& w) {
  if (!g.lvs_sync_daemon) return;
  const auto& d = *g.lvs_sync_daemon;
  DumpArgs args{DumpArg(d.interface)};
  if (!d.instance.empty()) {
    args.emplace_back("inst");
    args.emplace_back(d.instance);
  }
  if (d.sync_id) args.insert(args.end(), {"id", unsigned{*d.sync_id}});
  if (d.maxlen) args.insert(args.end(), {"maxlen", unsigned{*d.maxlen}});
  if (d.port) args.insert(args.end(), {"port", unsigned{*d.port}});
  if (d.ttl) args.insert(args.end(), {"ttl", unsigned{*d.ttl}});
  if (d.group) args.insert(args.end(), {"group", d.group->to_string()});
  w.statement("lvs_sync_daemon", args);
}

void parse_lvs_timeouts(GlobalDefs& g, const Statement& st) {
  LvsTimeouts t;
  bool ok = true, any = false;
  for (std::size_t i = 0; i < st.size(); ++i) {
    const auto& opt = st.arg(i);
    std::optional<std::uint32_t>* slot = opt.text == "tcp"      ? &t.tcp
                                         : opt.text == "tcpfin" ? &t.tcpfin
                                         : opt.text == "udp"    ? &t.udp
                                                                : nullptr;
    if (slot == nullptr) {
      st.error(opt,
               fmt::format("'lvs_timeouts' option '{}' is not known (tcp, tcpfin, udp)", opt.text));
      ok = false;
      continue;
    }
    if (i + 1 >= st.size()) break;  // keepalived ignores a trailing option with no value
    // 31 days, IPVS's limit.
    if (auto v = kw::integer_arg(st, st.arg(i + 1), fmt::format("lvs_timeouts {}", opt.text), 0,
                                 2678400)) {
      *slot = static_cast<std::uint32_t>(*v);
      any = true;
    } else {
      ok = false;
    }
    ++i;
  }
  if (!any && ok) {
    st.error("'lvs_timeouts' needs at least one of tcp, tcpfin, udp with a value");
    return;
  }
  if (ok) g.lvs_timeouts = t;
}

void dump_lvs_timeouts(const GlobalDefs& g, Writer& w) {
  if (!g.lvs_timeouts) return;
  DumpArgs args;
  const auto& t = *g.lvs_timeouts;
  if (t.tcp) args.insert(args.end(), {"tcp", static_cast<std::int64_t>(*t.tcp)});
  if (t.tcpfin) args.insert(args.end(), {"tcpfin", static_cast<std::int64_t>(*t.tcpfin)});
  if (t.udp) args.insert(args.end(), {"udp", static_cast<std::int64_t>(*t.udp)});
  w.statement("lvs_timeouts", args);
}

void parse_garp_extra_if(GlobalDefs& g, const Statement& st) {
  GarpExtraIf e;
  std::size_t i = 0;
  if (i < st.size() && st.arg(i).text == "all") {
    e.all = true;
    ++i;
  }
  if (i >= st.size()) {
    st.error("'vrrp_garp_extra_if' needs an interval in seconds");
    return;
  }
  if (i + 1 < st.size()) st.warning(st.arg(i + 1), "extra values after the interval are ignored");
  if (auto v = kw::integer_arg(st, st.arg(i), "vrrp_garp_extra_if", 1, 86400)) {
    e.interval = static_cast<std::uint32_t>(*v);
    g.vrrp_garp_extra_if = e;
  }
}

// `vrrp_vip_lifetime <SECONDS>|forever` (halo's own).
void parse_vip_lifetime(GlobalDefs& g, const Statement& st) {
  if (!st.expect_args(1, 1)) return;
  if (st.arg(0).text == "forever") {
    g.vrrp_vip_lifetime = GlobalDefs::kVipLifetimeForever;
    return;
  }
  if (auto v = kw::integer_arg(st, st.arg(0), "vrrp_vip_lifetime", 1, 86400)) {
    g.vrrp_vip_lifetime = static_cast<std::uint32_t>(*v);
  }
}

void dump_vip_lifetime(const GlobalDefs& g, Writer& w) {
  if (g.vrrp_vip_lifetime == GlobalDefs{}.vrrp_vip_lifetime) return;
  DumpArgs args;
  if (g.vrrp_vip_lifetime == GlobalDefs::kVipLifetimeForever) {
    args.emplace_back("forever");
  } else {
    args.emplace_back(static_cast<std::int64_t>(g.vrrp_vip_lifetime));
  }
  w.statement("vrrp_vip_lifetime", args);
}

void dump_garp_extra_if(const GlobalDefs& g, Writer& w) {
  if (!g.vrrp_garp_extra_if) return;
  DumpArgs args;
  if (g.vrrp_garp_extra_if->all) args.emplace_back("all");
  args.emplace_back(static_cast<std::int64_t>(g.vrrp_garp_extra_if->interval));
  w.statement("vrrp_garp_extra_if", args);
}

void parse_script_user(GlobalDefs& g, const Statement& st) {
  if (!st.expect_args(1, std::numeric_limits<std::size_t>::max())) return;
  if (st.size() > 2) st.warning(st.arg(2), "extra values after the group are ignored");
  const auto& user = st.arg(0).text;
  if (!user_exists(user)) {
    st.error(st.arg(0), fmt::format("script_user '{}' does not exist", user));
    return;
  }
  if (st.size() > 1 && !group_exists(st.arg(1).text)) {
    st.error(st.arg(1), fmt::format("script_user group '{}' does not exist", st.arg(1).text));
    return;
  }
  g.script_user = user;
  g.script_group.reset();
  if (st.size() > 1) g.script_group = st.arg(1).text;
}

void dump_script_user(const GlobalDefs& g, Writer& w) {
  if (!g.script_user) return;
  DumpArgs args{DumpArg(*g.script_user)};
  if (g.script_group) args.emplace_back(*g.script_group);
  w.statement("script_user", args);
}

void parse_max_auto_priority(GlobalDefs& g, const Statement& st) {
  if (st.size() == 0) {
    g.max_auto_priority = 99;  // sched_get_priority_max(SCHED_RR)
    return;
  }
  if (st.size() > 1) st.warning(st.arg(1), "extra values after the priority are ignored");
  if (auto v = kw::integer_arg(st, st.arg(0), "max_auto_priority", -1, 99)) {
    g.max_auto_priority = static_cast<std::int8_t>(*v);
  }
}

void dump_max_auto_priority(const GlobalDefs& g, Writer& w) {
  if (g.max_auto_priority) w.statement("max_auto_priority", {int{*g.max_auto_priority}});
}

void parse_dynamic_interfaces(GlobalDefs& g, const Statement& st) {
  if (st.size() > 0 && st.arg(0).text != "allow_if_changes") {
    st.error(st.arg(0), fmt::format("'dynamic_interfaces' takes only 'allow_if_changes', not '{}'",
                                    st.arg(0).text));
    return;
  }
  if (st.size() > 1) st.warning(st.arg(1), "extra values after 'allow_if_changes' are ignored");
  g.dynamic_interfaces = true;
  if (st.size() > 0) g.allow_if_changes = true;
}

void dump_dynamic_interfaces(const GlobalDefs& g, Writer& w) {
  if (!g.dynamic_interfaces) return;
  w.statement("dynamic_interfaces", g.allow_if_changes ? DumpArgs{"allow_if_changes"} : DumpArgs{});
}

void parse_rx_bufs_policy(GlobalDefs& g, const Statement& st) {
  if (!st.expect_args(1, 1)) return;
  const auto& t = st.arg(0).text;
  // keepalived compares the names without regard to case.
  auto iequals = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::toupper(static_cast<unsigned char>(x)) == y;
           });
  };
  if (iequals(t, "MTU")) {
    g.vrrp_rx_bufs_policy = RxBufsPolicy{RxBufsPolicyKind::Mtu, 0};
  } else if (iequals(t, "ADVERT")) {
    g.vrrp_rx_bufs_policy = RxBufsPolicy{RxBufsPolicyKind::Advert, 0};
  } else {
    auto v = kw::parse_integer(t);
    if (!v || *v < 0 || *v > 0xffffffffLL) {
      st.error(st.arg(0),
               fmt::format("'vrrp_rx_bufs_policy' takes MTU|ADVERT|<BYTES>, not '{}'", t));
      return;
    }
    g.vrrp_rx_bufs_policy = RxBufsPolicy{RxBufsPolicyKind::Size, static_cast<std::uint32_t>(*v)};
  }
}

void dump_rx_bufs_policy(const GlobalDefs& g, Writer& w) {
  if (!g.vrrp_rx_bufs_policy) return;
  const auto& p = *g.vrrp_rx_bufs_policy;
  switch (p.kind) {
    case RxBufsPolicyKind::Mtu:
      w.statement("vrrp_rx_bufs_policy", {"MTU"});
      break;
    case RxBufsPolicyKind::Advert:
      w.statement("vrrp_rx_bufs_policy", {"ADVERT"});
      break;
    case RxBufsPolicyKind::Size:
      w.statement("vrrp_rx_bufs_policy", {static_cast<std::int64_t>(p.size)});
      break;
  }
}

// `umask 022` (octal with a leading 0, hex with 0x, else decimal) or `umask IWGRP|IWOTH`
// (the bits may be spread over several words: `IWGRP | IWOTH`).
void parse_umask(GlobalDefs& g, const Statement& st) {
  if (!st.expect_args(1, 64)) return;
  const std::string_view first = st.arg(0).text;
  if (!first.empty() && first[0] >= '0' && first[0] <= '9') {
    int base = 10;
    std::string_view digits = first;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
      base = 16;
      digits.remove_prefix(2);
    } else if (digits.size() > 1 && digits[0] == '0') {
      base = 8;
      digits.remove_prefix(1);
    }
    unsigned v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (ec != std::errc{} || p != digits.data() + digits.size() || v > 0777) {
      st.error(st.arg(0), fmt::format("'umask' value '{}' is not a mode within 0..0777", first));
      return;
    }
    if (st.size() > 1) {
      st.error(st.arg(1), "'umask' takes one number; extra values are not allowed");
      return;
    }
    g.umask = static_cast<std::uint16_t>(v);
    return;
  }
  static constexpr std::pair<std::string_view, unsigned> kBits[] = {
      {"IRUSR", 0400}, {"IWUSR", 0200}, {"IXUSR", 0100}, {"IRGRP", 040}, {"IWGRP", 020},
      {"IXGRP", 010},  {"IROTH", 04},   {"IWOTH", 02},   {"IXOTH", 01}};
  // The words are one expression: "IWGRP | IWOTH" is "IWGRP|IWOTH".
  std::string expr;
  for (const auto& tok : st.args()) expr += tok.text;
  unsigned mask = 0;
  std::string_view rest = expr;
  for (;;) {
    const auto bar = rest.find('|');
    const auto word = rest.substr(0, bar);
    if (word.empty()) {
      st.error(st.arg(0), "'umask' is missing a bit name around '|'");
      return;
    }
    bool found = false;
    for (const auto& [n, b] : kBits) {
      if (word == n) {
        mask |= b;
        found = true;
      }
    }
    if (!found) {
      st.error(st.arg(0),
               fmt::format("'umask' bit '{}' is not known (I{{R|W|X}}{{USR|GRP|OTH}})", word));
      return;
    }
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 1);
  }
  g.umask = static_cast<std::uint16_t>(mask);
}

void dump_umask(const GlobalDefs& g, Writer& w) {
  if (g.umask) w.statement("umask", {fmt::format("0{:o}", *g.umask)});
}

void parse_lvs_flush_on_stop(GlobalDefs& g, const Statement& st) {
  if (st.size() > 0 && st.arg(0).text != "VS") {
    st.error(st.arg(0),
             fmt::format("'lvs_flush_on_stop' takes only 'VS', not '{}'", st.arg(0).text));
    return;
  }
  if (st.size() > 1) st.warning(st.arg(1), "extra values after 'VS' are ignored");
  g.lvs_flush_on_stop = st.size() > 0;
}

// `control_socket_mode <MODE>`: an octal mode for the socket file.
void parse_control_socket_mode(GlobalDefs& g, const Statement& st) {
  if (!st.expect_args(1, 1)) return;
  const std::string_view text = st.arg(0).text;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 8);
  if (ec != std::errc{} || p != text.data() + text.size() || v > 0777) {
    st.error(st.arg(0), fmt::format("'control_socket_mode' value '{}' is not an octal mode "
                                    "within 0..0777",
                                    text));
    return;
  }
  g.control_socket_mode = static_cast<std::uint16_t>(v);
}

void dump_control_socket_mode(const GlobalDefs& g, Writer& w) {
  if (g.control_socket_mode != GlobalDefs{}.control_socket_mode) {
    w.statement("control_socket_mode", {fmt::format("0{:o}", g.control_socket_mode)});
  }
}

// `control_socket_owner <USER> [<GROUP>]`: both must exist now (halod chowns the socket).
void parse_control_socket_owner(GlobalDefs& g, const Statement& st) {
  if (!st.expect_args(1, 2)) return;
  const std::string user(st.arg(0).text);
  if (!user_exists(user)) {
    st.error(st.arg(0), fmt::format("control_socket_owner: no user '{}'", user));
    return;
  }
  if (st.size() > 1) {
    const std::string group(st.arg(1).text);
    if (!group_exists(group)) {
      st.error(st.arg(1), fmt::format("control_socket_owner: no group '{}'", group));
      return;
    }
    g.control_socket_group = group;
  }
  g.control_socket_owner = user;
}

void dump_control_socket_owner(const GlobalDefs& g, Writer& w) {
  if (!g.control_socket_owner) return;
  DumpArgs args{*g.control_socket_owner};
  if (g.control_socket_group) args.emplace_back(*g.control_socket_group);
  w.statement("control_socket_owner", args);
}

// `metrics_listen <ADDRESS> [<PORT>]`.
void parse_metrics_listen(GlobalDefs& g, const Statement& st) {
  if (!st.expect_args(1, 2)) return;
  auto address = IpAddress::parse(st.arg(0).text);
  if (!address) {
    st.error(st.arg(0), fmt::format("metrics_listen: '{}' is not an IP address", st.arg(0).text));
    return;
  }
  GlobalDefs::MetricsListen m{*address};
  if (st.size() > 1) {
    const auto port = kw::parse_integer(st.arg(1).text);
    if (!port || *port < 1 || *port > 65535) {
      st.error(st.arg(1),
               fmt::format("metrics_listen: port '{}' is not within 1..65535", st.arg(1).text));
      return;
    }
    m.port = static_cast<std::uint16_t>(*port);
  }
  g.metrics_listen = m;
}

void dump_metrics_listen(const GlobalDefs& g, Writer& w) {
  if (!g.metrics_listen) return;
  w.statement("metrics_listen", {g.metrics_listen->address.to_string(),
                                 static_cast<std::int64_t>(g.metrics_listen->port)});
}

void dump_lvs_flush_on_stop(const GlobalDefs& g, Writer& w) {
  if (!g.lvs_flush_on_stop) return;
  w.statement("lvs_flush_on_stop", *g.lvs_flush_on_stop ? DumpArgs{"VS"} : DumpArgs{});
}

// keepalived 2.2.7 refuses `readable` (its table misses the name) and any option after the
// first that has no '+' or '-' ("duplicate"); both fail -t, so we refuse them too.
void parse_include_check(GlobalDefs& g, const Statement& st) {
  IncludeCheck c;
  for (std::size_t i = 0; i < st.size(); ++i) {
    const auto& tok = st.arg(i);
    std::string_view w = tok.text;
    const bool prefixed = !w.empty() && (w[0] == '+' || w[0] == '-');
    if (prefixed) w.remove_prefix(1);
    if (w == "readable") {
      st.error(tok,
               "'include_check readable' fails in keepalived 2.2.7; match, wildcard_match "
               "and brace_match include the readable check");
      return;
    }
    if (w != "match" && w != "wildcard_match" && w != "brace_match") {
      st.error(tok, fmt::format("'include_check' option '{}' is not known (match, "
                                "wildcard_match, brace_match)",
                                tok.text));
      return;
    }
    if (i > 0 && !prefixed) {
      st.error(tok, fmt::format("'include_check' options after the first need '+' or '-' "
                                "('+{}'), as keepalived 2.2.7 requires",
                                w));
      return;
    }
    c.options.push_back(tok.text);
  }
  g.include_check = std::move(c);
}

void dump_include_check(const GlobalDefs& g, Writer& w) {
  if (!g.include_check) return;
  DumpArgs args;
  for (const auto& o : g.include_check->options) args.emplace_back(o);
  w.statement("include_check", args);
}

// `nftables [TABLE]` and `nftables_ipvs [TABLE]`; the bare keyword means table "keepalived".
Keyword<GlobalDefs> nftables(std::string_view name, std::optional<std::string> GlobalDefs::*m) {
  auto k = optional_word<GlobalDefs>(name, m, "[<TABLE>]", "keepalived");
  k.info.default_text = "off; bare keyword: keepalived";
  return k;
}

// keepalived 2.2.7 as Debian builds it has no iptables/ipset support: `vrrp_iptables` fails
// `-t` (it falls back to nftables), `vrrp_ipsets` is an unknown keyword.
constexpr std::string_view kNoIptables =
    "keepalived 2.2.7 is built without iptables/ipset support and fails -t here too; use "
    "'nftables'";

const Table<GlobalDefs>& global_defs_table() {
  using G = GlobalDefs;
  constexpr std::int64_t kU32 = 0xffffffffLL;
  constexpr std::string_view kPerProcess =
      "halo is one process: keepalived's checker and BFD child settings do not apply; the "
      "vrrp_ ones apply to halo";
  constexpr std::string_view kOneProcess =
      "halo is one process; keepalived's per-process settings do not apply";
  static const Table<GlobalDefs> table(
      "global_defs", "daemon-wide settings",
      {
          lenient_string("tmp_config_directory", &G::tmp_config_directory, "<DIRECTORY>")
              .ignored("halo reads the configuration once, in one process"),
          lenient_string("config_save_dir", &G::config_save_dir, "<DIRECTORY>")
              .ignored("keepalived debugging aid for reloads"),
          lenient_flag("process_names", &G::process_names).ignored(std::string(kOneProcess)),
          lenient_string("process_name", &G::process_name, "<NAME>")
              .ignored(std::string(kOneProcess)),
          lenient_string("vrrp_process_name", &G::vrrp_process_name, "<NAME>")
              .ignored(std::string(kOneProcess)),
          lenient_string("checker_process_name", &G::checker_process_name, "<NAME>")
              .alias("lvs_process_name")
              .ignored(std::string(kOneProcess)),
          lenient_string("bfd_process_name", &G::bfd_process_name, "<NAME>")
              .ignored(std::string(kOneProcess)),
          kw::script("startup_script", &G::startup_script),
          lenient_integer("startup_script_timeout", &G::startup_script_timeout, 1, 1000),
          kw::script("shutdown_script", &G::shutdown_script),
          lenient_integer("shutdown_script_timeout", &G::shutdown_script_timeout, 1, 1000),
          kw::word_list("notification_email", &G::notification_email, "<EMAIL>").acted(),
          lenient_string("notification_email_from", &G::notification_email_from, "<EMAIL>")
              .default_text("<USER>@<HOSTNAME>")
              .acted(),
          kw::custom<G>("smtp_server", "<IPADDR|HOSTNAME> [<PORT 1..65535>]", parse_smtp_server,
                        dump_smtp_server)
              .default_text("port 25")
              .acted(),
          optional_helo().default_text("<HOSTNAME>").acted(),
          lenient_integer("smtp_connect_timeout", &G::smtp_connect_timeout, 1, 4294)
              .acted()
              .note("bounds the connect and each reply of an alert, as keepalived"),
          lenient_bool("smtp_alert", &G::smtp_alert).acted(),
          lenient_bool("smtp_alert_vrrp", &G::smtp_alert_vrrp).acted(),
          lenient_bool("smtp_alert_checker", &G::smtp_alert_checker).acted(),
          lenient_bool("checker_log_all_failures", &G::checker_log_all_failures).acted(),
          lenient_flag("no_email_faults", &G::no_email_faults).acted(),
          lenient_string("router_id", &G::router_id, "<STRING>").default_text("<HOSTNAME>"),
          mcast_group("vrrp_mcast_group4", &G::vrrp_mcast_group4, Family::V4).acted(),
          mcast_group("vrrp_mcast_group6", &G::vrrp_mcast_group6, Family::V6).acted(),
          lenient_string("default_interface", &G::default_interface, "<INTERFACE>"),
          kw::custom<G>("lvs_sync_daemon",
                        "<INTERFACE> [[inst] <VRRP_INSTANCE>] [id <0..255>] [maxlen <1..65507>] "
                        "[port <1..65535>] [ttl <1..255>] [group <IPADDR>]",
                        parse_lvs_sync_daemon, dump_lvs_sync_daemon),
          kw::custom<G>("lvs_timeouts",
                        "[tcp <0..2678400>] [tcpfin <0..2678400>] [udp <0..2678400>]",
                        parse_lvs_timeouts, dump_lvs_timeouts),
          lenient_flag("lvs_flush", &G::lvs_flush)
              .acted()
              .note("IPVS back end: flush every service at start; nftables owns its table anyway"),
          kw::custom<G>("lvs_flush_on_stop", "[VS]", parse_lvs_flush_on_stop,
                        dump_lvs_flush_on_stop)
              .alias("lvs_flush_onstop")
              .acted()
              .note("at stop, real servers get no notices; without VS the IPVS back end "
                    "flushes every service, nftables removes its own table"),
          lenient_integer("vrrp_garp_master_delay", &G::vrrp_garp_master_delay, 0, 4294).acted(),
          lenient_integer("vrrp_garp_master_repeat", &G::vrrp_garp_master_repeat, 1, kU32).acted(),
          lenient_integer("vrrp_garp_lower_prio_delay", &G::vrrp_garp_lower_prio_delay, 0, 4294)
              .default_text("vrrp_garp_master_delay")
              .acted(),
          lenient_integer("vrrp_down_timer_adverts", &G::vrrp_down_timer_adverts, 1, 100).acted(),
          lenient_integer("vrrp_garp_lower_prio_repeat", &G::vrrp_garp_lower_prio_repeat, 0,
                          0x7fffffff)
              .default_text("vrrp_garp_master_repeat")
              .acted(),
          lenient_integer("vrrp_garp_master_refresh", &G::vrrp_garp_master_refresh, 0, kU32)
              .acted(),
          lenient_integer("vrrp_garp_master_refresh_repeat", &G::vrrp_garp_master_refresh_repeat, 1,
                          kU32)
              .acted(),
          seconds("vrrp_garp_interval", &G::vrrp_garp_interval, 1, 4294967295LL)
              .default_text("0")
              .acted(),
          seconds("vrrp_gna_interval", &G::vrrp_gna_interval, 1, 4294967295LL)
              .default_text("0")
              .acted(),
          lenient_bool("vrrp_min_garp", &G::vrrp_min_garp).acted(),
          kw::custom<G>("vrrp_garp_extra_if", "[all] <SECONDS 1..86400>", parse_garp_extra_if,
                        dump_garp_extra_if)
              .alias("vrrp_vmac_garp_intvl"),
          lenient_bool("vrrp_lower_prio_no_advert", &G::vrrp_lower_prio_no_advert)
              .default_text("false (true with vrrp_strict)")
              .acted(),
          lenient_bool("vrrp_higher_prio_send_advert", &G::vrrp_higher_prio_send_advert)
              .default_text("false")
              .acted(),
          lenient_integer("vrrp_version", &G::vrrp_version, 2, 3).acted(),
          kw::custom<G>("vrrp_vip_lifetime", "<SECONDS 1..86400>|forever", parse_vip_lifetime,
                        dump_vip_lifetime)
              .default_text("2")
              .note("halo's own: virtual addresses carry this valid lifetime and halod renews "
                    "them, so a crashed daemon leaves none behind; `forever` keeps keepalived's "
                    "permanent addresses")
              .acted(),
          nftables("nftables", &G::nftables)
              .note("the table of halo's no_accept rules (default `halo`)")
              .acted(),
          lenient_integer("nftables_priority", &G::nftables_priority, -2147483648LL, 2147483647)
              .acted(),
          lenient_flag("nftables_counters", &G::nftables_counters),
          lenient_flag("nftables_ifindex", &G::nftables_ifindex),
          nftables("nftables_ipvs", &G::nftables_ipvs),
          lenient_integer("nftables_ipvs_priority", &G::nftables_ipvs_priority, -2147483648LL,
                          2147483647),
          lenient_integer("nftables_ipvs_start_fwmark", &G::nftables_ipvs_start_fwmark, 1, kU32),
          kw::custom<G>("vrrp_iptables", "[<IN_CHAIN> [<OUT_CHAIN>]]", nullptr, nullptr)
              .refused(std::string(kNoIptables)),
          kw::custom<G>("vrrp_ipsets", "[<NAME> [<NAME6> [<IF_NAME6> [<IGMP> [<MLD>]]]]]", nullptr,
                        nullptr)
              .refused(std::string(kNoIptables)),
          lenient_flag("disable_local_igmp", &G::disable_local_igmp),
          lenient_flag("vrrp_check_unicast_src", &G::vrrp_check_unicast_src),
          lenient_flag("vrrp_skip_check_adv_addr", &G::vrrp_skip_check_adv_addr),
          lenient_flag("vrrp_strict", &G::vrrp_strict),
          lenient_bool("vrrp_notify_priority_changes", &G::vrrp_notify_priority_changes).acted(),
          kw::custom<G>("max_auto_priority", "[<-1..99>]", parse_max_auto_priority,
                        dump_max_auto_priority)
              .default_text("0 (off); bare keyword: 99"),
          lenient_integer("min_auto_priority_delay", &G::min_auto_priority_delay, 1, 10000000)
              .syntax("<MICROSECONDS 1..10000000>")
              .default_text("1000000"),
          lenient_integer("vrrp_priority", &G::vrrp_priority, -20, 19),
          lenient_integer("checker_priority", &G::checker_priority, -20, 19)
              .ignored(std::string(kPerProcess)),
          lenient_integer("bfd_priority", &G::bfd_priority, -20, 19)
              .ignored(std::string(kPerProcess)),
          lenient_flag("vrrp_no_swap", &G::vrrp_no_swap),
          lenient_flag("checker_no_swap", &G::checker_no_swap).ignored(std::string(kPerProcess)),
          lenient_flag("bfd_no_swap", &G::bfd_no_swap).ignored(std::string(kPerProcess)),
          cpu_affinity("vrrp_cpu_affinity", &G::vrrp_cpu_affinity),
          cpu_affinity("checker_cpu_affinity", &G::checker_cpu_affinity)
              .ignored(std::string(kPerProcess)),
          cpu_affinity("bfd_cpu_affinity", &G::bfd_cpu_affinity).ignored(std::string(kPerProcess)),
          lenient_integer("vrrp_rt_priority", &G::vrrp_rt_priority, 1, 99),
          lenient_integer("checker_rt_priority", &G::checker_rt_priority, 1, 99)
              .ignored(std::string(kPerProcess)),
          lenient_integer("bfd_rt_priority", &G::bfd_rt_priority, 1, 99)
              .ignored(std::string(kPerProcess)),
          lenient_integer("vrrp_rlimit_rttime", &G::vrrp_rlimit_rttime, 1, kU32)
              .alias("vrrp_rlimit_rtime")
              .syntax("<MICROSECONDS 1..4294967295>"),
          lenient_integer("checker_rlimit_rttime", &G::checker_rlimit_rttime, 1, kU32)
              .alias("checker_rlimit_rtime")
              .ignored(std::string(kPerProcess))
              .syntax("<MICROSECONDS 1..4294967295>"),
          lenient_integer("bfd_rlimit_rttime", &G::bfd_rlimit_rttime, 1, kU32)
              .alias("bfd_rlimit_rtime")
              .ignored(std::string(kPerProcess))
              .syntax("<MICROSECONDS 1..4294967295>"),
          lenient_string("snmp_socket", &G::snmp_socket, "<SOCKET>")
              .default_text("unix:/var/agentx/master")
              .ignored("halo has no SNMP agent; it exports metrics and events instead"),
          lenient_flag("enable_snmp_vrrp", &G::enable_snmp_vrrp)
              .alias("enable_snmp_keepalived")
              .ignored("halo has no SNMP agent; it exports metrics and events instead"),
          lenient_flag("enable_snmp_checker", &G::enable_snmp_checker)
              .ignored("halo has no SNMP agent; it exports metrics and events instead"),
          lenient_flag("enable_snmp_rfc", &G::enable_snmp_rfc)
              .ignored("halo has no SNMP agent; it exports metrics and events instead"),
          lenient_flag("enable_snmp_rfcv2", &G::enable_snmp_rfcv2)
              .ignored("halo has no SNMP agent; it exports metrics and events instead"),
          lenient_flag("enable_snmp_rfcv3", &G::enable_snmp_rfcv3)
              .ignored("halo has no SNMP agent; it exports metrics and events instead"),
          lenient_flag("enable_traps", &G::enable_traps)
              .ignored("halo has no SNMP agent; it exports metrics and events instead"),
          lenient_flag("enable_dbus", &G::enable_dbus)
              .ignored("halo has no D-Bus interface; use the control socket"),
          lenient_string("dbus_service_name", &G::dbus_service_name, "<SERVICE_NAME>")
              .default_text("org.keepalived.Vrrp1")
              .ignored("halo has no D-Bus interface; use the control socket"),
          kw::custom<G>("script_user", "<USER> [<GROUP>]", parse_script_user, dump_script_user)
              .default_text("keepalived_script if it exists, else root")
              .acted(),
          lenient_flag("enable_script_security", &G::enable_script_security).acted(),
          fifo("notify_fifo", &G::notify_fifo).acted(),
          kw::script("notify_fifo_script", &G::notify_fifo_script).acted(),
          fifo("vrrp_notify_fifo", &G::vrrp_notify_fifo).acted(),
          kw::script("vrrp_notify_fifo_script", &G::vrrp_notify_fifo_script).acted(),
          fifo("lvs_notify_fifo", &G::lvs_notify_fifo).acted(),
          kw::script("lvs_notify_fifo_script", &G::lvs_notify_fifo_script).acted(),
          lenient_flag("fifo_write_vrrp_states_on_reload", &G::fifo_write_vrrp_states_on_reload)
              .acted(),
          seconds("notify_script_timeout", &G::notify_script_timeout, 10'000, 86'400'000'000LL)
              .default_text("60")
              .note("halo's own: a notify script still running after this many seconds is "
                    "killed (SIGTERM, SIGKILL a second later) and counted as failed")
              .acted(),
          seconds("fifo_script_stop_grace", &G::fifo_script_stop_grace, 0, 3'600'000'000LL)
              .default_text("1")
              .note("halo's own: at stop a notify FIFO script gets SIGTERM after the last "
                    "lines, and SIGKILL only this many seconds later")
              .acted(),
          kw::string("control_socket", &G::control_socket, "<PATH>")
              .default_text("/run/halo/halo.sock (--runtime-dir)")
              .note("halo's own: the control socket haloctl talks to; `--control-socket` on "
                    "the command line wins")
              .acted(),
          kw::custom<G>("control_socket_mode", "<OCTAL_MODE>", parse_control_socket_mode,
                        dump_control_socket_mode)
              .default_text("0600")
              .note("halo's own: the control socket file's mode")
              .acted(),
          kw::custom<G>("control_socket_owner", "<USER> [<GROUP>]", parse_control_socket_owner,
                        dump_control_socket_owner)
              .default_text("root")
              .note("halo's own: the control socket file's owner and group")
              .acted(),
          kw::integer("control_maxconn", &G::control_maxconn, 1, 10000)
              .default_text("64")
              .note("halo's own: control connections at once; a newcomer beyond it closes "
                    "the longest-idle one")
              .acted(),
          kw::seconds("control_idle_timeout", &G::control_idle_timeout, 0.1, 86400.0)
              .default_text("30")
              .note("halo's own: an idle control connection is closed after this long")
              .acted(),
          kw::seconds("control_command_timeout", &G::control_command_timeout, 0.1, 3600.0)
              .default_text("10")
              .note("halo's own: a command's reply must be taken within this long")
              .acted(),
          kw::custom<G>("metrics_listen", "<ADDRESS> [<PORT>]", parse_metrics_listen,
                        dump_metrics_listen)
              .default_text("off; port 9650")
              .note("halo's own: serve Prometheus metrics at http://ADDRESS:PORT/metrics")
              .acted(),
          kw::enumeration("lb_backend", &G::lb_backend,
                          std::vector<std::pair<std::string_view, G::LbBackend>>{
                              {"ipvs", G::LbBackend::Ipvs}, {"nftables", G::LbBackend::Nftables}})
              .default_text("ipvs when the kernel has it, else nftables")
              .note("halo's own: the back end that programs virtual servers (IPVS or an "
                    "nftables DNAT table)")
              .acted(),
          kw::custom<G>("dynamic_interfaces", "[allow_if_changes]", parse_dynamic_interfaces,
                        dump_dynamic_interfaces),
          lenient_integer("vrrp_netlink_cmd_rcv_bufs", &G::vrrp_netlink_cmd_rcv_bufs, 0, kU32)
              .syntax("<BYTES>"),
          lenient_bool("vrrp_netlink_cmd_rcv_bufs_force", &G::vrrp_netlink_cmd_rcv_bufs_force),
          lenient_integer("vrrp_netlink_monitor_rcv_bufs", &G::vrrp_netlink_monitor_rcv_bufs, 0,
                          kU32)
              .syntax("<BYTES>"),
          lenient_bool("vrrp_netlink_monitor_rcv_bufs_force",
                       &G::vrrp_netlink_monitor_rcv_bufs_force),
          lenient_integer("lvs_netlink_cmd_rcv_bufs", &G::lvs_netlink_cmd_rcv_bufs, 0, kU32)
              .syntax("<BYTES>"),
          lenient_bool("lvs_netlink_cmd_rcv_bufs_force", &G::lvs_netlink_cmd_rcv_bufs_force),
          lenient_integer("lvs_netlink_monitor_rcv_bufs", &G::lvs_netlink_monitor_rcv_bufs, 0, kU32)
              .syntax("<BYTES>"),
          lenient_bool("lvs_netlink_monitor_rcv_bufs_force",
                       &G::lvs_netlink_monitor_rcv_bufs_force),
          lenient_integer("process_monitor_rcv_bufs", &G::process_monitor_rcv_bufs, 0, kU32)
              .syntax("<BYTES>"),
          lenient_bool("process_monitor_rcv_bufs_force", &G::process_monitor_rcv_bufs_force),
          kw::custom<G>("vrrp_rx_bufs_policy", "MTU|ADVERT|<BYTES>", parse_rx_bufs_policy,
                        dump_rx_bufs_policy)
              .default_text("system default"),
          kw::integer("vrrp_rx_bufs_multiplier", &G::vrrp_rx_bufs_multiplier, 1, kU32),
          lenient_flag("rs_init_notifies", &G::rs_init_notifies).acted(),
          lenient_flag("no_checker_emails", &G::no_checker_emails).acted(),
          kw::custom<G>("umask", "<MODE>|<BITS>", parse_umask, dump_umask)
              .default_text("IWGRP|IWOTH (022)"),
          seconds("vrrp_startup_delay", &G::vrrp_startup_delay, 1000, 4294967295LL)
              .default_text("0"),
          lenient_flag("log_unknown_vrids", &G::log_unknown_vrids),
          lenient_string("vmac_prefix", &G::vmac_prefix, "<STRING>"),
          lenient_string("vmac_addr_prefix", &G::vmac_addr_prefix, "<STRING>")
              .default_text("vmac_prefix"),
          lenient_integer("random_seed", &G::random_seed, 0, kU32)
              .default_text("time based")
              .note("the lexer seeds ${_RANDOM} before global_defs is read"),
          optional_word<G>("reload_check_config", &G::reload_check_config, "[<LOG_FILE>]", ""),
          kw::custom<G>("include_check", "[match|wildcard_match|brace_match] [+|-<OPTION>]...",
                        parse_include_check, dump_include_check),
          lenient_string("reload_time_file", &G::reload_time_file, "<PATH>"),
          lenient_flag("reload_repeat", &G::reload_repeat),
          optional_word<G>("reload_file", &G::reload_file, "[<PATH>]", "")
              .default_text("off; bare keyword: keepalived.reload in the pid directory"),
          lenient_bool("data_use_instance", &G::data_use_instance),
      });
  return table;
}

// ---- the other host-wide blocks -------------------------------------------------------------

std::optional<LinkbeatInterface> parse_linkbeat_item(const Statement& st) {
  LinkbeatInterface l;
  l.name = st.keyword().text;
  l.loc = st.keyword().loc;
  if (st.size() > 1) {
    st.error(st.arg(1), fmt::format("linkbeat interface {} takes one polling type, not '{}'",
                                    l.name, st.arg(1).text));
    return std::nullopt;
  }
  if (st.size() == 1) {
    const auto& t = st.arg(0).text;
    if (t == "MII") {
      l.type = LinkbeatType::Mii;
    } else if (t == "ETHTOOL") {
      l.type = LinkbeatType::Ethtool;
    } else if (t == "IOCTL") {
      l.type = LinkbeatType::Ioctl;
    } else {
      st.error(st.arg(0),
               fmt::format("linkbeat interface {} polling type must be MII, ETHTOOL or IOCTL, "
                           "not '{}'",
                           l.name, t));
      return std::nullopt;
    }
  }
  return l;
}

DumpArgs dump_linkbeat_item(const LinkbeatInterface& l) {
  DumpArgs args{DumpArg(l.name)};
  switch (l.type) {
    case LinkbeatType::Default:
      break;
    case LinkbeatType::Mii:
      args.emplace_back("MII");
      break;
    case LinkbeatType::Ethtool:
      args.emplace_back("ETHTOOL");
      break;
    case LinkbeatType::Ioctl:
      args.emplace_back("IOCTL");
      break;
  }
  return args;
}

std::optional<Duration> delay_arg(const Statement& st, const Token& tok) {
  auto v = kw::parse_decimal(tok.text);
  if (!v) {
    st.error(tok, fmt::format("interface delay needs a time in seconds, not '{}'", tok.text));
    return std::nullopt;
  }
  if (*v < 0 || *v > 255) {
    st.error(tok, fmt::format("interface delay {} is out of range 0..255 seconds", tok.text));
    return std::nullopt;
  }
  return Duration(std::llround(*v * 1e6));
}

std::optional<InterfaceDelay> parse_delay_item(const Statement& st) {
  InterfaceDelay d;
  d.name = st.keyword().text;
  d.loc = st.keyword().loc;
  if (st.size() > 2) st.warning(st.arg(2), "extra values after the up delay are ignored");
  if (st.size() > 0) {
    auto down = delay_arg(st, st.arg(0));
    if (!down) return std::nullopt;
    d.down_delay = d.up_delay = *down;
  }
  if (st.size() > 1) {
    auto up = delay_arg(st, st.arg(1));
    if (!up) return std::nullopt;
    d.up_delay = *up;
  }
  return d;
}

DumpArgs dump_delay_item(const InterfaceDelay& d) {
  DumpArgs args{DumpArg(d.name), kw::format_seconds(d.down_delay)};
  if (d.up_delay != d.down_delay) args.emplace_back(kw::format_seconds(d.up_delay));
  return args;
}

// `group { VI_1 VI_2 }`; an empty block is an error in keepalived.
Keyword<TrackGroup> track_group_group() {
  auto k = kw::word_list("group", &TrackGroup::group, "<VRRP_INSTANCE>");
  k.parse = [inner = std::move(k.parse)](TrackGroup& t, const Statement& st) {
    const auto before = t.group.size();
    inner(t, st);
    if (t.group.size() == before) st.error("'group' block of track_group is empty");
  };
  return k;
}

const Table<TrackGroup>& track_group_table() {
  static const Table<TrackGroup> table(
      "track_group", "VRRP instances that track static addresses, routes and rules",
      {
          track_group_group(),
      });
  return table;
}

const Table<GarpGroup>& garp_group_table() {
  static const Table<GarpGroup> table(
      "garp_group", "gratuitous ARP / unsolicited NA pacing for a set of interfaces",
      {
          seconds("garp_interval", &GarpGroup::garp_interval, 0, 2147483647LL),
          seconds("gna_interval", &GarpGroup::gna_interval, 0, 2147483647LL),
          lenient_string("interface", &GarpGroup::interface, "<INTERFACE>"),
          kw::word_list("interfaces", &GarpGroup::interfaces, "<INTERFACE>"),
      });
  return table;
}

const Table<SslConfig>& ssl_table() {
  static const Table<SslConfig> table(
      "SSL", "TLS context of SSL_GET checkers (generated when empty)",
      {
          lenient_string("password", &SslConfig::password, "<STRING>"),
          lenient_string("ca", &SslConfig::ca, "<PATH>"),
          lenient_string("certificate", &SslConfig::certificate, "<PATH>"),
          lenient_string("key", &SslConfig::key, "<PATH>"),
      });
  return table;
}

// `net_namespace NAME` and `instance NAME`: the first one wins, as in keepalived.
Keyword<GlobalConfig> first_wins(std::string_view name,
                                 std::optional<std::string> GlobalConfig::*member) {
  return kw::custom<GlobalConfig>(
      name, "<NAME>",
      [member](GlobalConfig& g, const Statement& st) {
        if (st.size() == 0) {
          st.expect_args(1, 1);
          return;
        }
        if (st.size() > 1) {
          st.warning(st.arg(1), fmt::format("extra values after '{}' are ignored", st.arg(0).text));
        }
        if (g.*member) {
          st.warning(st.arg(0), fmt::format("'{}' is already {}; '{}' is ignored",
                                            st.keyword().text, *(g.*member), st.arg(0).text));
          return;
        }
        g.*member = st.arg(0).text;
      },
      [member, name](const GlobalConfig& g, Writer& w) {
        if (g.*member) w.statement(name, {DumpArg(*(g.*member), true)});
      });
}

Keyword<GlobalConfig> ssl_keyword() {
  Keyword<GlobalConfig> k = kw::custom<GlobalConfig>(
      "SSL", "{ ... }",
      [](GlobalConfig& g, const Statement& st) {
        st.expect_args(0, 0);
        SslConfig ssl = g.ssl.value_or(SslConfig{});
        st.parser().parse_block(st, ssl_table(), ssl);
        g.ssl = std::move(ssl);
      },
      [](const GlobalConfig& g, Writer& w) {
        if (!g.ssl) return;
        w.begin_block("SSL", {});
        ssl_table().dump(*g.ssl, w);
        w.end_block();
      });
  k.info.block = true;
  return k;
}

}  // namespace

const Table<GlobalConfig>& global_top_table() {
  using C = GlobalConfig;
  static const Table<GlobalConfig> table(
      "top level: host", "host-wide blocks",
      {
          first_wins("net_namespace", &C::net_namespace)
              .acted()
              .note("top level only, as in keepalived 2.2.7; -t checks interfaces there, halod "
                    "enters it at start-up, -s overrides it"),
          optional_word<C>("net_namespace_ipvs", &C::net_namespace_ipvs, "[<NAME>]", "")
              .default_text("net_namespace; bare keyword: the default namespace"),
          lenient_flag("namespace_with_ipsets", &C::namespace_with_ipsets)
              .ignored("halo does not use ipsets"),
          first_wins("instance", &C::instance),
          lenient_flag("use_pid_dir", &C::use_pid_dir),
          lenient_flag("linkbeat_use_polling", &C::linkbeat_use_polling),
          lenient_integer("child_wait_time", &C::child_wait_time, 0, 0xffffffffLL),
          kw::block("global_defs", &C::defs, global_defs_table),
          kw::list<C, LinkbeatInterface>("linkbeat_interfaces", &C::linkbeat_interfaces,
                                         "<INTERFACE> [MII|ETHTOOL|IOCTL]", parse_linkbeat_item,
                                         dump_linkbeat_item),
          kw::list<C, InterfaceDelay>("interface_up_down_delays", &C::interface_up_down_delays,
                                      "<INTERFACE> <DOWN_DELAY 0..255> [<UP_DELAY 0..255>]",
                                      parse_delay_item, dump_delay_item),
          kw::named_blocks("track_group", &C::track_groups, track_group_table),
          kw::list<C, IpAddressItem>(
              "static_ipaddress", &C::static_ipaddress, std::string(kIpAddressItemSyntax),
              [](const Statement& st) { return parse_ip_address_item(st, IpItemContext::Static); },
              dump_ip_address_item)
              .note("added while halod runs (only when the configuration has VRRP instances), "
                    "removed at stop")
              .acted(),
          kw::list<C, IpRouteItem>(
              "static_routes", &C::static_routes, std::string(kIpRouteItemSyntax),
              [](const Statement& st) { return parse_ip_route_item(st, IpItemContext::Static); },
              dump_ip_route_item)
              .note("added while halod runs (only when the configuration has VRRP instances), "
                    "removed at stop")
              .acted(),
          kw::list<C, IpRuleItem>(
              "static_rules", &C::static_rules, std::string(kIpRuleItemSyntax),
              [](const Statement& st) { return parse_ip_rule_item(st, IpItemContext::Static); },
              dump_ip_rule_item)
              .note("added while halod runs (only when the configuration has VRRP instances), "
                    "removed at stop")
              .acted(),
          kw::blocks<C, GarpGroup>(
              "garp_group", &C::garp_groups, garp_group_table, "",
              [](GarpGroup&, const Statement& st) {
                // keepalived ignores words after garp_group.
                if (st.size() > 0) st.warning(st.arg(0), "words after 'garp_group' are ignored");
                return true;
              },
              [](const GarpGroup&) { return DumpArgs{}; }),
          ssl_keyword(),
      });
  return table;
}

std::vector<const TableInfo*> global_tables() {
  return {&global_top_table(), &global_defs_table(), &track_group_table(), &garp_group_table(),
          &ssl_table()};
}

}  // namespace halo::config
