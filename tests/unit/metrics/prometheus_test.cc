#include "metrics/prometheus.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

namespace halo::metrics {
namespace {

using status::WallClock;

status::Snapshot one_instance() {
  status::Snapshot s;
  s.info.version = "1.2.3";
  s.info.started = WallClock::time_point{std::chrono::seconds(1000)};
  s.taken = WallClock::time_point{std::chrono::milliseconds(1061500)};
  s.info.reloads = 2;
  s.info.reload_failures = 1;
  status::InstanceView in;
  in.name = "VI_1";
  in.interface = "eth0";
  in.family = "inet";
  in.vrid = 51;
  in.state = "BACKUP";
  in.base_priority = 100;
  in.effective_priority = 80;
  in.counters.adverts_received = 12;
  in.counters.rejected = {{"too_short", 0}, {"bad_ttl", 3}};
  s.instances.push_back(in);
  auto& t = s.trackers.emplace_back();
  t.kind = "script";
  t.name = "chk";
  t.up = false;
  t.transitions = 4;
  return s;
}

status::Snapshot load_balancer() {
  status::Snapshot s;
  s.info.lb_backend = "nftables";
  status::VirtualServerView v;
  v.name = "[192.0.2.10]:tcp:80";
  v.quorum = 2;
  v.quorum_up = false;
  v.alive_weight_sum = 1;
  v.sorry_server = "[198.51.100.99]:tcp:80";
  v.sorry_server_active = true;
  status::RealServerView r;
  r.name = "[198.51.100.12]:tcp:80";
  r.alive = false;
  r.in_pool = true;
  r.weight = 3;
  r.effective_weight = 2;
  status::CheckView misc;
  misc.kind = "MISC_CHECK";
  misc.id = "web/b/1";
  misc.up = false;
  misc.last_exit_code = 2;
  misc.attempts = 12;
  misc.failures = 5;
  misc.timeouts = 1;
  misc.transitions = 3;
  status::CheckView tcp;
  tcp.kind = "TCP_CHECK";
  tcp.id = "web/b/2";
  tcp.enabled = false;
  r.checks = {misc, tcp};
  v.real_servers = {r};
  s.virtual_servers = {v};
  return s;
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

TEST(PrometheusTest, FamiliesHaveHelpTypeAndSamples) {
  const auto text = prometheus_text(one_instance());
  EXPECT_NE(text.find("# HELP halo_vrrp_state The instance's VRRP state: 1 for the current "
                      "state, 0 for the others.\n# TYPE halo_vrrp_state gauge\n"
                      "halo_vrrp_state{instance_name=\"VI_1\",state=\"INIT\"} 0\n"
                      "halo_vrrp_state{instance_name=\"VI_1\",state=\"BACKUP\"} 1\n"
                      "halo_vrrp_state{instance_name=\"VI_1\",state=\"MASTER\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_TRUE(has_line(text, "# TYPE halo_vrrp_adverts_received_total counter"));
  EXPECT_TRUE(has_line(text, "halo_vrrp_adverts_received_total{instance_name=\"VI_1\"} 12"));
  EXPECT_TRUE(has_line(text, "halo_vrrp_priority{instance_name=\"VI_1\"} 100"));
  EXPECT_TRUE(has_line(text, "halo_vrrp_effective_priority{instance_name=\"VI_1\"} 80"));
  EXPECT_TRUE(has_line(text,
                       "halo_vrrp_instance_info{instance_name=\"VI_1\",interface=\"eth0\","
                       "vrid=\"51\",family=\"inet\",version=\"3\"} 1"));
  EXPECT_TRUE(has_line(
      text, "halo_vrrp_packets_rejected_total{instance_name=\"VI_1\",reason=\"too_short\"} 0"));
  EXPECT_TRUE(has_line(
      text, "halo_vrrp_packets_rejected_total{instance_name=\"VI_1\",reason=\"bad_ttl\"} 3"));
  EXPECT_TRUE(has_line(text, "halo_build_info{version=\"1.2.3\"} 1"));
  EXPECT_TRUE(has_line(text, "halo_start_time_seconds 1000"));
  EXPECT_TRUE(has_line(text, "halo_uptime_seconds 61.500000"));
  EXPECT_TRUE(has_line(text, "halo_reloads_total{result=\"success\"} 2"));
  EXPECT_TRUE(has_line(text, "halo_reloads_total{result=\"failure\"} 1"));
  EXPECT_TRUE(has_line(text, "halo_tracker_up{kind=\"script\",name=\"chk\"} 0"));
  EXPECT_TRUE(has_line(text, "halo_tracker_transitions_total{kind=\"script\",name=\"chk\"} 4"));
  EXPECT_TRUE(has_line(text, "halo_control_timeouts_total{kind=\"idle\"} 0"));
}

// Every family: one HELP, one TYPE, before its samples; counters end in _total, gauges don't;
// names start with halo_; no series twice; no `instance` or `job` label.
TEST(PrometheusTest, ConventionsHold) {
  auto s = one_instance();
  s.instances.push_back(s.instances[0]);
  s.instances[1].name = "VI_2";
  s.sync_groups.push_back({.name = "G", .state = "BACKUP", .members = {"VI_1", "VI_2"}});
  s.virtual_servers = load_balancer().virtual_servers;
  const auto text = prometheus_text(s);
  std::map<std::string, std::string> types;
  std::set<std::string> helps, series;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    ASSERT_FALSE(line.empty());
    if (line.starts_with("# HELP ")) {
      const auto name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(helps.insert(name).second) << name;
      EXPECT_FALSE(types.contains(name)) << "HELP after TYPE: " << name;
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      const auto rest = line.substr(7);
      const auto name = rest.substr(0, rest.find(' '));
      const auto type = rest.substr(rest.find(' ') + 1);
      EXPECT_TRUE(helps.contains(name)) << name;
      EXPECT_TRUE(types.emplace(name, type).second) << name;
      EXPECT_TRUE(name.starts_with("halo_")) << name;
      if (type == "counter") {
        EXPECT_TRUE(name.ends_with("_total")) << name;
      } else {
        EXPECT_EQ(type, "gauge") << name;
        EXPECT_FALSE(name.ends_with("_total")) << name;
      }
      continue;
    }
    const auto key = line.substr(0, line.rfind(' '));
    EXPECT_TRUE(series.insert(key).second) << "duplicate series " << key;
    const auto name = key.substr(0, key.find('{'));
    EXPECT_TRUE(types.contains(name)) << "sample before its TYPE: " << line;
    EXPECT_EQ(key.find("instance="), std::string::npos) << line;
    EXPECT_EQ(key.find("job="), std::string::npos) << line;
  }
  EXPECT_TRUE(types.contains("halo_vrrp_sync_group_state"));
}

TEST(PrometheusTest, FamiliesWithoutSamplesAreLeftOut) {
  const auto text = prometheus_text(status::Snapshot{});
  EXPECT_EQ(text.find("halo_vrrp_"), std::string::npos) << text;
  EXPECT_EQ(text.find("halo_tracker_"), std::string::npos);
  EXPECT_NE(text.find("# TYPE halo_metrics_scrapes_total counter\nhalo_metrics_scrapes_total 0\n"),
            std::string::npos);
}

TEST(PrometheusTest, NotifierCounters) {
  status::Snapshot s;
  s.notify.scripts_run = 7;
  s.notify.scripts_timed_out = 1;
  s.notify.fifo_lines_dropped = 2;
  s.notify.mails_sent = 3;
  const auto text = prometheus_text(s);
  for (const char* line :
       {"halo_notify_scripts_total{result=\"started\"} 7\n",
        "halo_notify_scripts_total{result=\"timed_out\"} 1\n",
        "halo_notify_fifo_lines_total{result=\"dropped\"} 2\n",
        "halo_smtp_alerts_total{result=\"sent\"} 3\n", "# TYPE halo_smtp_alerts_total counter\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
}

TEST(PrometheusTest, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label("plain"), "plain");
  EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  auto s = one_instance();
  s.instances[0].name = "x\"y";
  EXPECT_TRUE(has_line(prometheus_text(s), "halo_vrrp_priority{instance_name=\"x\\\"y\"} 100"));
}

TEST(PrometheusTest, SplitBrainAndPendingTrackers) {
  auto s = one_instance();
  s.instances[0].split_brain = true;
  s.instances[0].counters.split_brain_episodes = 2;
  s.trackers[0].up = true;
  s.trackers[0].pending = true;
  const auto text = prometheus_text(s);
  EXPECT_TRUE(has_line(text, "halo_vrrp_split_brain{instance_name=\"VI_1\"} 1"));
  EXPECT_TRUE(has_line(text, "halo_vrrp_split_brain_episodes_total{instance_name=\"VI_1\"} 2"));
  EXPECT_TRUE(has_line(text, "halo_tracker_up{kind=\"script\",name=\"chk\"} 0"));
  EXPECT_TRUE(has_line(text, "halo_tracker_pending{kind=\"script\",name=\"chk\"} 1"));
}

TEST(PrometheusTest, LoadBalancerFamilies) {
  const auto text = prometheus_text(load_balancer());
  const std::string vs = "virtual_server=\"[192.0.2.10]:tcp:80\"";
  const std::string rs = vs + ",real_server=\"[198.51.100.12]:tcp:80\"";
  const std::string misc = rs + ",check=\"web/b/1\",kind=\"MISC_CHECK\"";
  const std::string tcp = rs + ",check=\"web/b/2\",kind=\"TCP_CHECK\"";
  EXPECT_TRUE(has_line(text, "halo_lb_backend_info{backend=\"nftables\"} 1")) << text;
  EXPECT_TRUE(has_line(text, "halo_virtual_server_quorum_up{" + vs + "} 0"));
  EXPECT_TRUE(has_line(text, "halo_virtual_server_quorum{" + vs + "} 2"));
  EXPECT_TRUE(has_line(text, "halo_virtual_server_alive_weight{" + vs + "} 1"));
  EXPECT_TRUE(has_line(text, "halo_virtual_server_sorry_server_active{" + vs + "} 1"));
  EXPECT_TRUE(has_line(text, "halo_real_server_alive{" + rs + "} 0"));
  EXPECT_TRUE(has_line(text, "halo_real_server_in_pool{" + rs + "} 1"));
  EXPECT_TRUE(has_line(text, "halo_real_server_weight{" + rs + "} 3"));
  EXPECT_TRUE(has_line(text, "halo_real_server_effective_weight{" + rs + "} 2"));
  EXPECT_TRUE(has_line(text, "halo_check_up{" + misc + "} 0"));
  EXPECT_TRUE(has_line(text, "halo_check_up{" + tcp + "} 1"));
  EXPECT_TRUE(has_line(text, "halo_check_enabled{" + tcp + "} 0"));
  EXPECT_TRUE(has_line(text, "halo_check_attempts_total{" + misc + "} 12"));
  EXPECT_TRUE(has_line(text, "halo_check_failures_total{" + misc + "} 5"));
  EXPECT_TRUE(has_line(text, "halo_check_timeouts_total{" + misc + "} 1"));
  EXPECT_TRUE(has_line(text, "halo_check_transitions_total{" + misc + "} 3"));
  EXPECT_TRUE(has_line(text, "halo_check_last_exit_code{" + misc + "} 2"));
  // Only a check with an exit code has the family's series.
  EXPECT_EQ(text.find("halo_check_last_exit_code{" + tcp), std::string::npos);
  EXPECT_NE(text.find("# TYPE halo_check_failures_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE halo_check_last_exit_code gauge\n"), std::string::npos);
}

TEST(PrometheusTest, NoVirtualServersNoLoadBalancerSeries) {
  const auto text = prometheus_text(one_instance());
  EXPECT_EQ(text.find("halo_virtual_server_"), std::string::npos);
  EXPECT_EQ(text.find("halo_real_server_"), std::string::npos);
  EXPECT_EQ(text.find("halo_check_"), std::string::npos);
  EXPECT_TRUE(has_line(text, "halo_lb_backend_info{backend=\"none\"} 1"));
}

TEST(PrometheusTest, SameSnapshotSameBytes) {
  EXPECT_EQ(prometheus_text(one_instance()), prometheus_text(one_instance()));
}

}  // namespace
}  // namespace halo::metrics
