// Prints prometheus_text() of a rich hand-made snapshot: two instances (one IPv6, one in a
// sync group, one in split brain), reject reasons, trackers of every kind, virtual servers,
// real servers and checks, awkward label values, busy control counters.
// tests/integration/test_metrics_format.py parses the output with a real Prometheus parser.
#include <cstdio>

#include "metrics/prometheus.h"

namespace {

using halo::status::WallClock;

halo::status::Snapshot sample() {
  halo::status::Snapshot s;
  s.taken = WallClock::time_point{std::chrono::seconds(1795383100)};
  s.info.version = "0.5.0-dev";
  s.info.pid = 4242;
  s.info.started = WallClock::time_point{std::chrono::seconds(1795383000)};
  s.info.reloads = 3;
  s.info.reload_failures = 1;
  s.info.last_reload_ok = false;
  const std::vector<halo::status::NamedCount> rejected = {
      {"too_short", 1}, {"bad_ttl", 2}, {"bad_checksum", 0}, {"auth_failure", 4}};
  halo::status::InstanceView a;
  a.name = "VI_1";
  a.interface = "eth0";
  a.family = "inet";
  a.vrid = 51;
  a.state = "MASTER";
  a.base_priority = 100;
  a.effective_priority = 90;
  a.sync_group = "G1";
  a.last_transition = WallClock::time_point{std::chrono::milliseconds(1795383050250)};
  a.counters.adverts_sent = 1234;
  a.counters.adverts_received = 7;
  a.counters.became_master = 2;
  a.counters.transitions = 5;
  a.counters.rejected = rejected;
  a.tracked.push_back({.kind = "script", .name = "chk", .weight = -10});
  halo::status::InstanceView b = a;
  b.name = "VI \"six\"\\new\nline";  // every character the text format must escape
  b.interface = "eth1";
  b.family = "inet6";
  b.vrid = 52;
  b.state = "BACKUP";
  b.split_brain = true;
  b.counters.split_brain_episodes = 1;
  b.sync_group = "";
  s.instances = {a, b};
  s.sync_groups.push_back({.name = "G1", .state = "MASTER", .members = {"VI_1"}});
  const auto tracker = [&](std::string kind, std::string name) -> halo::status::TrackerView& {
    auto& t = s.trackers.emplace_back();
    t.kind = std::move(kind);
    t.name = std::move(name);
    return t;
  };
  tracker("script", "chk").transitions = 3;
  auto& nginx = tracker("process", "nginx");
  nginx.up = false;
  nginx.transitions = 1;
  tracker("file", "/run/weight").value = -5;
  tracker("script", "slow").pending = true;
  // The load balancer: a virtual server in quorum with two real servers (one down, its
  // MISC_CHECK at exit code 2, the other's TCP_CHECK disabled), and one with a label value
  // that needs escaping, its quorum lost and its sorry server active.
  s.info.lb_backend = "nftables";
  halo::status::VirtualServerView web;
  web.name = "[192.0.2.10]:tcp:80";
  web.quorum = 1;
  web.alive_weight_sum = 3;
  halo::status::RealServerView ra;
  ra.name = "[198.51.100.11]:tcp:80";
  ra.weight = 3;
  ra.effective_weight = 3;
  halo::status::CheckView tcp;
  tcp.kind = "TCP_CHECK";
  tcp.id = "web/a/1";
  tcp.enabled = false;
  tcp.attempts = 40;
  ra.checks = {tcp};
  halo::status::RealServerView rb;
  rb.name = "[198.51.100.12]:tcp:80";
  rb.alive = false;
  rb.weight = 2;
  rb.effective_weight = 1;
  halo::status::CheckView misc;
  misc.kind = "MISC_CHECK";
  misc.id = "web/b/1";
  misc.up = false;
  misc.last_exit_code = 2;
  misc.attempts = 12;
  misc.failures = 5;
  misc.timeouts = 1;
  misc.transitions = 3;
  rb.checks = {misc};
  web.real_servers = {ra, rb};
  halo::status::VirtualServerView odd;
  odd.name = "group \"odd\"\\vs";
  odd.quorum = 2;
  odd.quorum_up = false;
  odd.sorry_server = "[198.51.100.99]:tcp:80";
  odd.sorry_server_active = true;
  halo::status::RealServerView rc = rb;
  rc.name = "[2001:db8::12]:tcp:80";
  rc.checks[0].id = "odd/c/1";
  rc.checks[0].last_exit_code = 1;
  odd.real_servers = {rc};
  s.virtual_servers = {web, odd};
  s.control = {.connections_accepted = 100,
               .connections_active = 3,
               .maxconn = 64,
               .commands = 250,
               .command_errors = 2,
               .evicted_idle = 10,
               .refused_busy = 1,
               .idle_timeouts = 4,
               .command_timeouts = 1,
               .overlong_lines = 1,
               .followers = 1,
               .followers_dropped = 2};
  s.notify = {.scripts_run = 12,
              .scripts_failed = 2,
              .scripts_timed_out = 1,
              .scripts_refused = 1,
              .fifo_lines = 40,
              .fifo_lines_dropped = 3,
              .mails_sent = 5,
              .mails_failed = 1,
              .mails_dropped = 0};
  s.events_published = 77;
  s.metrics_scrapes = 9;
  return s;
}

}  // namespace

int main() {
  const auto text = halo::metrics::prometheus_text(sample());
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}
