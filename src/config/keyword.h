// Keyword tables: the single description of the keepalived.conf language.
//
// Each block of the language (global_defs, vrrp_instance, real_server, TCP_CHECK, ...) has one
// Table listing its keywords. A keyword entry says what value it takes (syntax), its default,
// whether halo acts on it yet, and carries the three functions that give it meaning: parse
// (tokens -> model), dump (model -> keepalived syntax / JSON). Parsing, validation of values,
// `halod --dump-conf` and the README's compatibility table are all driven from these tables,
// so they cannot drift apart.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "config/diagnostics.h"
#include "config/lexer.h"

namespace halo::config {

// How far halo supports a keyword. Shown in the README's compatibility table.
enum class Support : std::uint8_t {
  Acted,    // parsed, validated and acted on
  Parsed,   // parsed and validated; not yet acted on (a later subsystem will)
  Ignored,  // accepted for compatibility; meaningless for halo (says why)
  Refused,  // parsed, then refused with a clear error (says why)
};
std::string_view to_string(Support s);

class Parser;

// One statement being parsed: `keyword arg arg ... [{ ... }]`.
class Statement {
 public:
  Statement(Parser& parser, Token keyword, std::vector<Token> args, bool has_block)
      : parser_(parser),
        keyword_(std::move(keyword)),
        args_(std::move(args)),
        has_block_(has_block) {}

  Parser& parser() const { return parser_; }
  const Token& keyword() const { return keyword_; }
  std::span<const Token> args() const { return args_; }
  std::size_t size() const { return args_.size(); }
  const Token& arg(std::size_t i) const { return args_[i]; }
  bool has_block() const { return has_block_; }
  // Where to point for a missing argument: just after the last token.
  SourceLoc end_loc() const;

  void error(const Token& at, std::string message) const;
  void error(std::string message) const { error(keyword_, std::move(message)); }
  void warning(const Token& at, std::string message) const;
  // Checks the argument count; reports and returns false when it is outside [min, max].
  bool expect_args(std::size_t min, std::size_t max) const;

 private:
  Parser& parser_;
  Token keyword_;
  std::vector<Token> args_;
  bool has_block_;
};

// What dump() writes: statements, blocks and list items with typed arguments. The keepalived
// text writer and the JSON writer both implement it, so a keyword describes its output once.
struct DumpArg {
  std::variant<std::string, std::int64_t, double, bool> value;
  bool quote = false;  // a string that must stay one token (a script with arguments)
  DumpArg(std::string s, bool q = false) : value(std::move(s)), quote(q) {}
  DumpArg(const char* s) : value(std::string(s)) {}
  DumpArg(std::string_view s) : value(std::string(s)) {}
  DumpArg(std::int64_t v) : value(v) {}
  DumpArg(int v) : value(std::int64_t{v}) {}
  DumpArg(unsigned v) : value(std::int64_t{v}) {}
  DumpArg(double v) : value(v) {}
};
using DumpArgs = std::vector<DumpArg>;

class Writer {
 public:
  virtual ~Writer() = default;
  virtual void statement(std::string_view keyword, const DumpArgs& args) = 0;
  virtual void begin_block(std::string_view keyword, const DumpArgs& args) = 0;
  virtual void end_block() = 0;
  // A line inside a list block (virtual_ipaddress, track_script, ...): no keyword.
  virtual void item(const DumpArgs& args) = 0;
};

// Metadata of one keyword, independent of the block type.
struct KeywordInfo {
  std::string_view name;
  std::string syntax;        // value syntax for people: "<1..255>", "{ <IPADDR> ... }"
  std::string default_text;  // "" when there is none
  Support support = Support::Parsed;
  std::string note;    // why refused or ignored; what halo does differently
  bool block = false;  // takes a { } block
  std::vector<std::string_view> aliases;
};

template <class T>
struct Keyword {
  KeywordInfo info;
  std::function<void(T&, const Statement&)> parse;
  std::function<void(const T&, Writer&)> dump;

  // Chained setters keep the tables readable.
  Keyword&& acted() && {
    info.support = Support::Acted;
    return std::move(*this);
  }
  Keyword&& ignored(std::string why) && {
    info.support = Support::Ignored;
    info.note = std::move(why);
    return std::move(*this);
  }
  Keyword&& refused(std::string why) && {
    info.support = Support::Refused;
    info.note = std::move(why);
    return std::move(*this);
  }
  Keyword&& note(std::string text) && {
    info.note = std::move(text);
    return std::move(*this);
  }
  Keyword&& alias(std::string_view other) && {
    info.aliases.push_back(other);
    return std::move(*this);
  }
  Keyword&& syntax(std::string text) && {
    info.syntax = std::move(text);
    return std::move(*this);
  }
  Keyword&& default_text(std::string text) && {
    info.default_text = std::move(text);
    return std::move(*this);
  }
};

// The keywords of one block, in documentation order.
class TableInfo {
 public:
  virtual ~TableInfo() = default;
  std::string_view name() const { return name_; }
  std::string_view description() const { return description_; }
  virtual std::vector<const KeywordInfo*> keyword_infos() const = 0;

 protected:
  TableInfo(std::string_view name, std::string_view description)
      : name_(name), description_(description) {}

 private:
  std::string_view name_;
  std::string_view description_;
};

template <class T>
class Table final : public TableInfo {
 public:
  Table(std::string_view name, std::string_view description, std::vector<Keyword<T>> keywords)
      : TableInfo(name, description), keywords_(std::move(keywords)) {
    for (std::size_t i = 0; i < keywords_.size(); ++i) {
      index_.emplace(keywords_[i].info.name, i);
      for (auto a : keywords_[i].info.aliases) index_.emplace(a, i);
    }
  }

  const Keyword<T>* find(std::string_view name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &keywords_[it->second];
  }
  const std::vector<Keyword<T>>& keywords() const { return keywords_; }
  std::vector<const KeywordInfo*> keyword_infos() const override {
    std::vector<const KeywordInfo*> out;
    out.reserve(keywords_.size());
    for (const auto& k : keywords_) out.push_back(&k.info);
    return out;
  }

  // Writes every keyword of `value` in table order.
  void dump(const T& value, Writer& w) const {
    for (const auto& k : keywords_) {
      if (k.dump) k.dump(value, w);
    }
  }

 private:
  std::vector<Keyword<T>> keywords_;
  std::unordered_map<std::string_view, std::size_t> index_;
};

}  // namespace halo::config
