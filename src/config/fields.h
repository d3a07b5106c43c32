// Builders for keyword table entries.
//
// A table entry binds a keyword to a member of a model struct through a value codec; the
// codec knows how to parse the value (with range checks and clear messages), how to print it
// back, and how to describe it in the README. Writing a table is then one line per keyword:
//
//   kw::integer("priority", &VrrpInstance::priority, 1, 255),
//   kw::flag("nopreempt", &VrrpInstance::nopreempt),
//   kw::named_blocks("vrrp_instance", &Config::vrrp_instances, vrrp_instance_table),
//
// Plain members print only when they differ from the struct's default; std::optional members
// print when set. Everything here is header-only templates over the model types.
#pragma once

#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ip_address.h"
#include "config/keyword.h"
#include "config/model/common.h"
#include "config/parser.h"

namespace halo::config::kw {

template <class M>
struct OptionalTraits {
  using type = M;
  static constexpr bool optional = false;
};
template <class V>
struct OptionalTraits<std::optional<V>> {
  using type = V;
  static constexpr bool optional = true;
};

// ---- value parsing helpers (shared by codecs and custom parse functions) --------------------

std::optional<std::int64_t> parse_integer(std::string_view text);
// An unsigned number, decimal or 0x-hex (keepalived's route, rule and ip-item numbers).
std::optional<std::uint64_t> parse_unsigned(std::string_view text);
std::optional<double> parse_decimal(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);
std::string format_seconds(Duration d);
// `d` as a number of `unit`s (a whole number of microseconds each), with the fraction needed.
std::string format_duration(Duration d, Duration unit);

// A whole number token in [min, max]; reports (naming `what`) and returns nullopt otherwise.
std::optional<std::int64_t> integer_arg(const Statement& st, const Token& tok,
                                        std::string_view what, std::int64_t min, std::int64_t max);

// ---- codecs ---------------------------------------------------------------------------------
// A codec: syntax(), min_args(), max_args(), parse(const Statement&) -> optional<V>,
// format(const V&) -> DumpArgs, text(const V&) -> string (for the default column).

template <class V>
struct IntegerCodec {
  std::int64_t min, max;
  std::string syntax() const { return fmt::format("<{}..{}>", min, max); }
  std::size_t min_args() const { return 1; }
  std::size_t max_args() const { return 1; }
  std::optional<V> parse(const Statement& st) const {
    auto v = integer_arg(st, st.arg(0), st.keyword().text, min, max);
    if (!v) return std::nullopt;
    return static_cast<V>(*v);
  }
  DumpArgs format(const V& v) const { return {static_cast<std::int64_t>(v)}; }
  std::string text(const V& v) const { return std::to_string(static_cast<std::int64_t>(v)); }
};

// A duration written as a number of `unit`s: keepalived's <TIMER> is seconds with a fraction
// (microsecond resolution), BFD intervals are milliseconds with a fraction, and a few timers
// take whole seconds only (`whole`). Kept in microseconds.
struct DurationCodec {
  Duration min, max;
  Duration unit = std::chrono::seconds{1};
  bool whole = false;

  std::string syntax() const {
    return fmt::format("<{} {}..{}>", unit_name_upper(), text(min), text(max));
  }
  std::size_t min_args() const { return 1; }
  std::size_t max_args() const { return 1; }
  std::optional<Duration> parse(const Statement& st) const;
  DumpArgs format(Duration d) const { return {text(d)}; }
  std::string text(Duration d) const { return format_duration(d, unit); }

