#include "control/command.h"

#include <gtest/gtest.h>

#include <string>

namespace halo::control {
namespace {

std::vector<std::vector<std::string>> words_of(std::string_view line) {
  const auto commands = parse_line(line);
  EXPECT_TRUE(commands) << commands.error().message;
  std::vector<std::vector<std::string>> out;
  if (commands) {
    for (const auto& command : *commands) out.push_back(command.words);
  }
  return out;
}

using Words = std::vector<std::vector<std::string>>;

TEST(ControlCommandTest, SplitsWordsOnSpacesAndTabs) {
  EXPECT_EQ(words_of("show  instance\tVI_1 "), (Words{{"show", "instance", "VI_1"}}));
}

TEST(ControlCommandTest, PipelinesOnSemicolonsAndSkipsEmptyCommands) {
  EXPECT_EQ(words_of("show info;show stats ; ;;help"),
            (Words{{"show", "info"}, {"show", "stats"}, {"help"}}));
  EXPECT_EQ(words_of(""), Words{});
  EXPECT_EQ(words_of(" \t; ;"), Words{});
}

TEST(ControlCommandTest, IgnoresATrailingCarriageReturn) {
  EXPECT_EQ(words_of("show info\r"), (Words{{"show", "info"}}));
}

TEST(ControlCommandTest, LastWordJsonBecomesAFlag) {
  const auto commands = parse_line("show instances json; show json info; json");
  ASSERT_TRUE(commands);
  ASSERT_EQ(commands->size(), 3u);
  EXPECT_TRUE((*commands)[0].json);
  EXPECT_EQ((*commands)[0].words, (std::vector<std::string>{"show", "instances"}));
  EXPECT_FALSE((*commands)[1].json);  // only the last word counts
  EXPECT_EQ((*commands)[1].words.size(), 3u);
  EXPECT_FALSE((*commands)[2].json);  // a lone `json` is a verb
  EXPECT_EQ((*commands)[2].verb(), "json");
}

TEST(ControlCommandTest, RefusesControlCharacters) {
  const auto commands = parse_line(std::string_view("show\x01info", 9));
  ASSERT_FALSE(commands);
  EXPECT_EQ(commands.error().message, "control character 0x01 at column 5 (commands are text)");
  EXPECT_FALSE(parse_line(std::string("show\0info", 9)));
  EXPECT_FALSE(parse_line("show\x7f"));
  EXPECT_FALSE(parse_line("a\rb"));  // only a trailing '\r' is tolerated
}

TEST(ControlCommandTest, AcceptsUtf8Names) {
  EXPECT_EQ(words_of("show instance caf\xc3\xa9"), (Words{{"show", "instance", "caf\xc3\xa9"}}));
}

TEST(ControlCommandTest, BoundsWordsAndLineLength) {
  std::string line;
  for (std::size_t i = 0; i < kMaxWords; ++i) line += "w ";
  EXPECT_TRUE(parse_line(line));
  line += "one-more";
  const auto commands = parse_line(line);
  ASSERT_FALSE(commands);
  EXPECT_EQ(commands.error().message, "too many words in one command (at most 32)");
  // The bound is per command: a pipeline may hold more words in all.
  EXPECT_TRUE(parse_line(line.substr(0, line.size() - 8) + ";" + line.substr(0, 20)));

  const auto overlong = parse_line(std::string(kMaxLineBytes + 1, 'a'));
  ASSERT_FALSE(overlong);
  EXPECT_EQ(overlong.error().message, "line longer than 16384 bytes");
  EXPECT_TRUE(parse_line(std::string(kMaxLineBytes, 'a')));
}

}  // namespace
}  // namespace halo::control
