// The keepalived.conf lexer: text in, one logical line of tokens at a time out.
//
// keepalived's language is line-oriented, and most of its power lives in a preprocessing
// step that works on whole lines before any keyword is looked at:
//
//   include FILE          glob relative to the including file (and includer/m/w/b/a checks)
//   @id / @^id            keep the line only if the config id (-i, default host name) matches
//                         / does not match
//   $NAME=value           definitions, multi-line when lines end with '\'
//   $NAME, ${NAME}        substitution, recursive, at use time; a multi-line definition used
//                         alone on a line expands to its lines
//   ~SEQ(v, a, s, b)      repeat the rest of the line for v = a, a+s, ... b (~SEQx: hex)
//   ~LST(v, x, y, ...)    repeat the rest of the line for each listed value
//   # and ! comments, "..." and '...' quoting with shell-like escapes, { and } as tokens.
//
// The lexer is lazy: expansion happens on demand through a stack of line generators, so a
// line that expands to 65,000 instances never holds them all in memory. Every token carries
// the file, line and column it came from (for expanded text: where the expansion was used).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/diagnostics.h"
#include "config/source.h"

namespace halo::config {

struct Token {
  enum class Kind : std::uint8_t { Word, Open, Close };
  Kind kind = Kind::Word;
  bool quoted = false;  // a quoted word is never '{' or '}' and never a keyword
  std::string text;
  SourceLoc loc;

  bool is_open() const { return kind == Kind::Open; }
  bool is_close() const { return kind == Kind::Close; }
  bool is_word() const { return kind == Kind::Word; }
};

struct LexerOptions {
  std::string config_id;  // -i; defaults to the first label of the host name
  int max_include_depth = 32;
  // Upper bound on lines produced by expansion (~SEQ, ~LST, multi-line definitions), so a
  // typo such as ~SEQ(i, 1, 1000000000) fails cleanly instead of running for hours.
  std::uint64_t max_expanded_lines = 5'000'000;
};

class Lexer {
 public:
  Lexer(SourceSet& sources, Diagnostics& diag, LexerOptions options);
  ~Lexer();
  Lexer(const Lexer&) = delete;
  Lexer& operator=(const Lexer&) = delete;

  // Starts reading the main file. False (with a fatal diagnostic) if it cannot be read.
  bool open_file(const std::string& path);
  // Starts reading text held in memory (tests, fuzzing, reload from a control command).
  void open_text(std::string name, std::string text);

  // Fills `out` with the tokens of the next non-empty logical line. False at end of input.
  bool next_line(std::vector<Token>& out);

 private:
  struct Generator;
  struct FileGen;
  struct LinesGen;
  struct RepeatGen;
  // A line of text ready for preprocessing, with the column of every character in its source
  // line (substitution moves text around; diagnostics must still point at the right place).
  struct Text {
    std::string s;
    std::vector<std::uint32_t> cols;
    SourceLoc origin;  // file and line; col unused
    bool from_file = false;
  };
  struct Definition {
    std::vector<std::string> lines;
    bool multiline = false;
  };

  bool read_raw(Text& out);
  bool preprocess(Text& text);  // false when the line produced no tokens of its own
  bool handle_include(const Text& text);
  bool handle_definition(Text& text);
  bool handle_repeat(Text& text);
  bool substitute(Text& text);
  // Pushes the lines of multi-line definition `name`; false if it is not one.
  bool expand_multiline(const std::string& name, SourceLoc origin);
  void tokenize(const Text& text, std::vector<Token>& out);
  void push_file(const std::string& path, SourceLoc where, bool required_readable);
  std::string current_dir() const;

  SourceSet& sources_;
  Diagnostics& diag_;
  LexerOptions options_;
  std::vector<std::unique_ptr<Generator>> stack_;
  std::unordered_map<std::string, Definition> defs_;
  std::uint64_t expanded_lines_ = 0;
  std::uint32_t line_order_ = 0;  // logical lines produced so far (SourceLoc::order)
  bool expansion_exhausted_ = false;
  std::uint64_t random_state_;
};

// Splits a script command line ("/bin/foo a 'b c'") into arguments the way keepalived does:
// unquoted whitespace separates, single quotes group.
std::vector<std::string> split_command(const std::string& command);

}  // namespace halo::config
