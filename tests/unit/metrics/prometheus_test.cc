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

TEST(PrometheusTest, SameSnapshotSameBytes) {
  EXPECT_EQ(prometheus_text(one_instance()), prometheus_text(one_instance()));
}

}  // namespace
}  // namespace halo::metrics
