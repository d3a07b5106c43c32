#include "config/dump.h"

#include <boost/json.hpp>
#include <set>
#include <vector>

#include "config/tables/tables.h"

namespace halo::config {
namespace {

// Quotes a word when it would not come back as the same single token. Beyond whitespace,
// braces, comment characters and quotes, the preprocessor must not see it: '$' would be
// substituted (even inside quotes, so it is written as the octal escape \044), and a word
// starting a line with '@', '~' or "include" would be read as a conditional, a sequence or a
// directive (a quoted line starts with '"', which is none of them). Escapes are three-digit
// octal: keepalived reads \x followed by any number of hex digits.
std::string quote_if_needed(const std::string& s) {
  bool needs = s.empty() || s[0] == '@' || s[0] == '~' || s.starts_with("include");
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '{' || c == '}' || c == '#' || c == '!' || c == '"' ||
        c == '\'' || c == '\\' || c == '$' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      needs = true;
    }
  }
  if (!needs) return s;
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '$' || u < 0x20 || u == 0x7f) {
      out += fmt::format("\\{:03o}", static_cast<unsigned>(u));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// JSON strings must be UTF-8; config text may hold any bytes. Invalid sequences become U+FFFD.
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xe  ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    }
    if (ok && len > 1) {
      // Reject overlong forms and surrogates, as JSON parsers do.
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xc0 || c == 0xc1 || (c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) ||
             (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90) || c > 0xf4);
    }
    if (ok) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

std::string format_arg(const DumpArg& a) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>) {
          // A string that holds spaces must stay one token; a plain word needs no quotes.
          return quote_if_needed(v);
        } else if constexpr (std::is_same_v<V, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<V, double>) {
          return fmt::format("{}", v);
        } else {
          return std::to_string(v);
        }
      },
      a.value);
}

class TextWriter final : public Writer {
 public:
  void statement(std::string_view keyword, const DumpArgs& args) override {
    line(keyword, args, false);
  }
  void begin_block(std::string_view keyword, const DumpArgs& args) override {
    line(keyword, args, true);
    ++depth_;
  }
  void end_block() override {
    --depth_;
    indent();
    out_ += "}\n";
    if (depth_ == 0) out_ += "\n";
  }
  void item(const DumpArgs& args) override {
    indent();
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (i) out_ += ' ';
      out_ += format_arg(args[i]);
    }
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

 private:
  void indent() { out_.append(static_cast<std::size_t>(depth_) * 4, ' '); }
  void line(std::string_view keyword, const DumpArgs& args, bool open) {
    indent();
    out_ += keyword;
    for (const auto& a : args) {
      out_ += ' ';
      out_ += format_arg(a);
    }
    out_ += open ? " {\n" : "\n";
  }
  std::string out_;
  int depth_ = 0;
};

boost::json::value to_json(const DumpArg& a) {
  return std::visit(
      [](const auto& v) {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) {
          return boost::json::value(valid_utf8(v));
        } else {
          return boost::json::value(v);
        }
      },
      a.value);
}

boost::json::value to_json(const DumpArgs& args) {
  if (args.empty()) return true;
  if (args.size() == 1) return to_json(args[0]);
  boost::json::array arr;
  for (const auto& a : args) arr.push_back(to_json(a));
  return arr;
}

// Blocks become objects, keyed by keyword; a keyword seen twice in one block becomes an array.
// A block's header arguments (the instance name, the server address) go in a "_args" member.
class JsonWriter final : public Writer {
 public:
  JsonWriter() { stack_.emplace_back(); }
  void statement(std::string_view keyword, const DumpArgs& args) override {
    put(keyword, to_json(args));
  }
  void begin_block(std::string_view keyword, const DumpArgs& args) override {
    Frame f;
    f.keyword = std::string(keyword);
    if (!args.empty()) f.object["_args"] = to_json(args);
    stack_.push_back(std::move(f));
  }
  void end_block() override {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    boost::json::value v;
    if (f.is_list) {
      v = std::move(f.items);
    } else {
      v = std::move(f.object);
    }
    put(f.keyword, std::move(v));
  }
  void item(const DumpArgs& args) override {
    stack_.back().is_list = true;
    stack_.back().items.push_back(to_json(args));
  }
  boost::json::object take() { return std::move(stack_.front().object); }

 private:
  struct Frame {
    std::string keyword;
    boost::json::object object;
    boost::json::array items;
    bool is_list = false;
    std::set<std::string, std::less<>> repeated;  // keywords already turned into arrays
  };
  void put(std::string_view keyword, boost::json::value v) {
    auto& frame = stack_.back();
    auto* existing = frame.object.if_contains(keyword);
    if (existing == nullptr) {
      frame.object[keyword] = std::move(v);
    } else if (frame.repeated.contains(keyword)) {
      existing->as_array().push_back(std::move(v));
    } else {
      boost::json::array arr;
      arr.push_back(std::move(*existing));
      arr.push_back(std::move(v));
      *existing = std::move(arr);
      frame.repeated.emplace(keyword);
    }
  }
  std::vector<Frame> stack_;
};

}  // namespace

std::string dump_keepalived(const Config& config) {
  TextWriter w;
  config_table().dump(config, w);
  return w.take();
}

std::string dump_json(const Config& config) {
  JsonWriter w;
  config_table().dump(config, w);
  return boost::json::serialize(w.take()) + "\n";
}

}  // namespace halo::config
