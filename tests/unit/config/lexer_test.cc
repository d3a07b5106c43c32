// The lexer: comments, quoting, conditionals, definitions, sequences, includes, positions.
#include "config/lexer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace halo::config {
namespace {

using ::testing::ElementsAre;

struct Lexed {
  std::vector<std::vector<std::string>> lines;
  std::vector<std::vector<Token>> tokens;
  SourceSet sources;
  Diagnostics diag;
};

Lexed lex_text(const std::string& text, const std::string& id = "main") {
  Lexed out;
  LexerOptions o;
  o.config_id = id;
  Lexer lexer(out.sources, out.diag, o);
  lexer.open_text("t.conf", text);
  std::vector<Token> line;
  while (lexer.next_line(line)) {
    std::vector<std::string> words;
    for (const auto& t : line) words.push_back(t.text);
    out.lines.push_back(words);
    out.tokens.push_back(line);
  }
  return out;
}

using Lines = std::vector<std::vector<std::string>>;

TEST(Lexer, SplitsWordsAndBracesAndDropsComments) {
  auto l = lex_text("vrrp_instance VI_1 {  # comment\n  priority 100 ! other\n}\n");
  EXPECT_EQ(l.lines, (Lines{{"vrrp_instance", "VI_1", "{"}, {"priority", "100"}, {"}"}}));
  EXPECT_TRUE(l.tokens[0][2].is_open());
  EXPECT_TRUE(l.tokens[2][0].is_close());
  EXPECT_FALSE(l.diag.has_errors());
}

TEST(Lexer, BracesNeedNoSpaces) {
  auto l = lex_text("virtual_ipaddress {192.0.2.1}\n");
  EXPECT_EQ(l.lines, (Lines{{"virtual_ipaddress", "{", "192.0.2.1", "}"}}));
}

TEST(Lexer, CrLfLineEnds) {
  auto l = lex_text("a 1\r\nb 2\r\n");
  EXPECT_EQ(l.lines, (Lines{{"a", "1"}, {"b", "2"}}));
}

TEST(Lexer, QuotedStringsKeepSpacesAndHideCommentsAndBraces) {
  auto l = lex_text("notify \"/bin/x a  b # not { a comment\" tail\n");
  EXPECT_EQ(l.lines, (Lines{{"notify", "/bin/x a  b # not { a comment", "tail"}}));
  EXPECT_TRUE(l.tokens[0][1].quoted);
  EXPECT_FALSE(l.tokens[0][2].quoted);
}

TEST(Lexer, QuotesJoinAdjacentText) {
  // keepalived's manual: ´abcd" efg h jkl "mnop´ is the single string ´abcd efg h jkl mnop´.
  auto l = lex_text("x abcd\" efg h jkl \"mnop\n");
  EXPECT_EQ(l.lines, (Lines{{"x", "abcd efg h jkl mnop"}}));
}

TEST(Lexer, EscapesInsideDoubleQuotes) {
  auto l = lex_text(R"(x "a\tb\n\x41\101\"q\\ \cA")"
                    "\n");
  ASSERT_EQ(l.lines.size(), 1u);
  EXPECT_EQ(l.lines[0][1], std::string("a\tb\nAA\"q\\ \x01"));
}

TEST(Lexer, SingleQuotesInsideDoubleQuotesAreLiteral) {
  auto l = lex_text("script \"/bin/x 'a b' c\"\n");
  EXPECT_EQ(l.lines[0][1], "/bin/x 'a b' c");
  EXPECT_THAT(split_command(l.lines[0][1]), ElementsAre("/bin/x", "a b", "c"));
}

TEST(Lexer, UnterminatedQuoteIsAnErrorWithItsColumn) {
  auto l = lex_text("router_id \"abc\n");
  ASSERT_TRUE(l.diag.has_errors());
  const auto& d = l.diag.all().front();
  EXPECT_EQ(d.loc.line, 1u);
  EXPECT_EQ(d.loc.col, 11u);
  EXPECT_THAT(d.message, ::testing::HasSubstr("unterminated"));
  EXPECT_EQ(l.lines, (Lines{{"router_id", "abc"}}));
}

TEST(Lexer, TokensCarryLineAndColumn) {
  auto l = lex_text("\n  \tpriority   100\n");
  ASSERT_EQ(l.tokens.size(), 1u);
  EXPECT_EQ(l.tokens[0][0].loc.line, 2u);
  EXPECT_EQ(l.tokens[0][0].loc.col, 4u);
  EXPECT_EQ(l.tokens[0][1].loc.col, 15u);
}

