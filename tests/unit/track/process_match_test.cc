// keepalived's matching rules for vrrp_track_process (see process_match.cc for their source).
#include "track/process_match.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace halo::track {
namespace {

using config::ParamMatch;

config::TrackProcess tracker(std::vector<std::string> process,
                             std::optional<ParamMatch> match = std::nullopt,
                             bool full_command = false) {
  config::TrackProcess t;
  t.name = "t";
  t.process = std::move(process);
  t.param_match = match;
  t.full_command = full_command;
  return t;
}

ProcessIdentity proc(std::string comm, std::vector<std::string> cmdline) {
  return ProcessIdentity{std::move(comm), std::move(cmdline)};
}

TEST(ProcessMatch, BareNameComparesTheProcessNameExactly) {
  const auto t = tracker({"nginx"});
  EXPECT_FALSE(needs_cmdline(t));
  EXPECT_TRUE(process_matches(t, proc("nginx", {})));
  EXPECT_TRUE(process_matches(t, proc("nginx", {"/usr/sbin/nginx", "-g", "daemon off;"})));
  EXPECT_FALSE(process_matches(t, proc("nginx2", {"nginx"})));  // no substring
  EXPECT_FALSE(process_matches(t, proc("ngin", {})));
  EXPECT_FALSE(process_matches(t, proc("Nginx", {})));
  // The command line is not looked at.
  EXPECT_FALSE(process_matches(t, proc("worker", {"nginx"})));
}

TEST(ProcessMatch, NameLongerThanTheKernelKeepsNeverMatchesByName) {
  // The kernel keeps 15 bytes of a name; keepalived (and pgrep) then never match.
  const auto t = tracker({"averyveryverylongname"});
  EXPECT_FALSE(process_matches(t, proc("averyveryverylo", {"averyveryverylongname"})));
  const auto exact15 = tracker({"averyveryverylo"});
  EXPECT_TRUE(process_matches(exact15, proc("averyveryverylo", {})));
  // full_command finds it.
  const auto full = tracker({"averyveryverylongname"}, std::nullopt, true);
  EXPECT_TRUE(process_matches(full, proc("averyveryverylo", {"averyveryverylongname"})));
}

TEST(ProcessMatch, FullCommandAloneComparesTheProgramOnly) {
  const auto t = tracker({"/usr/sbin/nginx"}, std::nullopt, true);
  EXPECT_TRUE(needs_cmdline(t));
  EXPECT_TRUE(process_matches(t, proc("nginx", {"/usr/sbin/nginx"})));
  EXPECT_TRUE(process_matches(t, proc("nginx", {"/usr/sbin/nginx", "-g", "x"})));
  EXPECT_FALSE(process_matches(t, proc("nginx", {"nginx"})));
  EXPECT_FALSE(process_matches(t, proc("nginx", {"/usr/sbin/nginx2"})));
  // No command line: a kernel thread or a zombie.
  EXPECT_FALSE(process_matches(t, proc("/usr/sbin/nginx", {})));
}

TEST(ProcessMatch, ParametersWithoutParamMatchAreExact) {
  const auto t = tracker({"haproxy", "-f", "/etc/haproxy.cfg"});
  EXPECT_TRUE(needs_cmdline(t));
  EXPECT_TRUE(process_matches(t, proc("haproxy", {"haproxy", "-f", "/etc/haproxy.cfg"})));
  EXPECT_FALSE(process_matches(t, proc("haproxy", {"haproxy", "-f"})));
  EXPECT_FALSE(process_matches(t, proc("haproxy", {"haproxy", "-f", "/etc/haproxy.cfg", "-D"})));
  EXPECT_FALSE(process_matches(t, proc("haproxy", {"haproxy", "-f", "/etc/haproxy.cfg2"})));
  EXPECT_FALSE(
      process_matches(t, proc("haproxy", {"/usr/sbin/haproxy", "-f", "/etc/haproxy.cfg"})));
  // The name is not what is compared.
  EXPECT_TRUE(process_matches(t, proc("other", {"haproxy", "-f", "/etc/haproxy.cfg"})));
}

TEST(ProcessMatch, ParamMatchWithoutParametersMeansNone) {
  const auto t = tracker({"sleep"}, ParamMatch::Exact);
  EXPECT_TRUE(needs_cmdline(t));
  EXPECT_TRUE(process_matches(t, proc("sleep", {"sleep"})));
  EXPECT_FALSE(process_matches(t, proc("sleep", {"sleep", "10"})));
  EXPECT_FALSE(process_matches(t, proc("sleep", {"sleep", ""})));
}

TEST(ProcessMatch, PartialAllowsMoreParameters) {
  const auto t = tracker({"prog", "a", "b"}, ParamMatch::Partial);
  EXPECT_TRUE(process_matches(t, proc("prog", {"prog", "a", "b"})));
  EXPECT_TRUE(process_matches(t, proc("prog", {"prog", "a", "b", "c"})));
  EXPECT_FALSE(process_matches(t, proc("prog", {"prog", "a"})));
  EXPECT_FALSE(process_matches(t, proc("prog", {"prog", "a", "bc"})));  // not initial
  EXPECT_FALSE(process_matches(t, proc("prog", {"prog", "x", "b"})));
  // No configured parameters: anything.
  const auto any = tracker({"prog"}, ParamMatch::Partial);
  EXPECT_TRUE(process_matches(any, proc("prog", {"prog"})));
  EXPECT_TRUE(process_matches(any, proc("prog", {"prog", "z"})));
}

TEST(ProcessMatch, InitialLetsTheLastParameterBeLonger) {
  const auto t = tracker({"prog", "a", "b"}, ParamMatch::Initial);
  EXPECT_TRUE(process_matches(t, proc("prog", {"prog", "a", "b"})));
  EXPECT_TRUE(process_matches(t, proc("prog", {"prog", "a", "bcd"})));
  // keepalived compares the configured bytes but the last NUL: more parameters pass too.
  EXPECT_TRUE(process_matches(t, proc("prog", {"prog", "a", "bcd", "e"})));
  EXPECT_FALSE(process_matches(t, proc("prog", {"prog", "ax", "b"})));  // only the last
  EXPECT_FALSE(process_matches(t, proc("prog", {"prog", "a", "x"})));
  EXPECT_FALSE(process_matches(t, proc("prog", {"prog", "a"})));
  EXPECT_FALSE(process_matches(t, proc("prog", {"prog", "a", ""})));
  const auto any = tracker({"prog"}, ParamMatch::Initial);
  EXPECT_TRUE(process_matches(any, proc("prog", {"prog", "z"})));
}

TEST(ProcessMatch, EmptyTrackerMatchesNothing) {
  const auto t = tracker({});
  EXPECT_FALSE(process_matches(t, proc("", {})));
}

}  // namespace
}  // namespace halo::track
