// The table-driven parser: statements, blocks, recovery, diagnostics, dumps.
#include "config/parser.h"

#include <gmock/gmock.h>

#include "config/dump.h"
#include "test_util.h"

namespace halo::config::testing {
namespace {

using ::testing::HasSubstr;

TEST(Parser, ParsesBlocksIntoTheModel) {
  auto l = load(
      "global_defs {\n"
      "  router_id edge-1\n"
      "}\n"
      "vrrp_instance VI_1 {\n"
      "  interface eth0\n"
      "  virtual_router_id 51\n"
      "  priority 150\n"
      "  virtual_ipaddress {\n"
      "    192.0.2.10/24\n"
      "  }\n"
      "}\n");
  ASSERT_TRUE(l.ok()) << rendered(l);
  EXPECT_EQ(l.config->global.defs.router_id, "edge-1");
  ASSERT_EQ(l.config->vrrp.instances.size(), 1u);
  const auto& vi = l.config->vrrp.instances[0];
  EXPECT_EQ(vi.name, "VI_1");
  EXPECT_EQ(vi.interface, "eth0");
  EXPECT_EQ(vi.virtual_router_id, 51);
  EXPECT_EQ(vi.priority, 150);
  EXPECT_EQ(vi.loc.line, 4u);
}

TEST(Parser, OpeningBraceMayBeOnTheNextLine) {
  auto l = load("global_defs\n{\n  router_id r\n}\n");
  EXPECT_TRUE(l.ok()) << rendered(l);
  EXPECT_EQ(l.config->global.defs.router_id, "r");
}

TEST(Parser, WholeBlockOnOneLine) {
  auto l = load("global_defs { router_id r }\n");
  EXPECT_TRUE(l.ok()) << rendered(l);
  EXPECT_EQ(l.config->global.defs.router_id, "r");
}

TEST(Parser, UnknownKeywordIsAnErrorWhenStrictAndAWarningOtherwise) {
  const std::string text = "global_defs {\n  no_such_keyword 1\n  router_id r\n}\n";
  auto strict = load(text, KeywordMode::Strict);
  EXPECT_TRUE(has_error(strict, 2, "unknown keyword 'no_such_keyword'")) << rendered(strict);
  auto lenient = load(text, KeywordMode::Lenient);
  EXPECT_TRUE(lenient.ok()) << rendered(lenient);
  EXPECT_EQ(lenient.diagnostics.warning_count(), 1u);
  EXPECT_EQ(lenient.config->global.defs.router_id, "r");
}

TEST(Parser, UnknownBlockIsSkippedWholeAndParsingGoesOn) {
  auto l = load(
      "mystery_block {\n"
      "  router_id inner\n"
      "  nested { a b }\n"
      "}\n"
      "global_defs {\n"
      "  router_id outer\n"
      "}\n");
  EXPECT_EQ(l.diagnostics.error_count(), 1u) << rendered(l);
  EXPECT_EQ(l.config->global.defs.router_id, "outer");
}

TEST(Parser, EveryProblemIsReportedInOneRun) {
  auto l = load(
      "vrrp_instance VI_1 {\n"
      "  interface eth0\n"
      "  virtual_router_id 0\n"
      "  priority 300\n"
      "  bogus\n"
      "}\n");
  EXPECT_TRUE(has_error(l, 3, "out of range 1..255")) << rendered(l);
  EXPECT_TRUE(has_error(l, 4, "'priority' value 300 is out of range 1..255")) << rendered(l);
  EXPECT_TRUE(has_error(l, 5, "unknown keyword 'bogus'")) << rendered(l);
}

TEST(Parser, StrayClosingBrace) {
  auto l = load("}\nglobal_defs { router_id r }\n");
  EXPECT_TRUE(has_error(l, 1, "without a block")) << rendered(l);
  EXPECT_EQ(l.config->global.defs.router_id, "r");
}

TEST(Parser, UnclosedBlock) {
  auto l = load("global_defs {\n  router_id r\n");
  EXPECT_TRUE(has_error(l, 1, "not closed")) << rendered(l);
}

TEST(Parser, BlockKeywordWithoutBlockAndValueKeywordWithBlock) {
  auto a = load("global_defs\n");
  EXPECT_TRUE(has_error(a, 1, "needs a { } block")) << rendered(a);
  auto b = load("global_defs {\n  router_id { x }\n}\n");
  EXPECT_TRUE(has_error(b, 2, "does not take a block")) << rendered(b);
}

TEST(Parser, QuotedWordIsNeverAKeyword) {
  auto l = load("\"global_defs\" {\n}\n");
  EXPECT_TRUE(has_error(l, 1, "unknown keyword")) << rendered(l);
}

TEST(Parser, ArgumentCountIsChecked) {
  auto l = load("global_defs {\n  router_id\n}\nglobal_defs {\n  router_id a b\n}\n");
  EXPECT_TRUE(has_error(l, 2, "needs a value")) << rendered(l);
  EXPECT_FALSE(has_error(l, 5, "at most 1 value")) << rendered(l);
  EXPECT_EQ(l.diagnostics.warning_count(), 1u) << rendered(l);
  EXPECT_EQ(l.config->global.defs.router_id, "a");
}

TEST(Parser, DiagnosticsRenderLikeACompiler) {
  auto l = load("vrrp_instance VI_1 {\n\tpriority 300\n}\n");
  const auto text = rendered(l);
  EXPECT_THAT(text, HasSubstr("test.conf:2:11: error: 'priority' value 300 is out of range"));
  EXPECT_THAT(text, HasSubstr("\n    \tpriority 300\n    \t         ^\n"));
}

TEST(Parser, DumpQuotesWhatThePreprocessorWouldReadOtherwise) {
  // Found by the fuzzer: values that look like definitions, conditionals, sequences or
  // include directives must come back as the same values.
  auto first = load(
      "global_defs {\n"
      "  router_id \"\\x24_PWD\"\n"
      "  notification_email {\n"
      "    \"@fuzz\"\n"
      "    \"include\"\n"
      "    \"~SEQ(i,1,2)\"\n"
      "    \"$X=1\"\n"
      "    \"tab\\there\"\n"
      "  }\n"
      "}\n");
  ASSERT_TRUE(first.ok()) << rendered(first);
  EXPECT_EQ(first.config->global.defs.router_id, "$_PWD");
  const auto dumped = dump_keepalived(*first.config);
  auto second = load(dumped);
  ASSERT_TRUE(second.ok()) << rendered(second) << dumped;
  EXPECT_EQ(*first.config, *second.config) << dumped;
}

TEST(Parser, JsonDumpIsValidUtf8) {
  auto l = load("global_defs {\n  router_id \"\\xff\\xfeok\"\n}\n");
  ASSERT_TRUE(l.ok()) << rendered(l);
  EXPECT_THAT(dump_json(*l.config), HasSubstr("\"router_id\":\"\xef\xbf\xbd\xef\xbf\xbdok\""));
}

TEST(Parser, ProblemsBeyondTheListLimitAreStillCounted) {
  std::string text = "global_defs {\n";
  for (int i = 0; i < 10050; ++i) text += "  router_id\n";
  text += "}\n";
  auto l = load(text);
  EXPECT_EQ(l.diagnostics.error_count(), 10050u);
  EXPECT_EQ(l.diagnostics.warning_count(), 0u);
  EXPECT_THAT(l.diagnostics.all().back().message, HasSubstr("counted, not listed"));
  EXPECT_EQ(config_test_exit_code(l.diagnostics), kConfigRunsWithoutBadParts);
}

TEST(Parser, GarbageNeverCrashes) {
  for (const char* text : {"{", "}", "{{{{", "}}}}", "\"", "'", "a {", "a { b { c {", "$", "${",
                           "@", "@^", "~SEQ(", "include", "\\", "\x01\x02\xff{}"}) {
    auto l = load(text);
    SUCCEED() << rendered(l);
  }
}

TEST(Parser, DumpParsesBackToAnEqualModel) {
  const std::string text =
      "global_defs {\n"
      "  router_id \"edge 1\"\n"
      "  notification_email {\n"
      "    ops@example.com\n"
      "  }\n"
      "}\n"
      "vrrp_instance VI_1 {\n"
      "  interface eth0\n"
      "  virtual_router_id 51\n"
      "  priority 150\n"
      "  virtual_ipaddress {\n"
      "    192.0.2.10/24 dev eth0 label eth0:1\n"
      "  }\n"
      "}\n";
  auto first = load(text);
  ASSERT_TRUE(first.ok()) << rendered(first);
  const auto dumped = dump_keepalived(*first.config);
  auto second = load(dumped);
  ASSERT_TRUE(second.ok()) << rendered(second) << dumped;
  EXPECT_EQ(*first.config, *second.config) << dumped;
  EXPECT_THAT(dump_json(*first.config), HasSubstr("\"router_id\":\"edge 1\""));
}

}  // namespace
}  // namespace halo::config::testing

