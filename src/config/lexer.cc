#include "config/lexer.h"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/host_name.h"

namespace halo::config {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}
bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Cuts a line at the first '#' or '!' outside quotes.
std::size_t comment_start(std::string_view line) {
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == '\\' && quote == '"' && i + 1 < line.size()) {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' || c == '!') {
      return i;
    }
  }
  return line.size();
}

std::string default_config_id() {
  const std::string id = host_name();
  return id.substr(0, id.find('.'));
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  s = trim(s);
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return negative ? -v : v;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Generators: where the next raw line comes from.

struct Lexer::Generator {
  virtual ~Generator() = default;
  // Produces the next raw line, or false when exhausted.
  virtual bool next(Text& out, Lexer& lexer) = 0;
  virtual bool is_file() const { return false; }
};

struct Lexer::FileGen final : Generator {
  std::uint32_t file;
  std::string dir;
  std::string_view text;
  std::size_t pos = 0;
  std::uint32_t line = 0;

  bool is_file() const override { return true; }

  // One physical line, CR/LF removed and comments cut.
  bool next_physical(std::string_view& out) {
    if (pos >= text.size()) return false;
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    out = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
    out = out.substr(0, comment_start(out));
    return true;
  }

  bool next(Text& out, Lexer&) override {
    std::string_view raw;
    if (!next_physical(raw)) return false;
    out.s.assign(raw);
    out.cols.clear();
    out.origin = SourceLoc{file, line, 1};
    out.from_file = true;
    return true;
  }
};

// The lines of a multi-line definition being used.
struct Lexer::LinesGen final : Generator {
  std::string name;  // of the definition, to catch one that uses itself
  std::vector<std::string> lines;
  std::size_t index = 0;
  SourceLoc origin;

  bool next(Text& out, Lexer&) override {
    if (index >= lines.size()) return false;
    out.s = lines[index++];
    out.cols.assign(out.s.size(), origin.col);
    out.origin = origin;
    out.from_file = false;
    return true;
  }
};

// ~SEQ / ~SEQx / ~LST: the rest of a line, once per value.
struct Lexer::RepeatGen final : Generator {
  std::vector<std::string> vars;
  // ~LST: one row of values per repetition. ~SEQ: computed.
  std::vector<std::vector<std::string>> rows;
  std::size_t row = 0;
  bool sequence = false;
  bool hex = false;
  std::int64_t current = 0, step = 1, end = 0;
  Text rest;

  bool next(Text& out, Lexer& lexer) override {
    if (sequence) {
      if (step > 0 ? current > end : current < end) return false;
      lexer.defs_[vars[0]] =
          Definition{{hex ? fmt::format("{:x}", current) : std::to_string(current)}, false};
      current += step;
    } else {
      if (row >= rows.size()) return false;
      for (std::size_t i = 0; i < vars.size(); ++i) {
        lexer.defs_[vars[i]] = Definition{{i < rows[row].size() ? rows[row][i] : ""}, false};
      }
      ++row;
    }
    out = rest;
    return true;
  }
};

// ---------------------------------------------------------------------------------------------

Lexer::Lexer(SourceSet& sources, Diagnostics& diag, LexerOptions options)
    : sources_(sources),
      diag_(diag),
      options_(std::move(options)),
      random_state_(
          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) |
          1) {
  if (options_.config_id.empty()) options_.config_id = default_config_id();
}

Lexer::~Lexer() = default;

bool Lexer::open_file(const std::string& path) {
  const auto before = diag_.error_count();
  push_file(path, SourceLoc{}, true);
  return diag_.error_count() == before;
}

void Lexer::open_text(std::string name, std::string text) {
  auto gen = std::make_unique<FileGen>();
  gen->file = sources_.add(std::move(name), std::move(text));
  gen->text = sources_.text(gen->file);
  gen->dir = ".";
  stack_.push_back(std::move(gen));
}

