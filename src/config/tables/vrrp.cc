// Keyword tables of the VRRP blocks (see model/vrrp.h): vrrp_script, vrrp_track_process,
// track_file, vrrp_sync_group and vrrp_instance, with the tracking and notify keywords that
// instances and sync groups share.
//
// Ranges and value syntaxes follow keepalived 2.2.7 as `keepalived -t` checks them, which
// sometimes differs from the man page: track_script items take `noreverse` (not `no_reverse`),
// track_file weights are -254..254, vrrp_script intervals are whole seconds. Checks that need
// more than one keyword (families, references, duplicates) live in validate_vrrp.cc.
#include <grp.h>
#include <pwd.h>

#include <limits>

#include "config/fields.h"
#include "config/tables/global_ip_items.h"
#include "config/tables/tables.h"

namespace halo::config {
namespace {

using std::chrono::seconds;

// ---- codecs and helpers -----------------------------------------------------------------------

// Whole seconds, as keepalived reads vrrp_script interval/timeout.
template <class T, class M>
Keyword<T> whole_seconds(std::string_view name, M T::*member, std::int64_t min, std::int64_t max) {
  return kw::value(name, member,
                   kw::DurationCodec{seconds(min), seconds(max), seconds(1), /*whole=*/true});
}

// `weight <N> [reverse]` of vrrp_script, vrrp_track_process and track_file. With `once`, a
// second weight after one other than 1 is an error and ignored (keepalived 2.2.7 "Weight
// already set for track file/process"; it compares with 1, so `weight 1` followed by another
// weight passes, even in a vrrp_track_process whose weight defaults to 0).
template <class T>
Keyword<T> tracker_weight(std::int16_t T::*weight, bool T::*reverse, std::int64_t min,
                          std::int64_t max, bool once = false) {
  return kw::custom<T>(
             "weight", fmt::format("<{}..{}> [reverse]", min, max),
             [=](T& t, const Statement& st) {
               if (!st.expect_args(1, 2)) return;
               if (once && t.*weight != 1 && t.*weight != kw::defaults<T>().*weight) {
                 st.error(st.arg(0), fmt::format("weight is already set for '{}'; ignoring '{}'",
                                                 t.name, st.arg(0).text));
                 return;
               }
               auto v = kw::integer_arg(st, st.arg(0), "weight", min, max);
               if (!v) return;
               bool rev = false;
               if (st.size() == 2) {
                 if (st.arg(1).text != "reverse") {
                   st.error(st.arg(1), fmt::format("unknown weight option '{}': expected 'reverse'",
                                                   st.arg(1).text));
                   return;
                 }
                 rev = true;
               }
               t.*weight = static_cast<std::int16_t>(*v);
               t.*reverse = rev;
             },
             [=](const T& t, Writer& w) {
               if (t.*weight == kw::defaults<T>().*weight && !(t.*reverse)) return;
               DumpArgs args{static_cast<int>(t.*weight)};
               if (t.*reverse) args.emplace_back("reverse");
               w.statement("weight", args);
             })
      .default_text(std::to_string(kw::defaults<T>().*weight));
}

// A user (and group) name that must exist on the host.
bool check_user_group(const Statement& st, std::size_t first) {
  if (st.size() > first && getpwnam(st.arg(first).text.c_str()) == nullptr) {
    st.error(st.arg(first), fmt::format("user '{}' does not exist", st.arg(first).text));
    return false;
  }
  if (st.size() > first + 1 && getgrnam(st.arg(first + 1).text.c_str()) == nullptr) {
    st.error(st.arg(first + 1), fmt::format("group '{}' does not exist", st.arg(first + 1).text));
    return false;
  }
  return true;
}

// ---- tracking lists (shared by vrrp_instance and vrrp_sync_group) -----------------------------

struct TrackSpec {
  std::string_view what;  // "track_script"
  std::int64_t min, max;
  bool noreverse;  // `noreverse` accepted after the weight
};

// Parses `NAME [weight N [reverse|noreverse]]`.
std::optional<TrackRef> parse_track_ref(const Statement& st, const TrackSpec& spec) {
  TrackRef ref;
  ref.name = st.keyword().text;
  ref.loc = st.keyword().loc;
  const auto args = st.args();
  std::size_t i = 0;
  if (i < args.size() && args[i].text == "weight") {
    if (i + 1 >= args.size()) {
      st.error(args[i], fmt::format("'weight' needs a value for {} '{}'", spec.what, ref.name));
      return std::nullopt;
    }
    auto v = kw::integer_arg(st, args[i + 1], "weight", spec.min, spec.max);
    if (!v) return std::nullopt;
    ref.weight = static_cast<std::int16_t>(*v);
    i += 2;
    if (i < args.size()) {
      if (args[i].text == "reverse") {
        ref.reverse = true;
        ++i;
      } else if (spec.noreverse && args[i].text == "noreverse") {
        ++i;
      } else {
        st.error(args[i], fmt::format("unknown weight option '{}' for {} '{}': expected {}",
                                      args[i].text, spec.what, ref.name,
                                      spec.noreverse ? "reverse|noreverse" : "reverse"));
        return std::nullopt;
      }
    }
  }
  if (i < args.size()) {
    if (!ref.weight) {
      st.error(args[i], fmt::format("unknown option '{}' for {} '{}': expected 'weight <N>'",
                                    args[i].text, spec.what, ref.name));
      return std::nullopt;
    }
    st.warning(args[i], fmt::format("extra words after {} '{}' ignored", spec.what, ref.name));
  }
  return ref;
}

DumpArgs dump_track_ref(const TrackRef& r) {
  DumpArgs out{DumpArg(r.name, true)};
  if (r.weight) {
    out.emplace_back("weight");
    out.emplace_back(static_cast<int>(*r.weight));
    if (r.reverse) out.emplace_back("reverse");
  }
  return out;
}

template <class T>
Keyword<T> track_list(std::string_view name, std::vector<TrackRef> Tracking::*member,
                      TrackSpec spec) {
  Keyword<T> k = kw::custom<T>(
      name, "",
      [member, spec](T& t, const Statement& st) {
        st.expect_args(0, 0);
        st.parser().parse_list(st, [&](const Statement& item) {
          if (auto r = parse_track_ref(item, spec)) (t.track.*member).push_back(std::move(*r));
        });
      },
      [member, name](const T& t, Writer& w) {
        const auto& list = t.track.*member;
        if (list.empty()) return;
        w.begin_block(name, {});
        for (const auto& r : list) w.item(dump_track_ref(r));
        w.end_block();
      });
  k.info.syntax = fmt::format("{{ <NAME> [weight <{}..{}> [reverse{}]] ... }}", spec.min, spec.max,
                              spec.noreverse ? "|noreverse" : "");
  k.info.block = true;
  return k;
}

template <class T>
Keyword<T> track_interface() {
  Keyword<T> k = kw::custom<T>(
      "track_interface", "{ <INTERFACE> [weight <-253..253> [reverse]] ... }",
      [](T& t, const Statement& st) {
        st.expect_args(0, 0);
        st.parser().parse_list(st, [&](const Statement& item) {
          auto r = parse_track_ref(item, {"track_interface", -253, 253, false});
          if (!r) return;
          t.track.interfaces.push_back(
              TrackedInterface{r->name, r->loc, r->weight.value_or(0), r->reverse});
        });
      },
      [](const T& t, Writer& w) {
        if (t.track.interfaces.empty()) return;
        w.begin_block("track_interface", {});
        for (const auto& i : t.track.interfaces) {
          DumpArgs args{DumpArg(i.name, true)};
          if (i.weight != 0 || i.reverse) {
            args.emplace_back("weight");
            args.emplace_back(static_cast<int>(i.weight));
            if (i.reverse) args.emplace_back("reverse");
          }
          w.item(args);
        }
        w.end_block();
      });
  k.info.block = true;
  return k;
}

template <class T>
void add_tracking(std::vector<Keyword<T>>& out) {
  out.push_back(track_interface<T>());
  out.push_back(
      track_list<T>("track_script", &Tracking::scripts, {"track_script", -253, 253, true}));
  out.push_back(track_list<T>("track_file", &Tracking::files, {"track_file", -254, 254, true}));
  out.push_back(
      track_list<T>("track_process", &Tracking::processes, {"track_process", -254, 254, true}));
  out.push_back(track_list<T>("track_bfd", &Tracking::bfds, {"track_bfd", -253, 253, true}));
}

// ---- vrrp_script --------------------------------------------------------------------------

const Table<VrrpScript>& vrrp_script_table() {
  static const Table<VrrpScript> table(
      "vrrp_script", "a command run periodically; instances and sync groups track its status",
      kw::all_acted<VrrpScript>({
          kw::custom<VrrpScript>(
              "script", kw::ScriptCodec{}.syntax(),
              [](VrrpScript& s, const Statement& st) {
                if (!st.expect_args(1, 3)) return;
                auto v = kw::ScriptCodec{}.parse(st);
                if (!v) return;
                if (!v->user) {  // keep a `user` given before `script`
                  v->user = s.script.user;
                  v->group = s.script.group;
                }
                s.script = std::move(*v);
              },
              [](const VrrpScript& s, Writer& w) {
                if (!s.script.command.empty()) {
                  w.statement("script", kw::ScriptCodec{}.format(s.script));
                }
              }),
          whole_seconds("interval", &VrrpScript::interval, 1, 4294),
          whole_seconds("timeout", &VrrpScript::timeout, 1, 4294).default_text("the interval"),
          tracker_weight(&VrrpScript::weight, &VrrpScript::weight_reverse, -253, 253),
          kw::integer("rise", &VrrpScript::rise, 1, 2147483647),
          kw::integer("fall", &VrrpScript::fall, 1, 2147483647),
          kw::custom<VrrpScript>(
              "user", "<USER> [<GROUP>]",
              [](VrrpScript& s, const Statement& st) {
                if (!st.expect_args(1, 2) || !check_user_group(st, 0)) return;
                s.script.user = st.arg(0).text;
                s.script.group.reset();
                if (st.size() > 1) s.script.group = st.arg(1).text;
              },
              [](const VrrpScript& s, Writer& w) {
                // With a script, the user is printed on its line.
                if (!s.script.command.empty() || !s.script.user) return;
                DumpArgs args{*s.script.user};
                if (s.script.group) args.emplace_back(*s.script.group);
                w.statement("user", args);
              })
              .default_text("global script_user"),
          kw::flag("init_fail", &VrrpScript::init_fail),
      }));
  return table;
}

// ---- vrrp_track_process -------------------------------------------------------------------

const Table<TrackProcess>& track_process_table() {
  static const Table<TrackProcess> table(
      "vrrp_track_process", "processes watched through the kernel's process connector",
      kw::all_acted<TrackProcess>({
          kw::custom<TrackProcess>(
              "process", "<NAME> [<PARAMETER> ...]",
              [](TrackProcess& p, const Statement& st) {
                if (!st.expect_args(1, 65535)) return;
                if (!p.process.empty()) {
                  st.error(st.arg(0), fmt::format("'process' is already set for track process "
                                                  "'{}'",
                                                  p.name));
                  return;
                }
                for (const auto& t : st.args()) p.process.push_back(t.text);
              },
              [](const TrackProcess& p, Writer& w) {
                if (p.process.empty()) return;
                DumpArgs args;
                for (const auto& s : p.process) args.emplace_back(s, true);
                w.statement("process", args);
              }),
          kw::custom<TrackProcess>(
              "param_match", "[initial|partial]",
              [](TrackProcess& p, const Statement& st) {
                if (!st.expect_args(0, 1)) return;
                if (st.size() == 0) {
                  p.param_match = ParamMatch::Exact;
                } else if (st.arg(0).text == "initial") {
                  p.param_match = ParamMatch::Initial;
                } else if (st.arg(0).text == "partial") {
                  p.param_match = ParamMatch::Partial;
                } else {
                  st.error(st.arg(0), fmt::format("'param_match' takes initial|partial, not '{}'",
                                                  st.arg(0).text));
                }
              },
              [](const TrackProcess& p, Writer& w) {
                if (!p.param_match) return;
                switch (*p.param_match) {
                  case ParamMatch::Exact:
                    w.statement("param_match", {});
                    break;
                  case ParamMatch::Initial:
                    w.statement("param_match", {"initial"});
                    break;
                  case ParamMatch::Partial:
                    w.statement("param_match", {"partial"});
                    break;
                }
              }),
          tracker_weight(&TrackProcess::weight, &TrackProcess::weight_reverse, -254, 254,
                         /*once=*/true),
          kw::integer("quorum", &TrackProcess::quorum, 1, 65535),
          kw::integer("quorum_max", &TrackProcess::quorum_max, 0, 65535),
          kw::seconds("fork_delay", &TrackProcess::fork_delay, 0.000001, 3600)
              .syntax("<SECONDS 0.000001..3600>"),
          kw::seconds("terminate_delay", &TrackProcess::terminate_delay, 0.000001, 3600)
              .syntax("<SECONDS 0.000001..3600>"),
          kw::custom<TrackProcess>(
              "delay", "<SECONDS 0.000001..3600>",
              [](TrackProcess& p, const Statement& st) {
                if (!st.expect_args(1, 1)) return;
                if (auto d = kw::DurationCodec{Duration(1), seconds(3600)}.parse(st)) {
                  p.fork_delay = *d;
                  p.terminate_delay = *d;
                }
              },
              nullptr)  // printed as fork_delay and terminate_delay
              .note("sets fork_delay and terminate_delay"),
          kw::flag("full_command", &TrackProcess::full_command),
      }));
  return table;
}

// ---- track_file ---------------------------------------------------------------------------

const Table<TrackFile>& track_file_table() {
  static const Table<TrackFile> table(
      "track_file", "a file holding a number; its value adjusts priorities",
      kw::all_acted<TrackFile>({
          // keepalived keeps the first file and reports the second.
          kw::custom<TrackFile>(
              "file", "<PATH>",
              [](TrackFile& f, const Statement& st) {
                if (!st.expect_args(1, 1)) return;
                if (!f.file.empty()) {
                  st.error(st.arg(0), fmt::format("'file' is already set for track_file '{}'; "
                                                  "ignoring '{}'",
                                                  f.name, st.arg(0).text));
                  return;
                }
                f.file = st.arg(0).text;
              },
              [](const TrackFile& f, Writer& w) {
                if (!f.file.empty()) w.statement("file", DumpArgs{DumpArg(f.file, true)});
              }),
          tracker_weight(&TrackFile::weight, &TrackFile::weight_reverse, -254, 254,
                         /*once=*/true),
          // As keepalived reads it: words in any order, a word starting with a digit or '-' is
          // the value (the last one wins), 'overwrite' the option. A value outside -254..254
          // is reported (keepalived: "outside sensible range"): it cannot be a valid weight
          // product for an instance.
          kw::custom<TrackFile>(
              "init_file", "[<VALUE>] [overwrite]",
              [](TrackFile& f, const Statement& st) {
                TrackFile::Init init;
                for (const auto& t : st.args()) {
                  const char c = t.text.empty() ? '\0' : t.text[0];
                  if ((c >= '0' && c <= '9') || c == '-') {
                    auto v = kw::integer_arg(st, t, "init_file",
                                             std::numeric_limits<std::int32_t>::min(),
                                             std::numeric_limits<std::int32_t>::max());
                    if (!v) return;
                    if (*v < -254 || *v > 254) {
                      st.error(t, fmt::format("init_file value {} is outside the sensible range "
                                              "-254..254",
                                              *v));
                      return;
                    }
                    init.value = static_cast<std::int32_t>(*v);
                  } else if (t.text == "overwrite") {
                    init.overwrite = true;
                  } else {
                    st.error(t, fmt::format("unknown init_file option '{}'", t.text));
                    return;
                  }
                }
                f.init_file = init;
              },
              [](const TrackFile& f, Writer& w) {
                if (!f.init_file) return;
                DumpArgs args;
                if (f.init_file->value != 0) args.emplace_back(f.init_file->value);
                if (f.init_file->overwrite) args.emplace_back("overwrite");
                w.statement("init_file", args);
              }),
      }));
  return table;
}

// ---- vrrp_sync_group ----------------------------------------------------------------------

const Table<VrrpSyncGroup>& sync_group_table() {
  static const Table<VrrpSyncGroup> table(
      "vrrp_sync_group", "instances that change state together", [] {
        std::vector<Keyword<VrrpSyncGroup>> k;
        Keyword<VrrpSyncGroup> group = kw::custom<VrrpSyncGroup>(
            "group", "{ <INSTANCE> ... }",
            [](VrrpSyncGroup& g, const Statement& st) {
              st.expect_args(0, 0);
              const bool again = g.group_set;
              if (again) {
                st.error(fmt::format("'group' is already given for sync group '{}'", g.name));
              }
              g.group_set = true;
              st.parser().parse_list(st, [&](const Statement& item) {
                if (again) return;
                g.group.push_back({item.keyword().text, item.keyword().loc});
                for (const auto& t : item.args()) g.group.push_back({t.text, t.loc});
              });
            },
            [](const VrrpSyncGroup& g, Writer& w) {
              if (!g.group_set && g.group.empty()) return;
              w.begin_block("group", {});
              for (const auto& m : g.group) w.item({DumpArg(m.name, true)});
              w.end_block();
            });
        group.info.block = true;
        k.push_back(std::move(group));
        add_tracking(k);
        k.push_back(kw::script("notify_master", &VrrpSyncGroup::notify_master));
        k.push_back(kw::script("notify_backup", &VrrpSyncGroup::notify_backup));
        k.push_back(kw::script("notify_fault", &VrrpSyncGroup::notify_fault));
        k.push_back(kw::script("notify_stop", &VrrpSyncGroup::notify_stop));
        k.push_back(kw::script("notify", &VrrpSyncGroup::notify));
        k.push_back(kw::boolean("notify_priority_changes", &VrrpSyncGroup::notify_priority_changes)
                        .default_text("global vrrp_notify_priority_changes"));
        k.push_back(kw::boolean("smtp_alert", &VrrpSyncGroup::smtp_alert)
                        .default_text("global smtp_alert_vrrp, else smtp_alert, else false")
                        .acted());
        k.push_back(kw::custom<VrrpSyncGroup>(
                        "global_tracking", "",
                        [](VrrpSyncGroup& g, const Statement& st) {
                          if (!st.expect_args(0, 0)) return;
                          g.sync_group_tracking_weight = true;
                          // keepalived -t fails on it too.
                          st.error(
                              "'global_tracking' is deprecated: use sync_group_tracking_weight, "
                              "or track_* blocks on the sync group");
                        },
                        nullptr)
                        .note("deprecated (an error, as in keepalived -t); read as "
                              "sync_group_tracking_weight"));
        k.push_back(
            kw::flag("sync_group_tracking_weight", &VrrpSyncGroup::sync_group_tracking_weight));
        // What the engine, the trackers and the notifier act on today.
        return kw::mark_acted(
            std::move(k),
            {"group", "track_interface", "track_script", "track_file", "track_process",
             "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify",
             "notify_priority_changes", "sync_group_tracking_weight"});
      }());
  return table;
}

// ---- vrrp_instance ------------------------------------------------------------------------

const Table<Authentication>& authentication_table() {
  static const Table<Authentication> table(
      "authentication", "VRRPv2 authentication (deprecated by RFC 3768)",
      {
          kw::enumeration("auth_type", &Authentication::type,
                          std::vector<std::pair<std::string_view, AuthType>>{
                              {"PASS", AuthType::Pass}, {"AH", AuthType::Ah}})
              .default_text("none"),
          kw::custom<Authentication>(
              "auth_pass", "<PASSWORD up to 8 characters>",
              [](Authentication& a, const Statement& st) {
                if (!st.expect_args(1, 1)) return;
                a.pass = st.arg(0).text;
                if (a.pass.size() > 8) {
                  // keepalived truncates, and -t fails.
                  st.error(st.arg(0), fmt::format("'auth_pass' is {} characters long; at most 8 "
                                                  "are used",
                                                  a.pass.size()));
                  a.pass.resize(8);
                }
              },
              [](const Authentication& a, Writer& w) {
                if (!a.pass.empty()) w.statement("auth_pass", {DumpArg(a.pass, true)});
              }),
      });
  return table;
}

std::optional<MacAddress> parse_mac(std::string_view text) {
  MacAddress mac;
  std::size_t n = 0;
  while (!text.empty()) {
    if (n == 6) return std::nullopt;
    auto colon = text.find(':');
    auto part = text.substr(0, colon);
    if (part.empty() || part.size() > 2) return std::nullopt;
    unsigned v = 0;
    for (char c : part) {
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<unsigned>(d);
    }
    mac.bytes[n++] = static_cast<std::uint8_t>(v);
    if (colon == std::string_view::npos) break;
    text.remove_prefix(colon + 1);
    if (text.empty()) return std::nullopt;
  }
  if (n != 5 && n != 6) return std::nullopt;
  mac.length = static_cast<std::uint8_t>(n);
  return mac;
}

std::string format_mac(const MacAddress& m) {
  std::string s;
  for (std::size_t i = 0; i < m.length; ++i) {
    s += fmt::format("{}{:02x}", i ? ":" : "", static_cast<unsigned>(m.bytes[i]));
  }
  return s;
}

void parse_use_vmac(VrrpInstance& v, const Statement& st) {
  if (!st.expect_args(0, 2)) return;
  UseVmac vmac;
  for (const auto& t : st.args()) {
    if (t.text.find(':') != std::string::npos) {
      auto mac = parse_mac(t.text);
      if (!mac) {
        st.error(t, fmt::format("'{}' is not a MAC address of 5 or 6 octets", t.text));
        return;
      }
      if (mac->bytes[0] == 0 && mac->bytes[1] == 0 && mac->bytes[2] == 0x5e && mac->bytes[3] == 0 &&
          (mac->bytes[4] == 1 || mac->bytes[4] == 2)) {
        st.error(t,
                 fmt::format("VMAC address {} may not be an RFC 5798 virtual router MAC", t.text));
        return;
      }
      vmac.mac = *mac;
    } else if (vmac.name.empty() && !vmac.mac) {
      if (t.text.size() > 15) {
        st.error(t, fmt::format("interface name '{}' is longer than 15 characters", t.text));
        return;
      }
      vmac.name = t.text;
    } else {
      st.error(t, fmt::format("unexpected '{}': use_vmac takes [<NAME>] [<MAC>]", t.text));
      return;
    }
  }
  v.use_vmac = std::move(vmac);
}

void dump_use_vmac(const VrrpInstance& v, Writer& w) {
  if (!v.use_vmac) return;
  DumpArgs args;
  if (!v.use_vmac->name.empty()) args.emplace_back(v.use_vmac->name);
  if (v.use_vmac->mac) args.emplace_back(format_mac(*v.use_vmac->mac));
  w.statement("use_vmac", args);
}

constexpr std::pair<std::string_view, IpvlanMode> kIpvlanModes[] = {
    {"bridge", IpvlanMode::Bridge}, {"private", IpvlanMode::Private}, {"vepa", IpvlanMode::Vepa}};

void parse_use_ipvlan(VrrpInstance& v, const Statement& st) {
  if (!st.expect_args(0, 3)) return;
  UseIpvlan ipvlan;
  bool have_mode = false;
  for (const auto& t : st.args()) {
    bool is_mode = false;
    for (const auto& [n, m] : kIpvlanModes) {
      if (t.text == n) {
        ipvlan.mode = m;
        is_mode = true;
      }
    }
    if (is_mode && !have_mode) {
      have_mode = true;
    } else if (auto p = IpPrefix::parse(t.text); p && !ipvlan.address && !have_mode) {
      ipvlan.address = *p;
    } else if (ipvlan.name.empty() && !ipvlan.address && !have_mode && !is_mode) {
      ipvlan.name = t.text;
    } else {
      st.error(t, fmt::format("unexpected '{}': use_ipvlan takes [<NAME>] [<IPADDR>[/<LEN>]] "
                              "[bridge|private|vepa]",
                              t.text));
      return;
    }
  }
  v.use_ipvlan = std::move(ipvlan);
}

void dump_use_ipvlan(const VrrpInstance& v, Writer& w) {
  if (!v.use_ipvlan) return;
  DumpArgs args;
  if (!v.use_ipvlan->name.empty()) args.emplace_back(v.use_ipvlan->name);
  if (v.use_ipvlan->address) args.emplace_back(v.use_ipvlan->address->to_string());
  for (const auto& [n, m] : kIpvlanModes) {
    if (m == v.use_ipvlan->mode && m != IpvlanMode::Bridge) args.emplace_back(n);
  }
  w.statement("use_ipvlan", args);
}

std::optional<UnicastPeer> parse_unicast_peer(const Statement& st) {
  UnicastPeer p;
  p.loc = st.keyword().loc;
  auto a = IpAddress::parse(st.keyword().text);
  if (!a) {
    st.error(st.keyword(), fmt::format("'{}' is not a valid IP address", st.keyword().text));
    return std::nullopt;
  }
  p.address = *a;
  const auto args = st.args();
  for (std::size_t i = 0; i < args.size(); i += 2) {
    const auto& opt = args[i];
    const bool min = opt.text == "min_ttl";
    if (!min && opt.text != "max_ttl") {
      st.error(opt,
               fmt::format("unknown unicast_peer option '{}': expected min_ttl|max_ttl", opt.text));
      return std::nullopt;
    }
    if (i + 1 >= args.size()) {
      st.error(opt, fmt::format("'{}' needs a value", opt.text));
      return std::nullopt;
    }
    auto v = kw::integer_arg(st, args[i + 1], opt.text, 0, 255);
    if (!v) return std::nullopt;
    (min ? p.min_ttl : p.max_ttl) = static_cast<std::uint8_t>(*v);
  }
  if (p.min_ttl && p.max_ttl && *p.min_ttl > *p.max_ttl) {
    st.error(st.keyword(), fmt::format("min_ttl {} is greater than max_ttl {}: every packet "
                                       "would be discarded",
                                       *p.min_ttl, *p.max_ttl));
    return std::nullopt;
  }
  return p;
}

DumpArgs dump_unicast_peer(const UnicastPeer& p) {
  DumpArgs out{p.address.to_string()};
  if (p.min_ttl) {
    out.emplace_back("min_ttl");
    out.emplace_back(static_cast<int>(*p.min_ttl));
  }
  if (p.max_ttl) {
    out.emplace_back("max_ttl");
    out.emplace_back(static_cast<int>(*p.max_ttl));
  }
  return out;
}

void parse_garp_extra_if(VrrpInstance& v, const Statement& st) {
  if (!st.expect_args(1, 2)) return;
  GarpExtraIf g;
  bool have_interval = false;
  for (const auto& t : st.args()) {
    if (t.text == "all" && !g.all) {
      g.all = true;
    } else if (!have_interval) {
      auto n = kw::integer_arg(st, t, "garp_extra_if", 0, 86400);
      if (!n) return;
      g.interval = static_cast<std::uint32_t>(*n);
      have_interval = true;
    } else {
      st.error(t, fmt::format("unexpected '{}': garp_extra_if takes [all] <SECONDS>", t.text));
      return;
    }
  }
  if (!have_interval) {
    st.error("'garp_extra_if' needs an interval in seconds");
    return;
  }
  v.garp_extra_if = g;
}

// The shared item syntax, as it applies to virtual (not static) items.
std::string virtual_syntax(std::string_view shared) {
  std::string s(shared);
  for (std::string_view group : {"[track_group <GROUP>] ", " [track_group <GROUP>]"}) {
    if (auto at = s.find(group); at != std::string::npos) s.erase(at, group.size());
  }
  if (auto at = s.find("[no_track]"); at != std::string::npos && s.starts_with("<IPADDR>")) {
    s.insert(at, "[use_vmac [<NAME>]] ");
  }
  return s;
}

template <class M>
Keyword<VrrpInstance> address_with_loc(std::string_view name, M VrrpInstance::*member,
                                       SourceLoc VrrpInstance::*loc) {
  Keyword<VrrpInstance> k = kw::address(name, member);
  auto inner = k.parse;
  k.parse = [inner, loc](VrrpInstance& v, const Statement& st) {
    inner(v, st);
    if (st.size() > 0) v.*loc = st.arg(0).loc;
  };
  return k;
}

template <class Item>
Keyword<VrrpInstance> item_list(std::string_view name, std::vector<Item> VrrpInstance::*member,
                                std::string syntax, std::optional<Item> (*parse)(const Statement&),
                                DumpArgs (*dump)(const Item&)) {
  return kw::list<VrrpInstance, Item>(name, member, std::move(syntax), parse, dump);
}

const Table<VrrpInstance>& vrrp_instance_table() {
  static const Table<VrrpInstance> table(
      "vrrp_instance", "one virtual router on one interface", [] {
        using V = VrrpInstance;
        std::vector<Keyword<V>> k;
        k.push_back(kw::custom<V>(
                        "state", "MASTER|BACKUP",
                        [](V& v, const Statement& st) {
                          if (!st.expect_args(1, 1)) return;
                          const auto& s = st.arg(0).text;
                          if (s == "MASTER") {
                            v.state = VrrpState::Master;
                          } else if (s == "BACKUP") {
                            if (v.state == VrrpState::Master) {
                              st.error(st.arg(0), "'state' was already set to MASTER");
                              return;
                            }
                            v.state = VrrpState::Backup;
                          } else {
                            st.error(st.arg(0),
                                     fmt::format("'state' takes MASTER|BACKUP, not '{}'", s));
                          }
                        },
                        [](const V& v, Writer& w) {
                          if (v.state == VrrpState::Master) w.statement("state", {"MASTER"});
                        })
                        .default_text("BACKUP"));
        k.push_back(kw::custom<V>(
                        "interface", "<INTERFACE>",
                        [](V& v, const Statement& st) {
                          if (!st.expect_args(1, 1)) return;
                          v.interface = st.arg(0).text;
                          v.interface_loc = st.arg(0).loc;
                        },
                        [](const V& v, Writer& w) {
                          if (!v.interface.empty())
                            w.statement("interface", {DumpArg(v.interface, true)});
                        })
                        .default_text("none (required)"));
        k.push_back(kw::string("vrf", &V::vrf, "<VRF_INTERFACE>"));
        k.push_back(
            kw::custom<V>("use_vmac", "[<VMAC_INTERFACE>] [<MAC>]", parse_use_vmac, dump_use_vmac));
        k.push_back(kw::flag("use_vmac_addr", &V::use_vmac_addr));
        k.push_back(kw::flag("vmac_xmit_base", &V::vmac_xmit_base));
        k.push_back(kw::custom<V>("use_ipvlan",
                                  "[<INTERFACE>] [<IPADDR>[/<LEN>]] [bridge|private|vepa]",
                                  parse_use_ipvlan, dump_use_ipvlan));
        k.push_back(kw::flag("native_ipv6", &V::native_ipv6).note("deprecated in keepalived"));
        k.push_back(kw::flag("dont_track_primary", &V::dont_track_primary));
        add_tracking(k);
        k.push_back(address_with_loc("mcast_src_ip", &V::mcast_src_ip, &V::src_ip_loc));
        k.push_back(address_with_loc("unicast_src_ip", &V::unicast_src_ip, &V::src_ip_loc));
        k.push_back(kw::address("mcast_dst_ip", &V::mcast_dst_ip)
                        .syntax("<MULTICAST_IPADDR>")
                        .default_text("224.0.0.18 / ff02::12"));
        k.push_back(kw::flag("track_src_ip", &V::track_src_ip));
        k.push_back(kw::integer("version", &V::version, 2, 3).default_text("global vrrp_version"));
        k.push_back(kw::flag("check_unicast_src", &V::check_unicast_src));
        k.push_back(item_list<UnicastPeer>("unicast_peer", &V::unicast_peer,
                                           "<IPADDR> [min_ttl <0..255>] [max_ttl <0..255>]",
                                           parse_unicast_peer, dump_unicast_peer));
        k.push_back(kw::flag("unicast_fault_no_peer", &V::unicast_fault_no_peer));
        k.push_back(kw::integer("unicast_ttl", &V::unicast_ttl, 0, 255).default_text("255"));
        k.push_back(kw::custom<V>(
                        "old_unicast_checksum", "[never]",
                        [](V& v, const Statement& st) {
                          if (!st.expect_args(0, 1)) return;
                          if (st.size() == 0) {
                            v.old_unicast_checksum = OldUnicastChecksum::On;
                          } else if (st.arg(0).text == "never") {
                            v.old_unicast_checksum = OldUnicastChecksum::Never;
                          } else {
                            st.error(st.arg(0), fmt::format("'old_unicast_checksum' takes [never], "
                                                            "not '{}'",
                                                            st.arg(0).text));
                          }
                        },
                        [](const V& v, Writer& w) {
                          if (v.old_unicast_checksum == OldUnicastChecksum::On) {
                            w.statement("old_unicast_checksum", {});
                          } else if (v.old_unicast_checksum == OldUnicastChecksum::Never) {
                            w.statement("old_unicast_checksum", {"never"});
                          }
                        })
                        .default_text("off (auto-detect)"));
        constexpr std::int64_t kU32 = std::numeric_limits<std::uint32_t>::max();
        k.push_back(kw::integer("garp_master_delay", &V::garp_master_delay, 0, 4294)
                        .default_text("global vrrp_garp_master_delay"));
        k.push_back(kw::integer("garp_master_repeat", &V::garp_master_repeat, 1, kU32)
                        .default_text("global vrrp_garp_master_repeat"));
        k.push_back(kw::integer("garp_lower_prio_delay", &V::garp_lower_prio_delay, 0, 4294)
                        .default_text("global vrrp_garp_lower_prio_delay"));
        k.push_back(kw::integer("garp_lower_prio_repeat", &V::garp_lower_prio_repeat, 0, kU32)
                        .default_text("global vrrp_garp_lower_prio_repeat"));
        k.push_back(kw::integer("garp_master_refresh", &V::garp_master_refresh, 0, kU32)
                        .default_text("global vrrp_garp_master_refresh"));
        k.push_back(
            kw::integer("garp_master_refresh_repeat", &V::garp_master_refresh_repeat, 1, kU32)
                .default_text("global vrrp_garp_master_refresh_repeat"));
        k.push_back(kw::custom<V>("garp_extra_if", "[all] <SECONDS 0..86400>", parse_garp_extra_if,
                                  [](const V& v, Writer& w) {
                                    if (!v.garp_extra_if) return;
                                    DumpArgs args;
                                    if (v.garp_extra_if->all) args.emplace_back("all");
                                    args.emplace_back(v.garp_extra_if->interval);
                                    w.statement("garp_extra_if", args);
                                  })
                        .default_text("global vrrp_garp_extra_if"));
        k.push_back(kw::integer("down_timer_adverts", &V::down_timer_adverts, 1, 100));
        k.push_back(kw::boolean("lower_prio_no_advert", &V::lower_prio_no_advert)
                        .default_text("global vrrp_lower_prio_no_advert"));
        k.push_back(kw::boolean("higher_prio_send_advert", &V::higher_prio_send_advert)
                        .default_text("global vrrp_higher_prio_send_advert"));
        k.push_back(kw::custom<V>(
                        "virtual_router_id", "<1..255>",
                        [](V& v, const Statement& st) {
                          if (!st.expect_args(1, 1)) return;
                          if (auto n =
                                  kw::integer_arg(st, st.arg(0), "virtual_router_id", 1, 255)) {
                            v.virtual_router_id = static_cast<std::uint8_t>(*n);
                            v.vrid_loc = st.arg(0).loc;
                          }
                        },
                        [](const V& v, Writer& w) {
                          if (v.virtual_router_id != 0)
                            w.statement("virtual_router_id", {v.virtual_router_id});
                        })
                        .default_text("none (required)"));
        k.push_back(kw::integer("priority", &V::priority, 1, 255));
        k.push_back(kw::seconds("advert_int", &V::advert_int, 0.01, 255)
                        .note("VRRPv2: whole seconds; VRRPv3: multiples of 10 ms below 40.96"));
        k.push_back(kw::block("authentication", &V::authentication, authentication_table)
                        .note("not with VRRPv3 or strict mode"));
        auto vip = [](const Statement& st) {
          return parse_ip_address_item(st, IpItemContext::Virtual);
        };
        k.push_back(kw::list<V, IpAddressItem>("virtual_ipaddress", &V::virtual_ipaddress,
                                               virtual_syntax(kIpAddressItemSyntax), vip,
                                               dump_ip_address_item));
        k.push_back(kw::list<V, IpAddressItem>(
            "virtual_ipaddress_excluded", &V::virtual_ipaddress_excluded,
            virtual_syntax(kIpAddressItemSyntax), vip, dump_ip_address_item));
        k.push_back(kw::flag("promote_secondaries", &V::promote_secondaries));
        k.push_back(kw::list<V, IpRouteItem>(
            "virtual_routes", &V::virtual_routes, virtual_syntax(kIpRouteItemSyntax),
            [](const Statement& st) { return parse_ip_route_item(st, IpItemContext::Virtual); },
            dump_ip_route_item));
        k.push_back(kw::list<V, IpRuleItem>(
            "virtual_rules", &V::virtual_rules, virtual_syntax(kIpRuleItemSyntax),
            [](const Statement& st) { return parse_ip_rule_item(st, IpItemContext::Virtual); },
            dump_ip_rule_item));
        k.push_back(kw::custom<V>(
                        "accept", "",
                        [](V& v, const Statement& st) {
                          if (st.expect_args(0, 0)) v.accept = true;
                        },
                        [](const V& v, Writer& w) {
                          if (v.accept == true) w.statement("accept", {});
                        })
                        .default_text("on unless strict mode"));
        k.push_back(kw::custom<V>(
            "no_accept", "",
            [](V& v, const Statement& st) {
              if (st.expect_args(0, 0)) v.accept = false;
            },
            [](const V& v, Writer& w) {
              if (v.accept == false) w.statement("no_accept", {});
            }));
        k.push_back(kw::flag("nopreempt", &V::nopreempt));
        k.push_back(kw::custom<V>(
                        "preempt", "",
                        [](V& v, const Statement& st) {
                          if (st.expect_args(0, 0)) v.nopreempt = false;
                        },
                        nullptr)
                        .note("the default; cancels an earlier nopreempt"));
        k.push_back(kw::seconds("preempt_delay", &V::preempt_delay, 0, 1000));
        k.push_back(kw::boolean("skip_check_adv_addr", &V::skip_check_adv_addr)
                        .default_text("global vrrp_skip_check_adv_addr"));
        k.push_back(kw::boolean("strict_mode", &V::strict_mode).default_text("global vrrp_strict"));
        k.push_back(
            kw::integer("debug", &V::debug, 0, 4).ignored("keepalived does not use it either"));
        k.push_back(kw::script("notify_master", &V::notify_master));
        k.push_back(kw::script("notify_backup", &V::notify_backup));
        k.push_back(kw::script("notify_fault", &V::notify_fault));
        k.push_back(kw::script("notify_stop", &V::notify_stop));
        k.push_back(kw::custom<V>(
            "notify_deleted", "[" + kw::ScriptCodec{}.syntax() + "]",
            [](V& v, const Statement& st) {
              if (!st.expect_args(0, 3)) return;
              v.notify_deleted = true;
              if (st.size() == 0) return;
              if (auto s = kw::ScriptCodec{}.parse(st)) v.notify_deleted_script = std::move(*s);
            },
            [](const V& v, Writer& w) {
              if (v.notify_deleted_script) {
                w.statement("notify_deleted", kw::ScriptCodec{}.format(*v.notify_deleted_script));
              } else if (v.notify_deleted) {
                w.statement("notify_deleted", {});
              }
            }));
        k.push_back(kw::script("notify_master_rx_lower_pri", &V::notify_master_rx_lower_pri));
        k.push_back(kw::script("notify", &V::notify));
        k.push_back(kw::boolean("notify_priority_changes", &V::notify_priority_changes)
                        .default_text("global vrrp_notify_priority_changes"));
        k.push_back(kw::boolean("smtp_alert", &V::smtp_alert)
                        .default_text("global smtp_alert_vrrp, else smtp_alert, else false")
                        .acted());
        k.push_back(kw::integer("kernel_rx_buf_size", &V::kernel_rx_buf_size, 0,
                                std::numeric_limits<std::int64_t>::max())
                        .syntax("<BYTES>")
                        .default_text("global vrrp_rx_bufs_policy"));
        k.push_back(kw::custom<V>("linkbeat_use_polling", "", nullptr, nullptr)
                        .refused("deprecated (keepalived -t fails on it too): use a "
                                 "linkbeat_interfaces block"));
        k.push_back(kw::custom<V>("lvs_sync_daemon_interface", "<INTERFACE>", nullptr, nullptr)
                        .refused("deprecated (keepalived -t fails on it too): use global_defs "
                                 "lvs_sync_daemon"));
        // What the VRRP engine (src/vrrp/) acts on today.
        return kw::mark_acted(std::move(k), {"state",
                                             "interface",
                                             "dont_track_primary",
                                             "track_interface",
                                             "mcast_src_ip",
                                             "unicast_src_ip",
                                             "mcast_dst_ip",
                                             "version",
                                             "unicast_peer",
                                             "unicast_ttl",
                                             "old_unicast_checksum",
                                             "garp_master_delay",
                                             "garp_master_repeat",
                                             "garp_lower_prio_delay",
                                             "garp_lower_prio_repeat",
                                             "garp_master_refresh",
                                             "garp_master_refresh_repeat",
                                             "down_timer_adverts",
                                             "lower_prio_no_advert",
                                             "higher_prio_send_advert",
                                             "virtual_router_id",
                                             "priority",
                                             "advert_int",
                                             "authentication",
                                             "virtual_ipaddress",
                                             "virtual_ipaddress_excluded",
                                             "virtual_routes",
                                             "virtual_rules",
                                             "use_vmac",
                                             "vmac_xmit_base",
                                             "accept",
                                             "no_accept",
                                             "nopreempt",
                                             "preempt_delay",
                                             "track_script",
                                             "track_file",
                                             "track_process",
                                             "notify_master",
                                             "notify_backup",
                                             "notify_fault",
                                             "notify_stop",
                                             "notify",
                                             "notify_master_rx_lower_pri",
                                             "notify_deleted",
                                             "notify_priority_changes"});
      }());
  return table;
}

}  // namespace

const Table<VrrpConfig>& vrrp_top_table() {
  static const Table<VrrpConfig> table(
      "top level: VRRP", "VRRP blocks",
      {
          kw::named_blocks("vrrp_script", &VrrpConfig::scripts, vrrp_script_table).acted(),
          kw::named_blocks("vrrp_track_process", &VrrpConfig::track_processes, track_process_table)
              .acted(),
          kw::named_blocks("track_file", &VrrpConfig::track_files, track_file_table)
              .alias("vrrp_track_file")
              .acted(),
          kw::named_blocks("vrrp_sync_group", &VrrpConfig::sync_groups, sync_group_table).acted(),
          kw::named_blocks("vrrp_instance", &VrrpConfig::instances, vrrp_instance_table).acted(),
      });
  return table;
}

std::vector<const TableInfo*> vrrp_tables() {
  return {&vrrp_top_table(),   &vrrp_script_table(),   &track_process_table(), &track_file_table(),
          &sync_group_table(), &vrrp_instance_table(), &authentication_table()};
}

}  // namespace halo::config