namespace halo::config::testing {
namespace {

// keepalived reads a file once: a bfd_instance or track_file must come before what names it.
TEST(Parser, NamesMustBeDefinedBeforeUse) {
  const std::string vi =
      "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n"
      " virtual_ipaddress {\n  192.0.2.1\n }\n track_bfd {\n  b1\n }\n}\n";
  const std::string bfd = "bfd_instance b1 {\n neighbor_ip 192.0.2.2\n}\n";
  EXPECT_TRUE(load(bfd + vi).ok()) << rendered(load(bfd + vi));
  auto late = load(vi + bfd);
  EXPECT_TRUE(has_error(late, 8, "track_bfd 'b1' is not defined before it")) << rendered(late);

  const std::string tf = "track_file tf1 {\n file /tmp/halo-tf1\n}\n";
  const std::string vs =
      "virtual_server 192.0.2.1 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n"
      " real_server 192.0.2.10 80 {\n  FILE_CHECK {\n   track_file tf1\n  }\n }\n}\n";
  EXPECT_TRUE(load(tf + vs).ok()) << rendered(load(tf + vs));
  auto file_late = load(vs + tf);
  EXPECT_TRUE(has_error(file_late, 6, "track_file 'tf1', which is not configured before it"))
      << rendered(file_late);
}

TEST(Parser, DumpKeepsDefinitionsBeforeUse) {
  const std::string text =
      "bfd_instance b1 {\n neighbor_ip 192.0.2.2\n}\n"
      "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n"
      " virtual_ipaddress {\n  192.0.2.1\n }\n track_bfd {\n  b1\n }\n}\n";
  auto first = load(text);
  ASSERT_TRUE(first.ok()) << rendered(first);
  auto second = load(dump_keepalived(*first.config));
  EXPECT_TRUE(second.ok()) << rendered(second);
}

}  // namespace
}  // namespace halo::config::testing
