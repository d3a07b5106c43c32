// The table-driven parser: statements from the lexer, meaning from the keyword tables.
//
// A statement is a keyword and its arguments up to the end of the line, a '{' or a '}'; a
// '{' (on the same line or the next) opens the keyword's block. The parser never gives up:
// an unknown keyword, a bad value or a stray brace is reported and skipped, and parsing goes
// on, so one run reports every problem. Blocks are balanced even when their keyword is not
// understood, so one mistake does not cascade into many.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/keyword.h"
#include "config/lexer.h"

namespace halo::config {

enum class KeywordMode {
  Strict,   // -t and --strict: an unknown keyword is an error
  Lenient,  // the daemon: an unknown keyword is a warning and is ignored
};

class Parser {
 public:
  Parser(Lexer& lexer, Diagnostics& diag) : lexer_(lexer), diag_(diag) {}

  Diagnostics& diag() { return diag_; }

  // Parses statements into `target` until the end of input (top level).
  template <class T>
  void parse_top(const Table<T>& table, T& target) {
    parse_statements(table, target, nullptr);
  }

  // Parses the block a statement opened. Call from a keyword's parse function.
  template <class T>
  void parse_block(const Statement& opener, const Table<T>& table, T& target) {
    parse_statements(table, target, &opener.keyword());
  }

  // Parses a list block: each statement inside is handed to `item` whole (its first token is
  // a value, not a keyword). Nested blocks inside items are refused.
  void parse_list(const Statement& opener, const std::function<void(const Statement&)>& item);

  // Skips a block whose contents are not understood, keeping braces balanced.
  void skip_block(const Token& opener);

 private:
  enum class Next { Statement, Close, End };
  Next next_statement(std::optional<Statement>& out);
  bool fill();
  const Token* peek();
  Token take();

  template <class T>
  void parse_statements(const Table<T>& table, T& target, const Token* opener);
  void report_unclosed(const Token* opener);
  void report_unknown(const Statement& st, std::string_view block);

  Lexer& lexer_;
  Diagnostics& diag_;
  std::vector<Token> line_;
  std::size_t pos_ = 0;
  bool at_end_ = false;
  SourceLoc last_close_;
};

template <class T>
void Parser::parse_statements(const Table<T>& table, T& target, const Token* opener) {
  for (;;) {
    std::optional<Statement> st;
    switch (next_statement(st)) {
      case Next::End:
        if (opener) report_unclosed(opener);
        return;
      case Next::Close:
        if (opener) return;
        diag_.error(last_close_, "'}' without a block to close");
        continue;
      case Next::Statement:
        break;
    }
    const auto* kw = table.find(st->keyword().text);
    if (kw == nullptr || st->keyword().quoted) {
      report_unknown(*st, table.name());
      if (st->has_block()) skip_block(st->keyword());
      continue;
    }
    if (kw->info.block && !st->has_block()) {
      st->error(fmt::format("'{}' needs a {{ }} block", kw->info.name));
      continue;
    }
    if (!kw->info.block && st->has_block()) {
      st->error(fmt::format("'{}' does not take a block", kw->info.name));
      skip_block(st->keyword());
      continue;
    }
    if (kw->info.support == Support::Refused) {
      st->error(fmt::format("'{}' is not supported by halo: {}", kw->info.name, kw->info.note));
      if (st->has_block()) skip_block(st->keyword());
      continue;
    }
    kw->parse(target, *st);
  }
}

}  // namespace halo::config
