// halod's command line: keepalived's flags keep their meaning.
#include "daemon/options.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

namespace halo::daemon {
namespace {

ParsedCommandLine parse(std::vector<std::string> args) {
  args.insert(args.begin(), "halod");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(Options, KeepalivedFlags) {
  auto p = parse({"-f", "/tmp/k.conf", "-n", "-l", "-D", "-S", "local3", "-G", "-p", "/tmp/p", "-r",
                  "/tmp/r", "-c", "/tmp/c", "-s", "ns1", "-i", "node1", "-P"});
  ASSERT_TRUE(p.options);
  const auto& o = *p.options;
  EXPECT_EQ(o.config_file, "/tmp/k.conf");
  EXPECT_TRUE(o.config_file_given);
  EXPECT_TRUE(o.dont_fork && o.log_console && o.log_detail && o.no_syslog && o.vrrp_only);
  EXPECT_EQ(o.log_facility, 19 << 3);  // LOG_LOCAL3
  EXPECT_EQ(o.pid_file, "/tmp/p");
  EXPECT_EQ(o.vrrp_pid_file, "/tmp/r");
  EXPECT_EQ(o.checkers_pid_file, "/tmp/c");
  EXPECT_EQ(o.network_namespace, "ns1");
  EXPECT_EQ(o.config_id, "node1");
  EXPECT_FALSE(o.config_test);
}

TEST(Options, LongForms) {
  auto p = parse({"--use-file=/x", "--dont-fork", "--config-id", "a", "--namespace=n"});
  ASSERT_TRUE(p.options);
  EXPECT_EQ(p.options->config_file, "/x");
  EXPECT_TRUE(p.options->dont_fork);
  EXPECT_EQ(p.options->network_namespace, "n");
}

TEST(Options, ConfigTestWithAndWithoutLogFile) {
  auto a = parse({"-t", "-f", "/x"});
  ASSERT_TRUE(a.options);
  EXPECT_TRUE(a.options->config_test);
  EXPECT_TRUE(a.options->config_test_log.empty());
  auto b = parse({"--config-test=/tmp/log", "-f", "/x"});
  ASSERT_TRUE(b.options);
  EXPECT_TRUE(b.options->config_test);
  EXPECT_EQ(b.options->config_test_log, "/tmp/log");
}

TEST(Options, DumpFormats) {
  EXPECT_EQ(parse({"-d"}).options->dump, DumpFormat::Keepalived);
  EXPECT_EQ(parse({"--dump-conf"}).options->dump, DumpFormat::Keepalived);
  EXPECT_EQ(parse({"--dump-conf=json"}).options->dump, DumpFormat::Json);
  EXPECT_FALSE(parse({"--dump-conf=yaml"}).options);
}

TEST(Options, CompatibilityFlagsAreAccepted) {
  auto p = parse({"-B", "-R", "-X", "-V", "-I", "-a", "-x", "-m", "--all"});
  EXPECT_TRUE(p.options);
}

TEST(Options, BadInputIsAUsageError) {
  EXPECT_FALSE(parse({"--no-such-flag"}).options);
  EXPECT_FALSE(parse({"-S", "local9"}).options);
  EXPECT_FALSE(parse({"-P", "-C"}).options);
}

TEST(Options, SignalNumbersMatchKeepalived) {
  EXPECT_EQ(signal_for("STOP"), SIGTERM);
  EXPECT_EQ(signal_for("RELOAD"), SIGHUP);
  EXPECT_EQ(signal_for("DATA"), SIGUSR1);
  EXPECT_EQ(signal_for("STATS"), SIGUSR2);
  EXPECT_EQ(signal_for("JSON"), 36);
  EXPECT_EQ(signal_for("STATS_CLEAR"), 63);
  EXPECT_EQ(signal_for("TDATA"), -1);
}

}  // namespace
}  // namespace halo::daemon
