#include "config/parser.h"

namespace halo::config {

std::string_view to_string(Support s) {
  switch (s) {
    case Support::Acted:
      return "acted on";
    case Support::Parsed:
      return "parsed, not yet acted on";
    case Support::Ignored:
      return "accepted, ignored";
    case Support::Refused:
      return "refused";
  }
  return "?";
}

SourceLoc Statement::end_loc() const {
  const Token& last = args_.empty() ? keyword_ : args_.back();
  auto loc = last.loc;
  loc.col += static_cast<std::uint32_t>(last.text.size()) + 1;
  return loc;
}

void Statement::error(const Token& at, std::string message) const {
  parser_.diag().error(at.loc, std::move(message));
}

void Statement::warning(const Token& at, std::string message) const {
  parser_.diag().warning(at.loc, std::move(message));
}

bool Statement::expect_args(std::size_t min, std::size_t max) const {
  if (args_.size() < min) {
    parser_.diag().error(
        end_loc(), min == 1 ? fmt::format("'{}' needs a value", keyword_.text)
                            : fmt::format("'{}' needs at least {} values", keyword_.text, min));
    return false;
  }
  if (args_.size() > max) {
    // keepalived ignores extra words silently; a config that runs there must start here, so
    // this is a warning that names what is ignored.
    parser_.diag().warning(
        args_[max].loc,
        max == 0
            ? fmt::format("'{}' takes no value; '{}' is ignored", keyword_.text, args_[max].text)
            : fmt::format("'{}' takes at most {} value{}; '{}' and what "
                          "follows is ignored",
                          keyword_.text, max, max == 1 ? "" : "s", args_[max].text));
  }
  return true;
}

bool Parser::fill() {
  while (pos_ >= line_.size()) {
    if (at_end_) return false;
    pos_ = 0;
    if (!lexer_.next_line(line_)) {
      line_.clear();
      at_end_ = true;
      return false;
    }
  }
  return true;
}

const Token* Parser::peek() {
  return fill() ? &line_[pos_] : nullptr;
}

Token Parser::take() {
  return std::move(line_[pos_++]);
}

Parser::Next Parser::next_statement(std::optional<Statement>& out) {
  for (;;) {
    const Token* t = peek();
    if (t == nullptr) return Next::End;
    if (t->is_close()) {
      last_close_ = take().loc;
      return Next::Close;
    }
    if (t->is_open()) {
      auto open = take();
      diag_.error(open.loc, "'{' without a keyword before it");
      skip_block(open);
      continue;
    }
    Token keyword = take();
    std::vector<Token> args;
    while (pos_ < line_.size() && line_[pos_].is_word()) args.push_back(take());
    bool has_block = false;
    if (pos_ < line_.size()) {
      has_block = line_[pos_].is_open();
      if (has_block) take();
    } else if (const Token* next = peek(); next != nullptr && next->is_open()) {
      // keepalived accepts the '{' on the line after its keyword.
      take();
      has_block = true;
    }
    out.emplace(*this, std::move(keyword), std::move(args), has_block);
    return Next::Statement;
  }
}

void Parser::skip_block(const Token& opener) {
  int depth = 1;
  while (const Token* t = peek()) {
    const bool open = t->is_open(), close = t->is_close();
    take();
    if (open) ++depth;
    if (close && --depth == 0) return;
  }
  report_unclosed(&opener);
}

void Parser::parse_list(const Statement& opener,
                        const std::function<void(const Statement&)>& item) {
  for (;;) {
    std::optional<Statement> st;
    switch (next_statement(st)) {
      case Next::End:
        report_unclosed(&opener.keyword());
        return;
      case Next::Close:
        return;
      case Next::Statement:
        break;
    }
    if (st->has_block()) {
      st->error(fmt::format("unexpected block inside '{}'", opener.keyword().text));
      skip_block(st->keyword());
      continue;
    }
    item(*st);
  }
}

void Parser::report_unclosed(const Token* opener) {
  diag_.error(opener->loc, fmt::format("'{}' block is not closed: missing '}}'", opener->text));
}

void Parser::report_unknown(const Statement& st, std::string_view block) {
  diag_.unknown_keyword(st.keyword().loc,
                        fmt::format("unknown keyword '{}' in {}", st.keyword().text, block));
}

}  // namespace halo::config