TEST(Lexer, ConditionalLines) {
  const std::string text = "@main a 1\n@backup b 2\n@^main c 3\n@^backup d 4\n";
  EXPECT_EQ(lex_text(text, "main").lines, (Lines{{"a", "1"}, {"d", "4"}}));
  EXPECT_EQ(lex_text(text, "backup").lines, (Lines{{"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(lex_text(text, "other").lines, (Lines{{"c", "3"}, {"d", "4"}}));
}

TEST(Lexer, ConditionalColumnsPointIntoTheLine) {
  auto l = lex_text("@main   priority 5\n");
  EXPECT_EQ(l.tokens[0][0].loc.col, 9u);
}

TEST(Lexer, DefinitionsSubstituteAtUseTime) {
  // The example of keepalived.conf(5), "Parameter substitution".
  auto l = lex_text(
      "$ADDRESS_BASE=198.51.${ADDRESS_BASE_SUB}\n"
      "$ADDRESS_BASE_SUB=0\n"
      "${ADDRESS_BASE}.100/32\n"
      "$ADDRESS_BASE_SUB=10\n"
      "${ADDRESS_BASE}.100/32\n");
  EXPECT_EQ(l.lines, (Lines{{"198.51.0.100/32"}, {"198.51.10.100/32"}}));
}

TEST(Lexer, DollarNameNeedsWhitespaceAfterIt) {
  auto l = lex_text("$P=240\npriority $P\nx $Px ${P}x\n");
  EXPECT_EQ(l.lines, (Lines{{"priority", "240"}, {"x", "$Px", "240x"}}));
}

TEST(Lexer, UndefinedParametersStayAsWritten) {
  auto l = lex_text("script \"/bin/echo $HOME ${UNDEF}\"\n");
  EXPECT_EQ(l.lines[0][1], "/bin/echo $HOME ${UNDEF}");
}

TEST(Lexer, ConditionalDefinitionAndDefinedConditional) {
  auto l = lex_text(
      "@main $PRIORITY=240\n@backup $PRIORITY=200\npriority $PRIORITY\n"
      "$IF_MAIN=@main\n$IF_MAIN weight 3\n",
      "main");
  EXPECT_EQ(l.lines, (Lines{{"priority", "240"}, {"weight", "3"}}));
}

TEST(Lexer, MultiLineDefinitionsExpandToLines) {
  auto l = lex_text(
      "$INST= \\\n"
      "vrrp_instance VI_${NUM} { \\\n"
      "  @main priority 130 \\\n"
      "  @backup priority 120 \\\n"
      "}\n"
      "$NUM=0\n"
      "$INST\n"
      "$NUM=1\n"
      "${INST}\n",
      "backup");
  EXPECT_EQ(l.lines, (Lines{{"vrrp_instance", "VI_0", "{"},
                            {"priority", "120"},
                            {"}"},
                            {"vrrp_instance", "VI_1", "{"},
                            {"priority", "120"},
                            {"}"}}));
}

TEST(Lexer, NestedMultiLineDefinitions) {
  auto l = lex_text(
      "$RS= \\\n"
      "real_server 192.0.2.${N} 80\n"
      "$VS= \\\n"
      "$N=1 \\\n"
      "$RS \\\n"
      "$N=2 \\\n"
      "$RS\n"
      "$VS\n");
  EXPECT_EQ(l.lines,
            (Lines{{"real_server", "192.0.2.1", "80"}, {"real_server", "192.0.2.2", "80"}}));
}

TEST(Lexer, RecursiveDefinitionIsAnErrorNotAHang) {
  auto l = lex_text("$A=${A}x\nvalue ${A}\n");
  EXPECT_TRUE(l.diag.has_errors());
}

TEST(Lexer, MultiLineDefinitionUsingItselfIsAnErrorNotAnExplosion) {
  auto l = lex_text("$M=a \\\n$M\n$M\n");
  EXPECT_TRUE(l.diag.has_errors());
  EXPECT_LE(l.lines.size(), 2u);
}

TEST(Lexer, PredefinedDefinitions) {
  auto l = lex_text("a ${_HASH}${_BANG} ${_INSTANCE}\nr ${_RANDOM 5 5}\n", "node1");
  EXPECT_EQ(l.lines, (Lines{{"a", "#!", "node1"}, {"r", "5"}}));
}

TEST(Lexer, Sequences) {
  EXPECT_EQ(lex_text("~SEQ(S, 0, 3) ip 198.51.100.${S}\n").lines, (Lines{{"ip", "198.51.100.0"},
                                                                         {"ip", "198.51.100.1"},
                                                                         {"ip", "198.51.100.2"},
                                                                         {"ip", "198.51.100.3"}}));
  EXPECT_EQ(lex_text("~SEQx(S, 0x90, 0x10, 0xc0) ${S}\n").lines,
            (Lines{{"90"}, {"a0"}, {"b0"}, {"c0"}}));
  EXPECT_EQ(lex_text("~SEQ(S, 3) ${S}\n").lines, (Lines{{"1"}, {"2"}, {"3"}}));
  EXPECT_EQ(lex_text("~SEQ(S, 3, 1) ${S}\n").lines, (Lines{{"3"}, {"2"}, {"1"}}));
  EXPECT_EQ(lex_text("~SEQ(A, 1, 2) ~SEQ(B, 5, 6) ${A}.${B}\n").lines,
            (Lines{{"1.5"}, {"1.6"}, {"2.5"}, {"2.6"}}));
}

TEST(Lexer, Lists) {
  EXPECT_EQ(lex_text("~LST(V, a, b) x${V}\n").lines, (Lines{{"xa"}, {"xb"}}));
  EXPECT_EQ(lex_text("~LST({IP, IP1}, {10,1},{20,4}) 192.0.${IP}.${IP1}\n").lines,
            (Lines{{"192.0.10.1"}, {"192.0.20.4"}}));
  EXPECT_EQ(lex_text("~LST(A, 1, 2) ~SEQ(B, 7, 8) ${A}${B}\n").lines,
            (Lines{{"17"}, {"18"}, {"27"}, {"28"}}));
}

TEST(Lexer, BadSequencesAreErrors) {
  for (const char* bad : {"~SEQ(S, 1, 0, 5) x\n", "~SEQ(S, a, 5) x\n", "~SEQ(S, 1, 2\n",
                          "~SEQ(1S, 1, 2) x\n", "~SEQ() x\n", "~LST(V) x\n"}) {
    EXPECT_TRUE(lex_text(bad).diag.has_errors()) << bad;
  }
}

TEST(Lexer, HugeExpansionStopsCleanly) {
  SourceSet sources;
  Diagnostics diag;
  LexerOptions o;
  o.config_id = "x";
  o.max_expanded_lines = 1000;
  Lexer lexer(sources, diag, o);
  lexer.open_text("t.conf", "~SEQ(A, 1, 1000000000) x\n");
  std::vector<Token> line;
  int n = 0;
  while (lexer.next_line(line)) ++n;
  EXPECT_LE(n, 1000);
  EXPECT_TRUE(diag.has_fatal());
}

class LexerFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/halo-lexer-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(dir_ + "/" + name).parent_path());
    std::ofstream(dir_ + "/" + name) << text;
  }
  Lexed lex_file(const std::string& name) {
    Lexed out;
    Lexer lexer(out.sources, out.diag, LexerOptions{"x"});
    lexer.open_file(dir_ + "/" + name);
    std::vector<Token> line;
    while (lexer.next_line(line)) {
      std::vector<std::string> words;
      for (const auto& t : line) words.push_back(t.text);
      out.lines.push_back(words);
      out.tokens.push_back(line);
    }
    return out;
  }
  std::string dir_;
};

TEST_F(LexerFiles, IncludesGlobRelativeToTheIncludingFile) {
  write("main.conf", "a 1\ninclude conf.d/*.conf\nb 2\n");
  write("conf.d/20-second.conf", "second 2\ninclude ../leaf/{x,y}.conf\n");
  write("conf.d/10-first.conf", "first 1\n");
  write("leaf/x.conf", "x 1\n");
  write("leaf/y.conf", "y 1 ${_PWD}\n");
  auto l = lex_file("main.conf");
  EXPECT_FALSE(l.diag.has_errors()) << l.diag.render(l.sources);
  EXPECT_EQ(l.lines, (Lines{{"a", "1"},
                            {"first", "1"},
                            {"second", "2"},
                            {"x", "1"},
                            {"y", "1", dir_ + "/conf.d/../leaf"},
                            {"b", "2"}}));
  // Positions name the included file.
  EXPECT_EQ(l.sources.name(l.tokens[1][0].loc.file), dir_ + "/conf.d/10-first.conf");
}

TEST_F(LexerFiles, IncludeWithoutMatchIsAWarningButIncludeaIsAnError) {
  write("a.conf", "include nothing/*.conf\n");
  write("b.conf", "includea nothing/*.conf\n");
  auto a = lex_file("a.conf");
  EXPECT_FALSE(a.diag.has_errors());
  EXPECT_EQ(a.diag.warning_count(), 1u);
  EXPECT_TRUE(lex_file("b.conf").diag.has_errors());
}

TEST_F(LexerFiles, IncludeLoopIsBounded) {
  write("loop.conf", "x 1\ninclude loop.conf\n");
  auto l = lex_file("loop.conf");
  EXPECT_TRUE(l.diag.has_errors());
  EXPECT_LE(l.lines.size(), 64u);
}

TEST_F(LexerFiles, MissingMainFileIsFatal) {
  auto l = lex_file("absent.conf");
  EXPECT_TRUE(l.diag.has_fatal());
}

}  // namespace
}  // namespace halo::config
