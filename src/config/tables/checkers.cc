// Keyword tables of the health checkers inside a real_server (see model/checkers.h).
//
// Every checker block is one Table<Checker>. The options all checkers share are written once,
// as a Table<CheckerCommon> (common_keywords), and lifted into each checker's table; the
// per-protocol keywords are written against their own struct (HttpCheck, UdpCheck, ...) and
// lifted through the variant. SMTP_CHECK's deprecated `host { }` blocks reuse the common
// table directly, since each host is a checker of its own in keepalived.
#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "config/fields.h"
#include "config/tables/lvs_internal.h"
#include "config/tables/tables.h"

namespace halo::config {
namespace {

// keepalived's timers: up to 2^64 µs; halo keeps Duration in int64 µs, so 10^12 s is the cap.
constexpr double kMaxTimer = 1e12;
// keepalived's connect_timeout is an unsigned int of microseconds.
constexpr double kMaxConnectTimeout = 4294.967295;

template <class K>
struct KindOf {
  auto& operator()(Checker& c) const { return std::get<K>(c.kind); }
  const auto& operator()(const Checker& c) const { return std::get<K>(c.kind); }
};
struct CommonOf {
  CheckerCommon& operator()(Checker& c) const { return c.common; }
  const CheckerCommon& operator()(const Checker& c) const { return c.common; }
};

enum class CommonSet {
  All,     // connection and timing options
  Timing,  // MISC_CHECK: retry onwards
  Alpha,   // BFD_CHECK: alpha only
  None,    // FILE_CHECK
};

// The options every checker shares, in keepalived's order.
std::vector<Keyword<CheckerCommon>> common_keywords(CommonSet set) {
  using C = CheckerCommon;
  std::vector<Keyword<C>> out;
  if (set == CommonSet::None) return out;
  if (set == CommonSet::All) {
    out.push_back(kw::address("connect_ip", &C::connect_ip));
    out.push_back(kw::integer("connect_port", &C::connect_port, 1, 65535)
                      .default_text("the real server's port"));
    out.push_back(kw::address("bindto", &C::bindto));
    out.push_back(kw::integer("bind_port", &C::bind_port, 1, 65535).default_text("any"));
    out.push_back(kw::custom<C>(
                      "bind_if", "<INTERFACE>",
                      [](C& c, const Statement& st) {
                        if (!st.expect_args(1, 1)) return;
                        if (st.arg(0).text.size() > 15) {  // IFNAMSIZ - 1
                          st.error(st.arg(0), fmt::format("'bind_if' interface name '{}' is "
                                                          "longer than 15 characters",
                                                          st.arg(0).text));
                          return;
                        }
                        c.bind_if = st.arg(0).text;
                      },
                      [](const C& c, Writer& w) {
                        if (!c.bind_if.empty()) w.statement("bind_if", {c.bind_if});
                      })
                      .note("needed when the address checked is IPv6 link-local"));
    out.push_back(kw::seconds("connect_timeout", &C::connect_timeout, 0.000001, kMaxConnectTimeout)
                      .default_text("the real server's, else 5"));
    out.push_back(kw::integer("fwmark", &C::fwmark, 0, 4294967295LL));
  }
  if (set == CommonSet::All || set == CommonSet::Timing) {
    out.push_back(kw::integer("retry", &C::retry, 0, 4294967295LL)
                      .default_text("the real server's, else 1 (DNS_CHECK 3, MISC_CHECK 0)"));
    out.push_back(kw::seconds("delay_before_retry", &C::delay_before_retry, 0, kMaxTimer)
                      .default_text("the real server's, else 1 (HTTP/SSL 3)"));
    out.push_back(
        kw::seconds("warmup", &C::warmup, 0, kMaxTimer).default_text("the real server's"));
    out.push_back(kw::seconds("delay_loop", &C::delay_loop, 0.000001, kMaxTimer)
                      .default_text("the real server's"));
  }
  out.push_back(kw::boolean("alpha", &C::alpha).default_text("the real server's"));
  if (set == CommonSet::All || set == CommonSet::Timing) {
    out.push_back(kw::boolean("log_all_failures", &C::log_all_failures)
                      .default_text("global checker_log_all_failures"));
  }
  return out;
}

// Every shared option is acted on by the checkers (src/daemon/checker_build.cc,
// load_balancer.cc); a kind's own options are marked in its table.
void add_common(std::vector<Keyword<Checker>>& out, CommonSet set, bool acted = true) {
  for (auto& k : common_keywords(set)) {
    if (acted && k.info.support == Support::Parsed) {
      k.info.support = Support::Acted;
    }
    out.push_back(nest<Checker>(k, CommonOf{}));
  }
}

template <class K>
void add_kind(std::vector<Keyword<Checker>>& out, std::vector<Keyword<K>> keywords) {
  for (auto& k : keywords) out.push_back(nest<Checker>(k, KindOf<K>{}));
}

// ---- HTTP_GET / SSL_GET ---------------------------------------------------------------------

DumpArgs format_status(const std::vector<StatusRange>& ranges) {
  DumpArgs args;
  for (const auto& r : ranges) {
    args.emplace_back(r.min == r.max ? std::to_string(r.min)
                                     : std::to_string(r.min) + "-" + std::to_string(r.max));
  }
  return args;
}

void parse_status(HttpUrl& url, const Statement& st) {
  if (st.size() == 0) {
    // keepalived accepts it and keeps the default.
    st.warning(st.keyword(), "'status_code' without codes is ignored (default 200-299)");
    return;
  }
  for (const auto& tok : st.args()) {
    std::string_view text = tok.text;
    auto dash = text.find('-', 1);
    auto lo = kw::parse_integer(text.substr(0, dash));
    auto hi = dash == std::string_view::npos ? lo : kw::parse_integer(text.substr(dash + 1));
    if (!lo || !hi || *lo < 100 || *lo > 599 || *hi < 100 || *hi > 599 || *lo > *hi) {
      st.error(tok, fmt::format("'status_code' value '{}' is not a status code or range "
                                "within 100..599",
                                text));
      continue;
    }
    url.status_codes.push_back({static_cast<std::uint16_t>(*lo), static_cast<std::uint16_t>(*hi)});
  }
}

constexpr std::array<std::string_view, 25> kRegexOptions = {
    "allow_empty_class", "alt_bsux",
    "auto_callout",      "caseless",
    "dollar_endonly",    "dotall",
    "dupnames",          "extended",
    "firstline",         "match_unset_backref",
    "multiline",         "never_ucp",
    "never_utf",         "no_auto_capture",
    "no_auto_possess",   "no_dotstar_anchor",
    "no_start_optimize", "ucp",
    "ungreedy",          "utf",
    "never_backslash_c", "alt_circumflex",
    "alt_verbnames",     "use_offset_limit",
    "extended_more"};

Keyword<HttpUrl> regex_offset(std::string_view name,
                              std::optional<std::uint64_t> HttpUrl::*member) {
  return kw::custom<HttpUrl>(
      name, "<OFFSET>",
      [member, name](HttpUrl& u, const Statement& st) {
        auto v = st.size() == 1 ? kw::parse_integer(st.arg(0).text) : std::nullopt;
        if (!v || *v < 0) {
          st.warning(st.keyword(), fmt::format("'{}' needs one offset; ignored", name));
          return;
        }
        u.*member = static_cast<std::uint64_t>(*v);
      },
      [member, name](const HttpUrl& u, Writer& w) {
        if (u.*member) w.statement(name, {static_cast<std::int64_t>(*(u.*member))});
      });
}

const Table<HttpUrl>& url_table() {
  using U = HttpUrl;
  static const Table<U> table(
      "url", "one URL an HTTP_GET or SSL_GET checker fetches",
      acted_on<U>(
          {
              kw::string("path", &U::path, "<PATH>").default_text("required"),
              kw::custom<U>(
                  "digest", "<MD5 HEX>",
                  [](U& u, const Statement& st) {
                    if (!st.expect_args(1, 1)) return;
                    std::string d = st.arg(0).text;
                    if (!u.digest.empty()) {
                      st.error(st.arg(0), fmt::format("'digest' given twice in one url"));
                      return;
                    }
                    bool hex = d.size() == 32 && std::all_of(d.begin(), d.end(), [](char c) {
                                 return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                               });
                    if (!hex) {
                      st.error(
                          st.arg(0),
                          fmt::format("'digest' value '{}' is not 32 hex digits (an MD5 sum)", d));
                      return;
                    }
                    std::transform(d.begin(), d.end(), d.begin(),
                                   [](char c) { return static_cast<char>(std::tolower(c)); });
                    u.digest = std::move(d);
                  },
                  [](const U& u, Writer& w) {
                    if (!u.digest.empty()) w.statement("digest", {u.digest});
                  }),
              kw::custom<U>("status_code", "<CODE>|<CODE>-<CODE> ...", parse_status,
                            [](const U& u, Writer& w) {
                              if (!u.status_codes.empty()) {
                                w.statement("status_code", format_status(u.status_codes));
                              }
                            })
                  .default_text("200-299"),
              kw::string("virtualhost", &U::virtualhost, "<HOST>"),
              kw::string("regex", &U::regex, "<REGEX>"),
              kw::flag("regex_no_match", &U::regex_no_match),
              kw::custom<U>(
                  "regex_options", "<OPTION> ...",
                  [](U& u, const Statement& st) {
                    if (!st.expect_args(1, 100)) return;
                    for (const auto& tok : st.args()) {
                      if (std::find(kRegexOptions.begin(), kRegexOptions.end(), tok.text) ==
                          kRegexOptions.end()) {
                        // keepalived ignores unknown options silently; say so, but accept.
                        st.warning(tok, fmt::format("unknown regex option '{}' ignored", tok.text));
                        continue;
                      }
                      u.regex_options.push_back(tok.text);
                    }
                  },
                  [](const U& u, Writer& w) {
                    if (u.regex_options.empty()) return;
                    DumpArgs args;
                    for (const auto& o : u.regex_options) args.emplace_back(o);
                    w.statement("regex_options", args);
                  }),
              // keepalived only logs bad regex_stack and regex_*_offset values (-t passes), so
              // halo warns and ignores them too.
              kw::custom<U>(
                  "regex_stack", "<START> <MAX>",
                  [](U& u, const Statement& st) {
                    if (st.size() != 2) {
                      st.warning(st.keyword(),
                                 "'regex_stack' needs a start and a max size; ignored");
                      return;
                    }
                    auto a = kw::parse_integer(st.arg(0).text);
                    auto b = kw::parse_integer(st.arg(1).text);
                    for (std::size_t i = 0; i < 2; ++i) {
                      auto v = i == 0 ? a : b;
                      if (!v || *v < 0) {
                        st.warning(st.arg(i),
                                   fmt::format("'regex_stack' size '{}' is not a number; "
                                               "ignored",
                                               st.arg(i).text));
                        return;
                      }
                    }
                    if (*a > *b) {
                      st.warning(st.arg(0), fmt::format("'regex_stack' start {} exceeds max {}; "
                                                        "ignored",
                                                        *a, *b));
                      return;
                    }
                    u.regex_stack = {static_cast<std::uint64_t>(*a),
                                     static_cast<std::uint64_t>(*b)};
                  },
                  [](const U& u, Writer& w) {
                    if (u.regex_stack) {
                      w.statement("regex_stack",
                                  {static_cast<std::int64_t>(u.regex_stack->first),
                                   static_cast<std::int64_t>(u.regex_stack->second)});
                    }
                  }),
              regex_offset("regex_min_offset", &U::regex_min_offset),
              regex_offset("regex_max_offset", &U::regex_max_offset),
          },
          {"path", "digest", "status_code", "virtualhost", "regex", "regex_no_match",
           "regex_options", "regex_min_offset", "regex_max_offset"}));
  return table;
}

std::vector<Keyword<HttpCheck>> http_keywords_parsed() {
  using H = HttpCheck;
  std::vector<Keyword<H>> out;
  out.push_back(
      kw::string("virtualhost", &H::virtualhost, "<HOST>").default_text("the real server's"));
  out.push_back(kw::enumeration(
      "http_protocol", &H::http_protocol,
      std::vector<std::pair<std::string_view, HttpProtocol>>{{"1.0", HttpProtocol::V1_0},
                                                             {"1.0C", HttpProtocol::V1_0C},
                                                             {"1.0c", HttpProtocol::V1_0C},
                                                             {"1.1", HttpProtocol::V1_1}}));
  out.push_back(kw::boolean("enable_sni", &H::enable_sni).default_text("false"));
  out.push_back(kw::boolean("fast_recovery", &H::fast_recovery).default_text("false"));
  out.push_back(kw::blocks<H, HttpUrl>(
      "url", &H::urls, url_table, "",
      [](HttpUrl&, const Statement& st) { return st.expect_args(0, 0); },
      [](const HttpUrl&) { return DumpArgs{}; }));
  return out;
}

std::vector<Keyword<HttpCheck>> http_keywords() {
  return acted_on(http_keywords_parsed(),
                  {"virtualhost", "http_protocol", "enable_sni", "fast_recovery", "url"});
}

std::vector<Keyword<Checker>> http_table_keywords() {
  std::vector<Keyword<Checker>> out;
  add_common(out, CommonSet::All);
  // nb_get_retry: the old name of retry. keepalived 2.2.7 reports it as deprecated, which
  // fails -t, so halo accepts it (with the same meaning) but reports it too.
  out.push_back(kw::custom<Checker>(
                    "nb_get_retry", "<0..4294967295>",
                    [](Checker& c, const Statement& st) {
                      if (!st.expect_args(1, 1)) return;
                      st.error(st.keyword(), "'nb_get_retry' is deprecated: use 'retry'");
                      auto v = kw::parse_integer(st.arg(0).text);
                      if (v && *v >= 0 && *v <= 4294967295LL) {
                        c.common.retry = static_cast<std::uint32_t>(*v);
                      }
                    },
                    nullptr)
                    .note("deprecated alias of retry; keepalived reports it as an error"));
  add_kind(out, http_keywords());
  return out;
}

const Table<Checker>& http_get_table() {
  static const Table<Checker> table("HTTP_GET", "HTTP health check of a real server",
                                    http_table_keywords());
  return table;
}

const Table<Checker>& ssl_get_table() {
  static const Table<Checker> table("SSL_GET", "HTTPS health check of a real server",
                                    http_table_keywords());
  return table;
}

// ---- TCP_CHECK, PING_CHECK ------------------------------------------------------------------

const Table<Checker>& tcp_check_table() {
  static const Table<Checker> table("TCP_CHECK", "TCP connect check of a real server", [] {
    std::vector<Keyword<Checker>> out;
    add_common(out, CommonSet::All);
    return out;
  }());
  return table;
}

const Table<Checker>& ping_check_table() {
  static const Table<Checker> table("PING_CHECK", "ICMP echo check of a real server", [] {
    std::vector<Keyword<Checker>> out;
    add_common(out, CommonSet::All);
    return out;
  }());
  return table;
}

// ---- SMTP_CHECK -----------------------------------------------------------------------------

const Table<CheckerCommon>& smtp_host_table() {
  static const Table<CheckerCommon> table("SMTP_CHECK host",
                                          "deprecated: one more address an SMTP_CHECK checks",
                                          common_keywords(CommonSet::All));
  return table;
}

const Table<Checker>& smtp_check_table() {
  static const Table<Checker> table("SMTP_CHECK", "SMTP dialogue check of a real server", [] {
    std::vector<Keyword<Checker>> out;
    add_kind<SmtpCheck>(out, {kw::string("helo_name", &SmtpCheck::helo_name, "<STRING>")
                                  .default_text("the local host name")
                                  .acted()});
    add_common(out, CommonSet::All);
    add_kind<SmtpCheck>(
        out, {kw::blocks<SmtpCheck, CheckerCommon>(
                  "host", &SmtpCheck::hosts, smtp_host_table, "",
                  [](CheckerCommon&, const Statement& st) { return st.expect_args(0, 0); },
                  [](const CheckerCommon&) { return DumpArgs{}; })
                  .note("deprecated; use one SMTP_CHECK per address")});
    return out;
  }());
  return table;
}

// ---- DNS_CHECK ------------------------------------------------------------------------------

constexpr std::array<std::pair<std::string_view, DnsType>, 9> kDnsTypes{{
    {"A", DnsType::A},
    {"NS", DnsType::Ns},
    {"CNAME", DnsType::Cname},
    {"SOA", DnsType::Soa},
    {"MX", DnsType::Mx},
    {"TXT", DnsType::Txt},
    {"AAAA", DnsType::Aaaa},
    {"RRSIG", DnsType::Rrsig},
    {"DNSKEY", DnsType::Dnskey},
}};

// keepalived compares DNS types without regard to case.
Keyword<DnsCheck> dns_type_keyword() {
  std::string syntax;
  for (const auto& [n, t] : kDnsTypes) syntax += (syntax.empty() ? "" : "|") + std::string(n);
  return kw::custom<DnsCheck>(
             "type", syntax,
             [syntax](DnsCheck& d, const Statement& st) {
               if (!st.expect_args(1, 1)) return;
               std::string up = st.arg(0).text;
               for (char& c : up)
                 c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
               for (const auto& [n, t] : kDnsTypes) {
                 if (up == n) {
                   d.type = t;
                   return;
                 }
               }
               st.error(st.arg(0),
                        fmt::format("'type' takes {}, not '{}'", syntax, st.arg(0).text));
             },
             [](const DnsCheck& d, Writer& w) {
               if (d.type == DnsType::Soa) return;
               for (const auto& [n, t] : kDnsTypes) {
                 if (t == d.type) w.statement("type", {n});
               }
             })
      .default_text("SOA");
}

const Table<Checker>& dns_check_table() {
  static const Table<Checker> table("DNS_CHECK", "DNS query check of a real server", [] {
    std::vector<Keyword<Checker>> out;
    add_common(out, CommonSet::All);
    add_kind<DnsCheck>(out, acted_on<DnsCheck>({dns_type_keyword(),
                                                kw::string("name", &DnsCheck::name, "<DOMAIN>")},
                                               {"type", "name"}));
    return out;
  }());
  return table;
}

// ---- MISC_CHECK -----------------------------------------------------------------------------

std::vector<Keyword<MiscCheck>> misc_keywords() {
  using M = MiscCheck;
  return {
      kw::custom<M>(
          "misc_path", "<COMMAND>",
          [](M& m, const Statement& st) {
            if (!st.expect_args(1, 1)) return;
            if (st.arg(0).text.empty()) {
              st.error(st.arg(0), "'misc_path' needs a command");
              return;
            }
            m.path.mut().command = st.arg(0).text;
            m.path.mut().loc = st.arg(0).loc;
          },
          [](const M& m, Writer& w) {
            if (!m.path->command.empty()) {
              w.statement("misc_path", {DumpArg(m.path->command, true)});
            }
          })
          .default_text("required"),
      kw::integer("misc_timeout", &M::timeout, 0, 4294967295LL)
          .default_text("the checker's delay_loop"),
      kw::flag("misc_dynamic", &M::dynamic),
      kw::custom<M>(
          "user", "<USER> [<GROUP>]",
          [](M& m, const Statement& st) {
            if (!st.expect_args(1, 2)) return;
            if (getpwnam(st.arg(0).text.c_str()) == nullptr) {
              st.error(st.arg(0), fmt::format("user '{}' does not exist", st.arg(0).text));
              return;
            }
            if (st.size() > 1 && getgrnam(st.arg(1).text.c_str()) == nullptr) {
              st.error(st.arg(1), fmt::format("group '{}' does not exist", st.arg(1).text));
              return;
            }
            auto& path = m.path.mut();
            path.user = st.arg(0).text;
            path.group.reset();
            if (st.size() > 1) path.group = st.arg(1).text;
          },
          [](const M& m, Writer& w) {
            if (!m.path->user) return;
            DumpArgs args{*m.path->user};
            if (m.path->group) args.emplace_back(*m.path->group);
            w.statement("user", args);
          })
          .default_text("script_user of global_defs"),
  };
}

const Table<Checker>& misc_check_table() {
  static const Table<Checker> table("MISC_CHECK", "external program check of a real server", [] {
    std::vector<Keyword<Checker>> out;
    add_kind(out, acted_on(misc_keywords(), {"misc_path", "misc_timeout", "misc_dynamic", "user"}));
    add_common(out, CommonSet::Timing);
    return out;
  }());
  return table;
}

// ---- UDP_CHECK ------------------------------------------------------------------------------

// keepalived's free-form hex: each word is read two digits at a time, a lone last digit is a
// byte of its own ("Ab12f 3" = AB 12 0F 03). The result is kept as two digits per byte.
std::optional<std::string> parse_hex(const Statement& st, std::size_t from, bool wildcard) {
  std::string out;
  for (std::size_t i = from; i < st.size(); ++i) {
    const auto& text = st.arg(i).text;
    for (std::size_t j = 0; j < text.size(); j += 2) {
      std::string byte = text.substr(j, 2);
      if (byte.size() == 1) byte.insert(byte.begin(), '0');
      for (char& c : byte) {
        const bool ok = std::isxdigit(static_cast<unsigned char>(c)) != 0 ||
                        (wildcard && (c == 'x' || c == 'X'));
        if (!ok) {
          st.error(st.arg(i),
                   fmt::format("'{}' value '{}' is not a hex string", st.keyword().text, text));
          return std::nullopt;
        }
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      out += byte;
    }
  }
  return out;
}

std::vector<Keyword<UdpCheck>> udp_keywords() {
  using U = UdpCheck;
  return {
      kw::custom<U>(
          "payload", "<HEX> ...",
          [](U& u, const Statement& st) {
            if (!st.expect_args(1, 10000)) return;
            if (auto hex = parse_hex(st, 0, false)) u.payload = std::move(*hex);
          },
          [](const U& u, Writer& w) {
            if (!u.payload.empty()) w.statement("payload", {u.payload});
          })
          .default_text("random data"),
      kw::custom<U>(
          "require_reply", "[<HEX> ...]",
          [](U& u, const Statement& st) {
            if (auto hex = parse_hex(st, 0, true)) {
              u.require_reply = true;
              u.reply = std::move(*hex);
            }
          },
          [](const U& u, Writer& w) {
            if (!u.require_reply) return;
            w.statement("require_reply", u.reply.empty() ? DumpArgs{} : DumpArgs{u.reply});
          }),
      kw::integer("min_reply_length", &U::min_reply_length, 0, 65535),
      kw::integer("max_reply_length", &U::max_reply_length, 0, 65535),
  };
}

const Table<Checker>& udp_check_table() {
  static const Table<Checker> table("UDP_CHECK", "UDP probe check of a real server", [] {
    std::vector<Keyword<Checker>> out;
    add_common(out, CommonSet::All);
    add_kind(out, acted_on(udp_keywords(),
                           {"payload", "require_reply", "min_reply_length", "max_reply_length"}));
    return out;
  }());
  return table;
}

// ---- FILE_CHECK, BFD_CHECK ------------------------------------------------------------------

const Table<Checker>& file_check_table() {
  using F = FileCheck;
  static const Table<Checker> table("FILE_CHECK", "a track_file's value as a check", [] {
    std::vector<Keyword<Checker>> out;
    add_kind<F>(
        out,
        {kw::string("track_file", &F::track_file, "<NAME>").default_text("required").acted(),
         kw::custom<F>(
             "weight", "<-2147483647..2147483647> [reverse|noreverse]",
             [](F& f, const Statement& st) {
               if (!st.expect_args(1, 2)) return;
               auto v = kw::parse_integer(st.arg(0).text);
               if (!v || *v < -2147483647LL || *v > 2147483647LL) {
                 st.error(st.arg(0), fmt::format("'weight' value {} is out of range "
                                                 "-2147483647..2147483647",
                                                 st.arg(0).text));
                 return;
               }
               bool reverse = false;
               if (st.size() > 1) {
                 if (st.arg(1).text == "reverse") {
                   reverse = true;
                 } else if (st.arg(1).text != "noreverse") {
                   st.error(st.arg(1), fmt::format("'weight' takes reverse|noreverse, not '{}'",
                                                   st.arg(1).text));
                   return;
                 }
               }
               f.weight = static_cast<std::int32_t>(*v);
               f.reverse = reverse;
             },
             [](const F& f, Writer& w) {
               if (!f.weight) return;
               DumpArgs args{static_cast<std::int64_t>(*f.weight)};
               if (f.reverse) args.emplace_back("reverse");
               w.statement("weight", args);
             })
             .default_text("the track_file's weight")
             .acted(),
         kw::custom<F>("dynamic", "", nullptr, nullptr)
             .refused("documented, but keepalived 2.2.7 rejects it as an unknown keyword too")});
    return out;
  }());
  return table;
}

const Table<Checker>& bfd_check_table() {
  static const Table<Checker> table("BFD_CHECK", "a bfd_instance's state as a check", [] {
    std::vector<Keyword<Checker>> out;
    add_kind<BfdCheck>(
        out, {kw::string("name", &BfdCheck::name, "<BFD_INSTANCE>").default_text("required")});
    add_common(out, CommonSet::Alpha, false);
    return out;
  }());
  return table;
}

// ---- the checker keywords of real_server ------------------------------------------------------

struct CheckerType {
  std::string_view name;
  const Table<Checker>& (*table)();
  CheckerKind (*make)();
};

const std::array<CheckerType, 10>& checker_types() {
  static const std::array<CheckerType, 10> types{{
      {"HTTP_GET", http_get_table, [] { return CheckerKind{HttpCheck{}}; }},
      {"SSL_GET", ssl_get_table,
       [] {
         HttpCheck h;
         h.ssl = true;
         return CheckerKind{std::move(h)};
       }},
      {"TCP_CHECK", tcp_check_table, [] { return CheckerKind{TcpCheck{}}; }},
      {"SMTP_CHECK", smtp_check_table, [] { return CheckerKind{SmtpCheck{}}; }},
      {"DNS_CHECK", dns_check_table, [] { return CheckerKind{DnsCheck{}}; }},
      {"MISC_CHECK", misc_check_table, [] { return CheckerKind{MiscCheck{}}; }},
      {"BFD_CHECK", bfd_check_table, [] { return CheckerKind{BfdCheck{}}; }},
      {"UDP_CHECK", udp_check_table, [] { return CheckerKind{UdpCheck{}}; }},
      {"PING_CHECK", ping_check_table, [] { return CheckerKind{PingCheck{}}; }},
      {"FILE_CHECK", file_check_table, [] { return CheckerKind{FileCheck{}}; }},
  }};
  return types;
}

const CheckerType& type_of(const Checker& c) {
  const auto& types = checker_types();
  return std::visit(
      [&](const auto& k) -> const CheckerType& {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, HttpCheck>) return types[k.ssl ? 1 : 0];
        if constexpr (std::is_same_v<K, TcpCheck>) return types[2];
        if constexpr (std::is_same_v<K, SmtpCheck>) return types[3];
        if constexpr (std::is_same_v<K, DnsCheck>) return types[4];
        if constexpr (std::is_same_v<K, MiscCheck>) return types[5];
        if constexpr (std::is_same_v<K, BfdCheck>) return types[6];
        if constexpr (std::is_same_v<K, UdpCheck>) return types[7];
        if constexpr (std::is_same_v<K, PingCheck>) return types[8];
        if constexpr (std::is_same_v<K, FileCheck>) return types[9];
      },
      c.kind);
}

}  // namespace

std::string_view checker_name(const Checker& c) {
  return type_of(c).name;
}

// One keyword per checker type. Every checker is dumped by the first entry, in the order they
// were written, so a dump parses back to the same vector.
std::vector<Keyword<RealServer>> checker_keywords() {
  std::vector<Keyword<RealServer>> out;
  bool first = true;
  for (const auto& type : checker_types()) {
    Keyword<RealServer> k;
    k.info.name = type.name;
    k.info.syntax = "{ ... }";
    k.info.block = true;
    if (type.name == std::string_view("BFD_CHECK")) {
      // -t checks it (keepalived's -t accepts it); the daemon refuses to run it.
      k.info.note = "halod refuses to run a configuration with it: halo has no BFD yet";
    }
    k.parse = [&type](RealServer& rs, const Statement& st) {
      st.expect_args(0, 0);
      Checker c{CheckerCommon{}, type.make()};
      c.common.loc = st.keyword().loc;
      st.parser().parse_block(st, type.table(), c);
      rs.checkers.push_back(std::move(c));
    };
    if (first) {
      k.dump = [](const RealServer& rs, Writer& w) {
        for (const auto& c : rs.checkers) {
          const auto& t = type_of(c);
          w.begin_block(t.name, {});
          t.table().dump(c, w);
          w.end_block();
        }
      };
      first = false;
    }
    out.push_back(std::move(k));
  }
  return out;
}

std::vector<const TableInfo*> checker_tables() {
  std::vector<const TableInfo*> out;
  for (const auto& type : checker_types()) out.push_back(&type.table());
  out.push_back(&url_table());
  out.push_back(&smtp_host_table());
  return out;
}

}  // namespace halo::config