 private:
  std::string_view unit_name() const { return unit == Duration{1000} ? "milliseconds" : "seconds"; }
  std::string_view unit_name_upper() const {
    return unit == Duration{1000} ? "MILLISECONDS" : "SECONDS";
  }
};

// <BOOL>: on|off|true|false|yes|no; the bare keyword means true.
struct BoolCodec {
  std::string syntax() const { return "[<BOOL>]"; }
  std::size_t min_args() const { return 0; }
  std::size_t max_args() const { return 1; }
  std::optional<bool> parse(const Statement& st) const {
    if (st.size() == 0) return true;
    auto v = parse_bool(st.arg(0).text);
    if (!v) {
      st.error(st.arg(0), fmt::format("'{}' takes on|off|true|false|yes|no, not '{}'",
                                      st.keyword().text, st.arg(0).text));
    }
    return v;
  }
  DumpArgs format(bool v) const { return v ? DumpArgs{} : DumpArgs{"false"}; }
  std::string text(bool v) const { return v ? "true" : "false"; }
};

// A keyword with no value that turns something on.
struct FlagCodec {
  std::string syntax() const { return ""; }
  std::size_t min_args() const { return 0; }
  std::size_t max_args() const { return 0; }
  std::optional<bool> parse(const Statement&) const { return true; }
  DumpArgs format(bool) const { return {}; }
  std::string text(bool v) const { return v ? "on" : "off"; }
};

struct StringCodec {
  std::string placeholder = "<STRING>";
  std::string syntax() const { return placeholder; }
  std::size_t min_args() const { return 1; }
  std::size_t max_args() const { return 1; }
  std::optional<std::string> parse(const Statement& st) const { return st.arg(0).text; }
  DumpArgs format(const std::string& v) const { return {DumpArg(v, true)}; }
  std::string text(const std::string& v) const { return v; }
};

struct AddressCodec {
  std::string syntax() const { return "<IPADDR>"; }
  std::size_t min_args() const { return 1; }
  std::size_t max_args() const { return 1; }
  std::optional<IpAddress> parse(const Statement& st) const {
    auto a = IpAddress::parse(st.arg(0).text);
    if (!a) {
      st.error(st.arg(0), fmt::format("'{}' is not a valid IP address", st.arg(0).text));
    }
    return a;
  }
  DumpArgs format(const IpAddress& v) const { return {v.to_string()}; }
  std::string text(const IpAddress& v) const { return v.to_string(); }
};

template <class E>
struct EnumCodec {
  std::vector<std::pair<std::string_view, E>> names;
  std::string syntax() const {
    std::string s;
    for (const auto& [n, e] : names) s += (s.empty() ? "" : "|") + std::string(n);
    return s;
  }
  std::size_t min_args() const { return 1; }
  std::size_t max_args() const { return 1; }
  std::optional<E> parse(const Statement& st) const {
    for (const auto& [n, e] : names) {
      if (st.arg(0).text == n) return e;
    }
    st.error(st.arg(0),
             fmt::format("'{}' takes {}, not '{}'", st.keyword().text, syntax(), st.arg(0).text));
    return std::nullopt;
  }
  DumpArgs format(E v) const { return {text(v)}; }
  std::string text(E v) const {
    for (const auto& [n, e] : names) {
      if (e == v) return std::string(n);
    }
    return "?";
  }
};

// A script: `keyword <COMMAND> [<USER> [<GROUP>]]`. The command is one token (quote it when
// it has arguments), as in keepalived.
struct ScriptCodec {
  std::string syntax() const { return "<COMMAND> [<USER> [<GROUP>]]"; }
  std::size_t min_args() const { return 1; }
  std::size_t max_args() const { return 3; }
  std::optional<Script> parse(const Statement& st) const;
  DumpArgs format(const Script& s) const;
  std::string text(const Script& s) const { return s.command; }
};

// ---- entries --------------------------------------------------------------------------------

template <class T>
const T& defaults() {
  static const T value{};
  return value;
}

// A keyword storing one value through a codec.
template <class T, class M, class Codec>
Keyword<T> value(std::string_view name, M T::*member, Codec codec) {
  Keyword<T> k;
  k.info.name = name;
  k.info.syntax = codec.syntax();
  if constexpr (!OptionalTraits<M>::optional)
    k.info.default_text = codec.text(defaults<T>().*member);
  k.parse = [member, codec](T& t, const Statement& st) {
    if (!st.expect_args(codec.min_args(), codec.max_args())) return;
    if (auto v = codec.parse(st)) t.*member = std::move(*v);
  };
  k.dump = [member, codec, name](const T& t, Writer& w) {
    if constexpr (OptionalTraits<M>::optional) {
      if (t.*member) w.statement(name, codec.format(*(t.*member)));
    } else {
      if (!(t.*member == defaults<T>().*member)) w.statement(name, codec.format(t.*member));
    }
  };
  return k;
}

// Marks the named keywords Support::Acted: the subsystems say in one list per table what they
// act on today, next to the table rather than scattered through it. A list rather than
// `.acted()` on each entry, because some entries come from helpers shared between blocks
// (track_interface is acted on in vrrp_instance, not yet in vrrp_sync_group).
template <class T>
std::vector<Keyword<T>> mark_acted(std::vector<Keyword<T>> keywords,
                                   std::initializer_list<std::string_view> names) {
  for (auto& keyword : keywords) {
    for (const auto name : names) {
      if (keyword.info.name == name) keyword.info.support = Support::Acted;
    }
  }
  return keywords;
}

// Marks every keyword of a block that is merely parsed as Support::Acted: for blocks whose
// subsystem acts on all of them (vrrp_script, vrrp_track_process, track_file).
template <class T>
std::vector<Keyword<T>> all_acted(std::vector<Keyword<T>> keywords) {
  for (auto& keyword : keywords) {
    if (keyword.info.support == Support::Parsed) keyword.info.support = Support::Acted;
  }
  return keywords;
}

template <class T, class M>
Keyword<T> integer(std::string_view name, M T::*member, std::int64_t min, std::int64_t max) {
  return value(name, member, IntegerCodec<typename OptionalTraits<M>::type>{min, max});
}

template <class T, class M>
Keyword<T> seconds(std::string_view name, M T::*member, double min, double max) {
  auto to_duration = [](double s) { return Duration(std::llround(s * 1e6)); };
  return value(name, member, DurationCodec{to_duration(min), to_duration(max)});
}

template <class T, class M>
Keyword<T> boolean(std::string_view name, M T::*member) {
  return value(name, member, BoolCodec{});
}

template <class T>
Keyword<T> flag(std::string_view name, bool T::*member) {
  return value(name, member, FlagCodec{});
}

template <class T, class M>
Keyword<T> string(std::string_view name, M T::*member, std::string placeholder = "<STRING>") {
  return value(name, member, StringCodec{std::move(placeholder)});
}

template <class T, class M>
Keyword<T> address(std::string_view name, M T::*member) {
  return value(name, member, AddressCodec{});
}

template <class T, class M, class E>
Keyword<T> enumeration(std::string_view name, M T::*member,
                       std::vector<std::pair<std::string_view, E>> names) {
  return value(name, member, EnumCodec<E>{std::move(names)});
}

template <class T, class M>
Keyword<T> script(std::string_view name, M T::*member) {
  return value(name, member, ScriptCodec{});
}

// A keyword with a hand-written parse and dump (multi-value syntaxes).
template <class T>
Keyword<T> custom(std::string_view name, const std::string& syntax,
                  std::function<void(T&, const Statement&)> parse,
                  std::function<void(const T&, Writer&)> dump) {
  Keyword<T> k;
  k.info.name = name;
  k.info.syntax = syntax;
  k.parse = std::move(parse);
  k.dump = std::move(dump);
  return k;
}

// A list block: `keyword { item \n item ... }`, each item parsed by `parse_item` from a whole
// statement (the item's first token is its value). Repeated blocks append.
template <class T, class Item>
Keyword<T> list(std::string_view name, std::vector<Item> T::*member, const std::string& item_syntax,
                std::function<std::optional<Item>(const Statement&)> parse_item,
                std::function<DumpArgs(const Item&)> dump_item) {
  Keyword<T> k;
  k.info.name = name;
  k.info.syntax = "{ " + item_syntax + " ... }";
  k.info.block = true;
  k.parse = [member, parse_item](T& t, const Statement& st) {
    st.expect_args(0, 0);
    st.parser().parse_list(st, [&](const Statement& item) {
      if (auto v = parse_item(item)) (t.*member).push_back(std::move(*v));
    });
  };
  k.dump = [member, dump_item, name](const T& t, Writer& w) {
    if ((t.*member).empty()) return;
    w.begin_block(name, {});
    for (const auto& item : t.*member) w.item(dump_item(item));
    w.end_block();
  };
  return k;
}

// A list block of single words: `notification_email { a@b c@d }`.
template <class T>
Keyword<T> word_list(std::string_view name, std::vector<std::string> T::*member,
                     std::string placeholder = "<STRING>") {
  return list<T, std::string>(
      name, member, placeholder,
      [](const Statement& st) -> std::optional<std::string> {
        // keepalived reads every word of an item line as an entry of its own.
        if (st.size() > 0)
          st.warning(st.arg(0), "one entry per line expected; extra words ignored");
        return st.keyword().text;
      },
      [](const std::string& s) { return DumpArgs{DumpArg(s, true)}; });
}

using HeaderParse = std::function<bool(const Statement&)>;

// A block stored in a member struct: `authentication { ... }`.
template <class T, class Sub>
Keyword<T> block(std::string_view name, Sub T::*member, const Table<Sub>& (*table)()) {
  Keyword<T> k;
  k.info.name = name;
  k.info.syntax = "{ ... }";
  k.info.block = true;
  k.parse = [member, table](T& t, const Statement& st) {
    st.expect_args(0, 0);
    st.parser().parse_block(st, table(), t.*member);
  };
  k.dump = [member, table, name](const T& t, Writer& w) {
    if (t.*member == defaults<Sub>()) return;
    w.begin_block(name, {});
    table().dump(t.*member, w);
    w.end_block();
  };
  return k;
}

// A repeated block with a header: `virtual_server 192.0.2.1 80 { ... }`. `header` fills the
// new element from the opener's arguments; when it fails the block is still parsed (so its
// problems are reported too) and then dropped.
template <class T, class Sub>
Keyword<T> blocks(std::string_view name, std::vector<Sub> T::*member, const Table<Sub>& (*table)(),
                  const std::string& header_syntax,
                  std::function<bool(Sub&, const Statement&)> header,
                  std::function<DumpArgs(const Sub&)> dump_header) {
  Keyword<T> k;
  k.info.name = name;
  k.info.syntax = header_syntax + (header_syntax.empty() ? "{ ... }" : " { ... }");
  k.info.block = true;
  k.parse = [member, table, header](T& t, const Statement& st) {
    Sub sub{};
    sub.loc = st.keyword().loc;
    const bool ok = header(sub, st);
    st.parser().parse_block(st, table(), sub);
    if (ok) (t.*member).push_back(std::move(sub));
  };
  k.dump = [member, table, dump_header, name](const T& t, Writer& w) {
    for (const auto& sub : t.*member) {
      w.begin_block(name, dump_header(sub));
      table().dump(sub, w);
      w.end_block();
    }
  };
  return k;
}

// A repeated block named by its one argument: `vrrp_instance VI_1 { ... }`.
template <class T, class Sub>
Keyword<T> named_blocks(std::string_view name, std::vector<Sub> T::*member,
                        const Table<Sub>& (*table)()) {
  return blocks<T, Sub>(
      name, member, table, "<NAME>",
      [](Sub& sub, const Statement& st) {
        if (!st.expect_args(1, 1)) return false;
        sub.name = st.arg(0).text;
        return true;
      },
      [](const Sub& sub) { return DumpArgs{DumpArg(sub.name, true)}; });
}

}  // namespace halo::config::kw
