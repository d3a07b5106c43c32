#include "config/fields.h"

#include <grp.h>
#include <pwd.h>

#include <algorithm>

namespace halo::config::kw {

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t v = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;
  auto [p, ec] = std::from_chars(begin, end, v);
  if (begin == end || ec != std::errc{} || p != end) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v, base);
  if (text.empty() || ec != std::errc{} || p != end) return std::nullopt;
  return v;
}

std::optional<std::int64_t> integer_arg(const Statement& st, const Token& tok,
                                        std::string_view what, std::int64_t min, std::int64_t max) {
  auto v = parse_integer(tok.text);
  if (!v) {
    st.error(tok, fmt::format("'{}' needs a whole number, not '{}'", what, tok.text));
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    st.error(tok, fmt::format("'{}' value {} is out of range {}..{}", what, *v, min, max));
    return std::nullopt;
  }
  return v;
}

std::optional<double> parse_decimal(std::string_view text) {
  double v = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;
  auto [p, ec] = std::from_chars(begin, end, v, std::chars_format::fixed);
  if (begin == end || ec != std::errc{} || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<bool> parse_bool(std::string_view text) {
  for (auto t : {"on", "true", "yes"}) {
    if (text == t) return true;
  }
  for (auto f : {"off", "false", "no"}) {
    if (text == f) return false;
  }
  return std::nullopt;
}

std::string format_duration(Duration d, Duration unit) {
  const auto per = unit.count();
  const auto us = d.count();
  if (per <= 0) return std::to_string(us);
  if (us % per == 0) return std::to_string(us / per);
  int digits = 0;
  for (auto p = per; p > 1; p /= 10) ++digits;
  const auto magnitude = us < 0 ? -us : us;
  auto s = fmt::format("{}{}.{:0{}d}", us < 0 ? "-" : "", magnitude / per, magnitude % per, digits);
  while (s.back() == '0') s.pop_back();
  return s;
}

std::string format_seconds(Duration d) {
  return format_duration(d, std::chrono::seconds{1});
}

std::optional<Duration> DurationCodec::parse(const Statement& st) const {
  const auto& tok = st.arg(0);
  std::optional<double> v;
  if (whole) {
    if (auto n = parse_integer(tok.text)) v = static_cast<double>(*n);
  } else {
    v = parse_decimal(tok.text);
  }
  if (!v) {
    st.error(tok, fmt::format("'{}' needs {} {}, not '{}'", st.keyword().text,
                              whole ? "a whole number of" : "a time in", unit_name(), tok.text));
    return std::nullopt;
  }
  // Compare before converting, so a huge value cannot overflow the microsecond count.
  const double per = static_cast<double>(unit.count());
  const double lo = static_cast<double>(min.count()) / per;
  const double hi = static_cast<double>(max.count()) / per;
  const auto us = std::llround(std::clamp(*v, lo, hi) * per);
  if (*v < lo || *v > hi || us < min.count() || us > max.count()) {
    st.error(tok, fmt::format("'{}' value {} is out of range {}..{} {}", st.keyword().text,
                              tok.text, text(min), text(max), unit_name()));
    return std::nullopt;
  }
  return Duration(us);
}

std::optional<Script> ScriptCodec::parse(const Statement& st) const {
  Script s;
  s.command = st.arg(0).text;
  s.loc = st.arg(0).loc;
  if (s.command.empty()) {
    st.error(st.arg(0), fmt::format("'{}' needs a command", st.keyword().text));
    return std::nullopt;
  }
  if (st.size() > 1) {
    s.user = st.arg(1).text;
    // keepalived accepts the config and refuses to run the script; so does halo, saying so.
    if (getpwnam(s.user->c_str()) == nullptr) {
      st.warning(st.arg(1),
                 fmt::format("user '{}' does not exist; the script will not run", *s.user));
    }
  }
  if (st.size() > 2) {
    s.group = st.arg(2).text;
    if (getgrnam(s.group->c_str()) == nullptr) {
      st.warning(st.arg(2),
                 fmt::format("group '{}' does not exist; the script will not run", *s.group));
    }
  }
  return s;
}

DumpArgs ScriptCodec::format(const Script& s) const {
  DumpArgs args{DumpArg(s.command, true)};
  if (s.user) args.emplace_back(*s.user);
  if (s.group) args.emplace_back(*s.group);
  return args;
}

}  // namespace halo::config::kw