void Lexer::push_file(const std::string& path, SourceLoc where, bool required_readable) {
  int depth = 0;
  for (const auto& g : stack_) depth += g->is_file() ? 1 : 0;
  if (depth >= options_.max_include_depth) {
    diag_.error(where, fmt::format("includes nested more than {} deep (an include loop?); '{}' "
                                   "not read",
                                   options_.max_include_depth, path));
    return;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string why = std::strerror(errno);
    if (!where.known()) {
      diag_.fatal(where, fmt::format("cannot read configuration file '{}': {}", path, why));
    } else if (required_readable) {
      diag_.error(where, fmt::format("cannot read included file '{}': {}", path, why));
    } else {
      diag_.warning(where, fmt::format("cannot read included file '{}': {}", path, why));
    }
    return;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  auto gen = std::make_unique<FileGen>();
  gen->file = sources_.add(path, std::move(buf).str());
  gen->text = sources_.text(gen->file);
  const auto slash = path.rfind('/');
  gen->dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  stack_.push_back(std::move(gen));
}

std::string Lexer::current_dir() const {
  for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
    if ((*it)->is_file()) return static_cast<const FileGen&>(**it).dir;
  }
  return ".";
}

bool Lexer::read_raw(Text& out) {
  while (!stack_.empty()) {
    if (stack_.back()->next(out, *this)) return true;
    stack_.pop_back();
  }
  return false;
}

bool Lexer::next_line(std::vector<Token>& out) {
  out.clear();
  Text text;
  while (read_raw(text)) {
    if (!text.from_file && ++expanded_lines_ > options_.max_expanded_lines) {
      if (!expansion_exhausted_) {
        diag_.fatal(text.origin, fmt::format("expansion produced more than {} lines; stopping",
                                             options_.max_expanded_lines));
        expansion_exhausted_ = true;
      }
      stack_.clear();
      return false;
    }
    if (!preprocess(text)) continue;
    tokenize(text, out);
    if (out.empty()) continue;
    ++line_order_;
    for (auto& t : out) t.loc.order = line_order_;
    return true;
  }
  return false;
}

