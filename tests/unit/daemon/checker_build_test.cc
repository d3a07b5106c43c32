// keepalived's inheritance for checkers, resolved by build_check: checker, then real server,
// then virtual server, then the kind's default (keepalived.conf(5)).
#include "daemon/checker_build.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "config/load.h"

namespace halo::daemon {
namespace {

using namespace std::chrono_literals;

struct Built {
  std::unique_ptr<const config::Config> config;
  std::vector<BuiltCheck> checks;  // every checker of the first virtual server, in order
};

Built build(const std::string& servers, const std::string& vs_options = "",
            const std::string& globals = "") {
  const std::string text = "global_defs {\n script_user root\n enable_script_security\n" + globals +
                           "}\n"
                           "virtual_server 192.0.2.10 80 {\n lb_algo rr\n lb_kind NAT\n"
                           " protocol TCP\n" +
                           vs_options + servers + "}\n";
  auto loaded = config::load_text("test.conf", text, {});
  EXPECT_FALSE(loaded.diagnostics.has_errors()) << loaded.diagnostics.render(loaded.sources);
  Built out;
  out.config = std::move(loaded.config);
  static boost::asio::io_context io;
  static process::Supervisor supervisor(io);
  const auto& vs = out.config->lvs.virtual_servers.at(0);
  for (const auto& rs : vs.real_servers) {
    for (const auto& c : rs.checkers) {
      auto made = build_check(io, supervisor, *out.config, vs, rs, c, "id");
      EXPECT_TRUE(made) << (made ? "" : made.error().message);
      if (made) out.checks.push_back(std::move(*made));
    }
  }
  return out;
}

TEST(CheckerBuild, KindDefaults) {
  auto b = build(
      "real_server 198.51.100.11 8080 {\n TCP_CHECK {\n }\n DNS_CHECK {\n }\n"
      " MISC_CHECK {\n misc_path /bin/true\n }\n HTTP_GET {\n url {\n path /\n }\n }\n }\n");
  ASSERT_EQ(b.checks.size(), 4u);
  const auto& tcp = b.checks[0];
  EXPECT_EQ(tcp.schedule.delay_loop, 60s);  // the virtual server's default
  EXPECT_EQ(tcp.schedule.retry, 1u);
  EXPECT_EQ(tcp.schedule.delay_before_retry, 1s);
  EXPECT_FALSE(tcp.schedule.warmup.has_value());  // unset: up to delay_loop
  EXPECT_EQ(tcp.view.connect_timeout_ms, 5000);
  EXPECT_EQ(tcp.view.target, "198.51.100.11:8080");
  EXPECT_EQ(b.checks[1].schedule.retry, 3u);                // DNS_CHECK
  EXPECT_EQ(b.checks[1].schedule.delay_before_retry, 60s);  // DNS: delay_loop
  EXPECT_EQ(b.checks[2].schedule.retry, 0u);                // MISC_CHECK
  EXPECT_TRUE(b.checks[2].schedule.from_start);             // MISC: from the start
  EXPECT_EQ(b.checks[3].schedule.delay_before_retry, 3s);   // HTTP_GET
  EXPECT_EQ(b.checks[2].view.details.front().first, "Keepalive method");
}

TEST(CheckerBuild, CheckerThenRealServerThenVirtualServer) {
  auto b = build(
      "real_server 198.51.100.11 8080 {\n retry 4\n connect_timeout 2\n delay_loop 7\n"
      " TCP_CHECK {\n retry 6\n connect_ip 198.51.100.99\n connect_port 9000\n }\n"
      " TCP_CHECK {\n }\n }\n",
      " delay_loop 9\n retry 2\n delay_before_retry 0.5\n warmup 1\n alpha\n");
  ASSERT_EQ(b.checks.size(), 2u);
  EXPECT_EQ(b.checks[0].schedule.retry, 6u);  // the checker's own
  EXPECT_EQ(b.checks[0].view.target, "198.51.100.99:9000");
  EXPECT_EQ(b.checks[1].schedule.retry, 4u);  // the real server's
  EXPECT_EQ(b.checks[1].schedule.delay_loop, 7s);
  EXPECT_EQ(b.checks[1].view.connect_timeout_ms, 2000);
  EXPECT_EQ(b.checks[1].schedule.delay_before_retry, 500ms);  // the virtual server's
  EXPECT_EQ(b.checks[1].schedule.warmup, std::optional<std::chrono::microseconds>(1s));
  EXPECT_TRUE(b.checks[1].schedule.alpha);
}

TEST(CheckerBuild, LogAllFailuresIsTheCheckersElseTheGlobalDefault) {
  const std::string servers =
      "real_server 198.51.100.11 8080 {\n TCP_CHECK {\n }\n"
      " TCP_CHECK {\n log_all_failures off\n }\n TCP_CHECK {\n log_all_failures\n }\n }\n";
  auto plain = build(servers);
  ASSERT_EQ(plain.checks.size(), 3u);
  EXPECT_FALSE(plain.checks[0].view.log_all_failures);
  EXPECT_FALSE(plain.checks[1].view.log_all_failures);
  EXPECT_TRUE(plain.checks[2].view.log_all_failures);
  auto global = build(servers, "", " checker_log_all_failures\n");
  ASSERT_EQ(global.checks.size(), 3u);
  EXPECT_TRUE(global.checks[0].view.log_all_failures);
  EXPECT_FALSE(global.checks[1].view.log_all_failures);
  EXPECT_TRUE(global.checks[2].view.log_all_failures);
}

TEST(CheckerBuild, MiscTimeoutDefaultsToDelayLoop) {
  auto b = build(
      "real_server 198.51.100.11 8080 {\n MISC_CHECK {\n misc_path \"/bin/sh -c 'exit 2'\"\n"
      " misc_dynamic\n }\n MISC_CHECK {\n misc_path /bin/true\n misc_timeout 3\n }\n }\n",
      " delay_loop 4\n");
  ASSERT_EQ(b.checks.size(), 2u);
  const auto& d = b.checks[0].view.details;
  auto value = [](const auto& details, const std::string& key) {
    for (const auto& [k, v] : details) {
      if (k == key) return v;
    }
    return std::string("(none)");
  };
  EXPECT_EQ(value(d, "timeout"), "4");
  EXPECT_EQ(value(d, "dynamic"), "YES");
  EXPECT_EQ(value(b.checks[1].view.details, "timeout"), "3");
}

TEST(CheckerBuild, WhatCannotRunSaysWhy) {
  const std::string text =
      "virtual_server 192.0.2.10 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n"
      " real_server 198.51.100.11 8080 {\n FILE_CHECK {\n track_file nowhere\n }\n }\n}\n";
  auto loaded = config::load_text("test.conf", text, {});
  boost::asio::io_context io;
  process::Supervisor supervisor(io);
  const auto& vs = loaded.config->lvs.virtual_servers.at(0);
  // -t reports the unknown name too; the model keeps the checker, and so must the daemon's
  // defence.
  ASSERT_FALSE(vs.real_servers.empty() || vs.real_servers[0].checkers.empty());
  auto made = build_check(io, supervisor, *loaded.config, vs, vs.real_servers[0],
                          vs.real_servers[0].checkers[0], "id");
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().message.find("nowhere"), std::string::npos) << made.error().message;
}

}  // namespace
}  // namespace halo::daemon