namespace {

// Column (1-based) of character i of a line; an empty table means the identity from `base`.
std::uint32_t col_of(const std::vector<std::uint32_t>& cols, std::size_t i, std::uint32_t base) {
  if (cols.empty()) return static_cast<std::uint32_t>(base + i);
  return i < cols.size() ? cols[i] : cols.back() + 1;
}

// Drops the first n characters, keeping columns right.
void drop_prefix(std::string& s, std::vector<std::uint32_t>& cols, std::uint32_t& base,
                 std::size_t n) {
  s.erase(0, n);
  if (cols.empty()) {
    base += static_cast<std::uint32_t>(n);
  } else {
    cols.erase(cols.begin(), cols.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

// Turns identity columns into a table, before an edit that moves text around.
void materialize_cols(const std::string& s, std::vector<std::uint32_t>& cols, std::uint32_t base) {
  if (!cols.empty()) return;
  cols.resize(s.size());
  for (std::size_t i = 0; i < cols.size(); ++i) cols[i] = col_of({}, i, base);
}

}  // namespace

bool Lexer::expand_multiline(const std::string& name, SourceLoc origin) {
  auto it = defs_.find(name);
  if (it == defs_.end() || !it->second.multiline) return false;
  for (const auto& g : stack_) {
    if (const auto* lines = dynamic_cast<const LinesGen*>(g.get()); lines && lines->name == name) {
      diag_.error(origin, fmt::format("definition '{}' uses itself", name));
      return true;  // consumed: the use expands to nothing
    }
  }
  auto gen = std::make_unique<LinesGen>();
  gen->name = name;
  gen->lines = it->second.lines;
  gen->origin = origin;
  stack_.push_back(std::move(gen));
  return true;
}

bool Lexer::preprocess(Text& text) {
  // Columns of file text are the identity (base + index); only substitution needs a table.
  std::uint32_t base = 1;
  auto drop_space = [&] {
    std::size_t n = 0;
    while (n < text.s.size() && is_space(text.s[n])) ++n;
    drop_prefix(text.s, text.cols, base, n);
  };
  drop_space();
  if (text.s.empty()) return false;
  text.origin.col = col_of(text.cols, 0, base);

  if (text.from_file && text.s.starts_with("include")) {
    if (handle_include(text)) return false;
  }

  // @id / @^id: conditional lines. Checked again after substitution ($IF_MAIN=@main).
  auto conditional = [&]() -> bool {
    if (text.s.empty() || text.s[0] != '@') return true;
    std::size_t n = 1;
    const bool negate = n < text.s.size() && text.s[n] == '^';
    if (negate) ++n;
    std::size_t e = n;
    while (e < text.s.size() && !is_space(text.s[e])) ++e;
    const bool match = std::string_view(text.s).substr(n, e - n) == options_.config_id;
    if (match == negate) return false;
    drop_prefix(text.s, text.cols, base, e);
    drop_space();
    return !text.s.empty();
  };
  if (!conditional()) return false;

  if (text.s[0] == '$' && text.s.size() > 1 && is_name_start(text.s[1])) {
    std::size_t e = 1;
    while (e < text.s.size() && is_name_char(text.s[e])) ++e;
    if (e < text.s.size() && text.s[e] == '=') {
      text.origin.col = col_of(text.cols, 0, base);
      handle_definition(text);
      return false;
    }
    // A multi-line definition used alone on its line expands to its lines.
    if (trim(std::string_view(text.s).substr(e)).empty() &&
        expand_multiline(text.s.substr(1, e - 1), text.origin)) {
      return false;
    }
  }
  if (text.s.starts_with("${")) {
    const auto close = text.s.find('}');
    if (close != std::string::npos && trim(std::string_view(text.s).substr(close + 1)).empty() &&
        expand_multiline(text.s.substr(2, close - 2), text.origin)) {
      return false;
    }
  }

  if (text.s[0] == '~' && (text.s.starts_with("~SEQ(") || text.s.starts_with("~SEQx(") ||
                           text.s.starts_with("~LST("))) {
    materialize_cols(text.s, text.cols, base);
    handle_repeat(text);
    return false;
  }

  if (text.s.find('$') != std::string::npos) {
    materialize_cols(text.s, text.cols, base);
    if (substitute(text)) {
      drop_space();
      if (!conditional()) return false;
    }
  }
  if (base != 1) materialize_cols(text.s, text.cols, base);
  return true;
}

bool Lexer::handle_include(const Text& text) {
  std::string_view s = text.s;
  std::size_t e = 0;
  while (e < s.size() && !is_space(s[e])) ++e;
  const auto word = s.substr(0, e);
  bool need_match = false, need_readable = false;
  if (word == "include") {
  } else if (word == "includer") {
    need_readable = true;
  } else if (word == "includem" || word == "includew" || word == "includeb") {
    need_match = true;
  } else if (word == "includea") {
    need_match = need_readable = true;
  } else {
    return false;  // a keyword that merely starts with "include"
  }
  auto pattern = std::string(trim(s.substr(e)));
  if (pattern.size() >= 2 && (pattern.front() == '"' || pattern.front() == '\'') &&
      pattern.back() == pattern.front()) {
    pattern = pattern.substr(1, pattern.size() - 2);
  }
  if (pattern.empty()) {
    diag_.error(text.origin, fmt::format("'{}' needs a file name or pattern", word));
    return true;
  }
  if (pattern[0] != '/') pattern = current_dir() + "/" + pattern;
  glob_t g{};
  const int rc = glob(pattern.c_str(), GLOB_BRACE | GLOB_MARK, nullptr, &g);
  std::vector<std::string> files;
  if (rc == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) {
      std::string f = g.gl_pathv[i];
      if (!f.empty() && f.back() != '/') files.push_back(std::move(f));  // skip directories
    }
  }
  globfree(&g);
  if (files.empty()) {
    // Plain include of a pattern with no match is allowed (an empty conf.d), as in keepalived.
    const auto msg = fmt::format("no file matches '{}'", pattern);
    if (need_match) {
      diag_.error(text.origin, msg);
    } else {
      diag_.warning(text.origin, msg);
    }
    return true;
  }
  // The stack reads its top first: push in reverse to read in glob (sorted) order.
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    push_file(*it, text.origin, need_readable);
  }
  return true;
}

bool Lexer::handle_definition(Text& text) {
  const auto eq = text.s.find('=');
  const auto name = text.s.substr(1, eq - 1);
  Definition def;
  std::string value(trim(std::string_view(text.s).substr(eq + 1)));
  auto continued = [](std::string& v) {
    if (v.empty() || v.back() != '\\') return false;
    v.pop_back();
    while (!v.empty() && is_space(v.back())) v.pop_back();
    return true;
  };
  if (continued(value)) {
    def.multiline = true;
    if (!value.empty()) def.lines.push_back(value);
    // Continuation lines come from the file the definition is written in.
    FileGen* file = stack_.empty() || !stack_.back()->is_file()
                        ? nullptr
                        : static_cast<FileGen*>(stack_.back().get());
    bool more = file != nullptr;
    std::string_view raw;
    while (more && file->next_physical(raw)) {
      std::string line(trim(raw));
      more = continued(line);
      if (!line.empty()) def.lines.push_back(std::move(line));
    }
    if (more) {
      diag_.warning(text.origin,
                    fmt::format("multi-line definition '{}' ends at the end of the file", name));
    }
  } else {
    def.lines.push_back(std::move(value));
  }
  defs_[name] = std::move(def);
  return true;
}

bool Lexer::handle_repeat(Text& text) {
  const bool hex = text.s.starts_with("~SEQx(");
  const bool list = text.s.starts_with("~LST(");
  const auto open = text.s.find('(');
  // The argument list ends at the ')' that balances the '(' (~LST rows use braces, not parens).
  std::size_t close = std::string::npos;
  int depth = 0;
  for (std::size_t i = open; i < text.s.size(); ++i) {
    if (text.s[i] == '(') ++depth;
    if (text.s[i] == ')' && --depth == 0) {
      close = i;
      break;
    }
  }
  const SourceLoc at{text.origin.file, text.origin.line, text.cols.empty() ? 1 : text.cols[0]};
  if (close == std::string::npos) {
    diag_.error(at, "missing ')' in sequence or list specification");
    return false;
  }
  const std::string spec = text.s.substr(open + 1, close - open - 1);
  auto gen = std::make_unique<RepeatGen>();
  gen->rest.s = text.s.substr(close + 1);
  gen->rest.cols.assign(text.cols.begin() + static_cast<std::ptrdiff_t>(close + 1),
                        text.cols.end());
  gen->rest.origin = text.origin;
  gen->rest.from_file = false;

  // Split the spec at top-level commas (commas inside {...} belong to an ~LST row).
  std::vector<std::string> parts;
  std::string cur;
  int braces = 0;
  for (char c : spec) {
    if (c == '{') ++braces;
    if (c == '}') --braces;
    if (c == ',' && braces == 0) {
      parts.emplace_back(trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.emplace_back(trim(cur));
  auto split_braced = [](std::string_view s) {
    std::vector<std::string> out;
    s = trim(s);
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
    std::size_t start = 0;
    while (start <= s.size()) {
      auto comma = s.find(',', start);
      if (comma == std::string_view::npos) comma = s.size();
      out.emplace_back(trim(s.substr(start, comma - start)));
      start = comma + 1;
    }
    return out;
  };
  if (parts.empty() || parts[0].empty()) {
    diag_.error(at, "sequence or list specification needs a variable name");
    return false;
  }
  gen->vars = split_braced(parts[0]);
  for (const auto& v : gen->vars) {
    if (v.empty() || !is_name_start(v[0]) ||
        !std::all_of(v.begin(), v.end(), [](char c) { return is_name_char(c); })) {
      diag_.error(at, fmt::format("'{}' is not a valid variable name", v));
      return false;
    }
  }
  if (list) {
    if (parts.size() < 2) {
      diag_.error(at, "~LST needs at least one value");
      return false;
    }
    for (std::size_t i = 1; i < parts.size(); ++i) {
      gen->rows.push_back(gen->vars.size() > 1 ? split_braced(parts[i])
                                               : std::vector<std::string>{parts[i]});
    }
  } else {
    if (gen->vars.size() != 1 || parts.size() < 2 || parts.size() > 4) {
      diag_.error(at, "~SEQ takes (variable, [start, [step,]] end)");
      return false;
    }
    std::vector<std::int64_t> nums;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      auto n = parse_int(parts[i]);
      if (!n) {
        diag_.error(at, fmt::format("'{}' is not a number in ~SEQ", parts[i]));
        return false;
      }
      nums.push_back(*n);
    }
    std::int64_t start, step, end;
    if (nums.size() == 1) {
      end = nums[0];
      start = end >= 0 ? 1 : -1;
      step = end >= start ? 1 : -1;
    } else if (nums.size() == 2) {
      start = nums[0];
      end = nums[1];
      step = end >= start ? 1 : -1;
    } else {
      start = nums[0];
      step = nums[1];
      end = nums[2];
    }
    if (step == 0) {
      diag_.error(at, "~SEQ step must not be 0");
      return false;
    }
    gen->sequence = true;
    gen->hex = hex;
    gen->current = start;
    gen->step = step;
    gen->end = end;
  }
  stack_.push_back(std::move(gen));
  return true;
}

bool Lexer::substitute(Text& text) {
  // Substitution is recursive: replaced text is scanned again. A budget stops $A=$A.
  constexpr int kMaxReplacements = 1000;
  int replacements = 0;
  bool changed = false;
  std::size_t i = 0;
  while (i < text.s.size()) {
    if (text.s[i] != '$' || i + 1 >= text.s.size()) {
      ++i;
      continue;
    }
    std::size_t name_start, name_end, end;
    if (text.s[i + 1] == '{') {
      name_start = i + 2;
      end = text.s.find('}', name_start);
      if (end == std::string::npos) {
        ++i;
        continue;
      }
      name_end = end;
      ++end;
    } else if (is_name_start(text.s[i + 1])) {
      name_start = i + 1;
      name_end = name_start;
      while (name_end < text.s.size() && is_name_char(text.s[name_end])) ++name_end;
      end = name_end;
      // $NAME must be followed by whitespace or the end of the line.
      if (end < text.s.size() && !is_space(text.s[end])) {
        ++i;
        continue;
      }
    } else {
      ++i;
      continue;
    }
    std::string name = text.s.substr(name_start, name_end - name_start);
    std::optional<std::string> value;
    if (name == "_PWD") {
      value = current_dir();
    } else if (name == "_INSTANCE") {
      value = options_.config_id;
    } else if (name == "_HASH") {
      value = "#";
    } else if (name == "_BANG") {
      value = "!";
    } else if (name.starts_with("_RANDOM") && (name.size() == 7 || is_space(name[7]))) {
      std::int64_t lo = 0, hi = 32767;
      std::istringstream args(name.substr(7));
      std::string a, b;
      args >> a >> b;
      if (auto n = parse_int(a); !a.empty() && n) lo = *n;
      if (auto n = parse_int(b); !b.empty() && n) hi = *n;
      if (hi < lo) std::swap(lo, hi);
      random_state_ ^= random_state_ << 13;
      random_state_ ^= random_state_ >> 7;
      random_state_ ^= random_state_ << 17;
      const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
      value = std::to_string(lo + static_cast<std::int64_t>(random_state_ % span));
    } else if (auto it = defs_.find(name); it != defs_.end()) {
      std::string joined;
      for (const auto& l : it->second.lines) {
        if (!joined.empty()) joined += ' ';
        joined += l;
      }
      value = std::move(joined);
    }
    if (!value) {
      i = end;  // undefined: left as written
      continue;
    }
    if (++replacements > kMaxReplacements) {
      diag_.error(SourceLoc{text.origin.file, text.origin.line, text.cols[i]},
                  fmt::format("definition '{}' expands without end (it refers to itself?)", name));
      text.s.clear();
      text.cols.clear();
      return true;
    }
    const auto col = text.cols[i];
    text.s.replace(i, end - i, *value);
    text.cols.erase(text.cols.begin() + static_cast<std::ptrdiff_t>(i),
                    text.cols.begin() + static_cast<std::ptrdiff_t>(end));
    text.cols.insert(text.cols.begin() + static_cast<std::ptrdiff_t>(i), value->size(), col);
    changed = true;
    // Rescan from i: the value may itself hold references.
  }
  return changed;
}

void Lexer::tokenize(const Text& text, std::vector<Token>& out) {
  const std::string& s = text.s;
  auto loc_at = [&](std::size_t i) {
    return SourceLoc{text.origin.file, text.origin.line, col_of(text.cols, i, 1)};
  };
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_space(s[i])) {
      ++i;
      continue;
    }
    if (s[i] == '{' || s[i] == '}') {
      Token t;
      t.kind = s[i] == '{' ? Token::Kind::Open : Token::Kind::Close;
      t.text.assign(1, s[i]);
      t.loc = loc_at(i);
      out.push_back(std::move(t));
      ++i;
      continue;
    }
    Token t;
    t.loc = loc_at(i);
    // A word runs to unquoted whitespace or brace; quoted parts keep their whitespace.
    while (i < s.size() && !is_space(s[i]) && s[i] != '{' && s[i] != '}') {
      const char c = s[i];
      if (c != '"' && c != '\'') {
        // Append the whole unquoted run at once: this loop is the lexer's hot path.
        std::size_t e = i + 1;
        while (e < s.size() && !is_space(s[e]) && s[e] != '{' && s[e] != '}' && s[e] != '"' &&
               s[e] != '\'') {
          ++e;
        }
        t.text.append(s, i, e - i);
        i = e;
        continue;
      }
      t.quoted = true;
      const auto open_at = i++;
      bool closed = false;
      while (i < s.size()) {
        const char q = s[i];
        if (q == c) {
          closed = true;
          ++i;
          break;
        }
        if (q == '\\' && c == '"' && i + 1 < s.size()) {
          ++i;
          const char e = s[i++];
          switch (e) {
            case 'a':
              t.text += '\a';
              break;
            case 'b':
              t.text += '\b';
              break;
            case 'E':
              t.text += '\x1b';
              break;
            case 'f':
              t.text += '\f';
              break;
            case 'n':
              t.text += '\n';
              break;
            case 'r':
              t.text += '\r';
              break;
            case 't':
              t.text += '\t';
              break;
            case 'v':
              t.text += '\v';
              break;
            case 'x': {
              unsigned v = 0;
              int n = 0;
              while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i])) && n < 2) {
                v = v * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(s[i]))
                                                       ? s[i] - '0'
                                                       : (std::tolower(s[i]) - 'a' + 10));
                ++i;
                ++n;
              }
              if (n == 0) {
                t.text += 'x';
              } else {
                t.text += static_cast<char>(v);
              }
              break;
            }
            case 'c':
              if (i < s.size()) t.text += static_cast<char>(s[i++] & 0x1f);
              break;
            default:
              if (e >= '0' && e <= '7') {
                unsigned v = static_cast<unsigned>(e - '0');
                int n = 1;
                while (i < s.size() && s[i] >= '0' && s[i] <= '7' && n < 3) {
                  v = v * 8 + static_cast<unsigned>(s[i++] - '0');
                  ++n;
                }
                t.text += static_cast<char>(v & 0xff);
              } else {
                t.text += e;
              }
          }
          continue;
        }
        t.text += q;
        ++i;
      }
      if (!closed) {
        diag_.error(loc_at(open_at),
                    fmt::format("unterminated {} quote", c == '"' ? "double" : "single"));
      }
    }
    out.push_back(std::move(t));
  }
}

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> args;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char c : command) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        cur += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (is_space(c) || c == '\n') {
      if (in_word) args.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) args.push_back(std::move(cur));
  return args;
}

}  // namespace halo::config
