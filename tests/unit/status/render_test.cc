// The `show` replies from hand-made snapshots: the exact JSON of one instance (its field
// names are an interface), the other JSON forms' shape, and the text tables' alignment.
#include "status/render.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace halo::status {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// 2026-11-22T21:30:00Z
const WallClock::time_point kTaken{std::chrono::seconds(1795383000)};

InstanceView vi1() {
  InstanceView i;
  i.name = "VI_1";
  i.interface = "eth0";
  i.family = "inet";
  i.vrid = 51;
  i.version = 3;
  i.state = "MASTER";
  i.wanted_state = "BACKUP";
  i.base_priority = 150;
  i.configured_priority = 100;
  i.effective_priority = 140;
  i.advert_interval_ms = 1000;
  i.master_advert_interval_ms = 1000;
  i.preempt_delay_ms = 0;
  i.virtual_addresses = {"192.0.2.10/24", "192.0.2.11/24"};
  i.last_transition = kTaken - 125s - 500ms;
  i.tracked = {{"script", "chk_web", false, false, 0, -10, false},
               {"interface", "eth1", true, false, 0, 0, false}};
  i.counters.adverts_sent = 12;
  i.counters.adverts_received = 3;
  i.counters.became_master = 1;
  i.counters.transitions = 2;
  i.counters.ttl_errors = 4;
  i.counters.rejected = {{"bad_ttl", 4}, {"too_short", 0}};
  return i;
}

InstanceView vi_long_name() {
  InstanceView i;
  i.name = "VI_backup_v6";
  i.interface = "eth0.1";
  i.family = "inet6";
  i.vrid = 7;
  i.state = "BACKUP";
  i.base_priority = 90;
  i.configured_priority = 90;
  i.effective_priority = 90;
  i.virtual_addresses = {"2001:db8::1/64", "2001:db8::2/64", "2001:db8::3/64", "2001:db8::4/64",
                         "2001:db8::5/64"};
  i.split_brain = true;
  return i;
}

Snapshot snapshot() {
  Snapshot s;
  s.taken = kTaken;
  s.info.version = "0.1.0";
  s.info.pid = 4242;
  s.info.config_file = "/etc/keepalived/keepalived.conf";
  s.info.router_id = "node1";
  s.info.started = kTaken - 2h - 3min;
  s.info.reloads = 2;
  s.info.reload_failures = 1;
  s.info.last_reload_ok = false;
  s.info.last_reload = kTaken - 10s;
  s.instances = {vi1(), vi_long_name()};
  s.sync_groups = {{"G1", "MASTER", {"VI_1"}}};
  TrackerView script;
  script.kind = "script";
  script.name = "chk_web";
  script.up = false;
  script.transitions = 3;
  script.last_change = kTaken - 42s;
  script.used_by = {"VI_1"};
  TrackerView file;
  file.kind = "file";
  file.name = "weight_file";
  file.value = -5;
  file.enabled = false;
  file.used_by = {"VI_1", "G1"};
  TrackerView process;
  process.kind = "process";
  process.name = "nginx";
  process.running = false;
  process.unavailable_reason = "no process connector";
  s.trackers = {script, file, process};
  s.control.connections_accepted = 10;
  s.control.connections_active = 1;
  s.control.maxconn = 64;
  s.control.commands = 30;
  s.control.command_errors = 2;
  s.notify = {.scripts_run = 9,
              .scripts_failed = 2,
              .scripts_timed_out = 1,
              .scripts_refused = 3,
              .fifo_lines = 20,
              .fifo_lines_dropped = 1,
              .mails_sent = 4,
              .mails_failed = 1,
              .mails_dropped = 0};
  s.events_published = 17;
  return s;
}

// One virtual server with a sorry server and two real servers: one with a TCP_CHECK that
// passes, one down with a MISC_CHECK that exited 2 and a disabled HTTP_GET.
Snapshot lb_snapshot() {
  Snapshot s;
  s.taken = kTaken;
  s.info.lb_backend = "nftables";
  VirtualServerView v;
  v.name = "[192.0.2.10]:tcp:80";
  v.protocol = "TCP";
  v.scheduler = "wrr";
  v.method = "NAT";
  v.delay_loop_ms = 6000;
  v.quorum = 2;
  v.hysteresis = 1;
  v.quorum_up = false;
  v.alive_weight_sum = 1;
  v.sorry_server = "[198.51.100.99]:tcp:80";
  v.sorry_server_active = true;
  v.backend_error = "nft: No such file or directory";
  RealServerView a;
  a.name = "[198.51.100.11]:tcp:80";
  a.address = "198.51.100.11";
  a.port = 80;
  a.method = "NAT";
  CheckView tcp;
  tcp.kind = "TCP_CHECK";
  tcp.target = "198.51.100.11:80";
  tcp.id = "web/a/1";
  tcp.has_result = true;
  tcp.last_reason = "connected";
  tcp.attempts = 40;
  tcp.transitions = 1;
  tcp.last_change = kTaken - 90s;
  tcp.last_attempt = kTaken - 2s;
  tcp.connect_timeout_ms = 3000;
  tcp.delay_loop_ms = 6000;
  tcp.delay_before_retry_ms = 1000;
  tcp.retry = 1;
  a.checks = {tcp};
  RealServerView b;
  b.name = "[198.51.100.12]:tcp:80";
  b.address = "198.51.100.12";
  b.port = 80;
  b.method = "NAT";
  b.alive = false;
  b.in_pool = true;
  b.inhibit_on_failure = true;
  b.weight = 3;
  b.effective_weight = 2;
  b.notify_down = "'/bin/rs-down'";
  CheckView misc;
  misc.kind = "MISC_CHECK";
  misc.target = "/usr/local/bin/check.sh";
  misc.id = "web/b/1";
  misc.up = false;
  misc.has_result = true;
  misc.last_reason = "exited with status 2";
  misc.last_exit_code = 2;
  misc.weight_contribution = -1;
  misc.attempts = 12;
  misc.failures = 5;
  misc.timeouts = 1;
  misc.transitions = 3;
  misc.last_change = kTaken - 4s;
  CheckView http;
  http.kind = "HTTP_GET";
  http.target = "198.51.100.12:80";
  http.id = "web/b/2";
  http.enabled = false;
  http.has_result = true;
  b.checks = {misc, http};
  v.real_servers = {a, b};
  s.virtual_servers = {v};
  return s;
}

TEST(RenderTest, InstanceJsonIsExact) {
  EXPECT_EQ(json::serialize(instance_json(vi1())),
            R"({"name":"VI_1","interface":"eth0","family":"inet","vrid":51,"version":3,)"
            R"("state":"MASTER","wanted_state":"BACKUP","base_priority":150,)"
            R"("configured_priority":100,"effective_priority":140,"advert_interval_ms":1000,)"
            R"("master_advert_interval_ms":1000,"nopreempt":false,"preempt_delay_ms":0,)"
            R"("accept":true,"sync_group":null,)"
            R"("virtual_addresses":["192.0.2.10/24","192.0.2.11/24"],)"
            R"("last_transition":"2026-11-22T21:27:54.500000Z","split_brain":false,)"
            R"("running":true,"not_running_reason":null,"tracked":[)"
            R"({"kind":"script","name":"chk_web","up":false,"pending":false,"value":0,)"
            R"("weight":-10,"reverse":false},)"
            R"({"kind":"interface","name":"eth1","up":true,"pending":false,"value":0,)"
            R"("weight":0,"reverse":false}],)"
            R"("counters":{"adverts_sent":12,"adverts_received":3,"became_master":1,)"
            R"("released_master":0,"priority_zero_sent":0,"priority_zero_received":0,)"
            R"("send_errors":0,"address_errors":0,"announcements_sent":0,)"
            R"("split_brain_episodes":0,"transitions":2,"packet_length_errors":0,)"
            R"("ttl_errors":4,"invalid_type":0,"advert_interval_errors":0,)"
            R"("address_list_errors":0,"invalid_auth_type":0,"auth_type_mismatch":0,)"
            R"("auth_failure":0,"rejected":{"bad_ttl":4,"too_short":0}}})");
}

TEST(RenderTest, InstancesJsonRowsAndAges) {
  const auto v = instances_json(snapshot());
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.at("time").as_string(), "2026-11-22T21:30:00.000000Z");
  const auto& rows = v.at("instances").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("name").as_string(), "VI_1");
  EXPECT_EQ(rows[0].at("in_state_ms").as_int64(), 125'500);
  EXPECT_EQ(rows[0].at("sync_group"), nullptr);
  EXPECT_TRUE(rows[1].at("in_state_ms").is_null());  // never changed state
  EXPECT_TRUE(rows[1].at("split_brain").as_bool());
  EXPECT_EQ(v.at("sync_groups").as_array()[0].at("members").as_array()[0].as_string(), "VI_1");
}

TEST(RenderTest, InfoJson) {
  const auto v = info_json(snapshot());
  EXPECT_EQ(v.at("pid").as_int64(), 4242);
  EXPECT_EQ(v.at("uptime_ms").as_int64(), 7'380'000);
  EXPECT_EQ(v.at("started").as_string(), "2026-11-22T19:27:00.000000Z");
  EXPECT_TRUE(v.at("network_namespace").is_null());
  EXPECT_FALSE(v.at("last_reload_ok").as_bool());
  EXPECT_EQ(v.at("instances").to_number<int>(), 2);
  EXPECT_EQ(v.at("instances_split_brain").to_number<int>(), 1);
  EXPECT_EQ(v.at("control").at("maxconn").to_number<int>(), 64);
  // Before the first reload: null, not the epoch.
  Snapshot fresh;
  EXPECT_TRUE(info_json(fresh).at("last_reload").is_null());
}

TEST(RenderTest, TrackersAndStatsJson) {
  const auto s = snapshot();
  const auto t = trackers_json(s);
  const auto& rows = t.at("trackers").as_array();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("since_change_ms").as_int64(), 42'000);
  EXPECT_TRUE(rows[1].at("last_change").is_null());
  EXPECT_EQ(rows[2].at("unavailable_reason").as_string(), "no process connector");
  const auto st = stats_json(s);
  EXPECT_EQ(st.at("instances").as_array()[0].at("counters").at("rejected").at("bad_ttl"), 4);
  EXPECT_EQ(st.at("control").at("commands").to_number<int>(), 30);
  EXPECT_EQ(st.at("notify").at("scripts_refused").to_number<int>(), 3);
  EXPECT_EQ(st.at("notify").at("mails_sent").to_number<int>(), 4);
}

TEST(RenderTest, JsonRoundTripsThroughTheParser) {
  const auto s = snapshot();
  const auto lb = lb_snapshot();
  for (const auto& v : {info_json(s), instances_json(s), trackers_json(s), stats_json(s),
                        servers_json(lb), checks_json(lb)}) {
    EXPECT_EQ(json::parse(json::serialize(v)), v);
  }
}

TEST(RenderTest, TableAlignsColumnsAndTrimsTrailingSpaces) {
  EXPECT_EQ(table({{"NAME", "STATE", "NOTE"}, {"VI_1", "MASTER", ""}, {"VI_10", "BACKUP", "x"}}),
            "NAME   STATE   NOTE\n"
            "VI_1   MASTER\n"
            "VI_10  BACKUP  x\n");
  EXPECT_EQ(table({}), "");
}

TEST(RenderTest, InstancesTable) {
  // Columns start where the widest cell of the column before ends, plus two spaces.
  EXPECT_EQ(instances_text(snapshot()),
            "NAME          INTERFACE  VRID  STATE   PRIORITY  EFFECTIVE  "
            "VIPS                                             SINCE  NOTE\n"
            "VI_1          eth0       51    MASTER  150       140        "
            "192.0.2.10/24,192.0.2.11/24                      2m05s\n"
            "VI_backup_v6  eth0.1     7     BACKUP  90        90         "
            "2001:db8::1/64,2001:db8::2/64,2001:db8::3/64,+2  -      SPLIT BRAIN\n"
            "\n"
            "SYNC GROUP  STATE   MEMBERS\n"
            "G1          MASTER  VI_1\n");
}

TEST(RenderTest, TrackersTable) {
  EXPECT_EQ(trackers_text(snapshot()),
            "KIND     NAME         STATUS                             VALUE  CHANGES  SINCE  "
            "USED BY\n"
            "script   chk_web      down                               0      3        42s    "
            "VI_1\n"
            "file     weight_file  up (disabled)                      -5     0        -      "
            "VI_1,G1\n"
            "process  nginx        unavailable: no process connector  0      0        -      "
            "-\n");
}

TEST(RenderTest, InstanceText) {
  const auto text = instance_text(vi1());
  EXPECT_NE(text.find("name:              VI_1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("state:             MASTER (wanted BACKUP)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("priority:          150 (configured 100, effective 140)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tracked:\n"
                      "  KIND       NAME     STATUS  WEIGHT  VALUE\n"
                      "  script     chk_web  down    -10     0\n"
                      "  interface  eth1     up      fault   0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  rejected:               bad_ttl 4\n"), std::string::npos) << text;
}

TEST(RenderTest, InfoAndStatsText) {
  const auto s = snapshot();
  const auto info = info_text(s);
  EXPECT_NE(info.find("started:           2026-11-22T19:27:00.000000Z (up 2h03m)\n"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("reloads:           2, 1 failed, last 2026-11-22T21:29:50.000000Z FAILED\n"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("instances:         2 (1 in split brain)\n"), std::string::npos) << info;
  EXPECT_NE(info.find("control socket:\n  connections:      1 active of 64, 10 accepted\n"),
            std::string::npos)
      << info;
  const auto stats = stats_text(s);
  EXPECT_EQ(stats.substr(0, stats.find("\n\n") + 1),
            "NAME          STATE   SENT  RECEIVED  BECAME MASTER  RELEASED  PRIO0 SENT  "
            "PRIO0 RECEIVED  REJECTED  ERRORS  SPLIT BRAIN\n"
            "VI_1          MASTER  12    3         1              0         0           "
            "0               4         0       0\n"
            "VI_backup_v6  BACKUP  0     0         0              0         0           "
            "0               0         0       0\n");
  EXPECT_NE(stats.find("rejected packets:\n  INSTANCE  REASON   COUNT\n  VI_1      bad_ttl  4\n"),
            std::string::npos)
      << stats;
  EXPECT_NE(stats.find("notify:\n  scripts:    9 run, 2 failed (1 timed out), 3 refused\n"
                       "  fifo lines: 20 (1 dropped)\n"
                       "  mails:      4 sent, 1 failed, 0 dropped\n"),
            std::string::npos)
      << stats;
}

TEST(RenderTest, TextIsTolerantOfMissingFields) {
  EXPECT_EQ(text::instances(json::parse(R"({"instances":[{"name":"X"}]})")),
            "NAME  INTERFACE  VRID  STATE  PRIORITY  EFFECTIVE  VIPS  SINCE  NOTE\n"
            "X     -          -     -      -         -          -     -\n");
  EXPECT_FALSE(text::info(json::parse("[]")).empty());
  EXPECT_FALSE(text::instance(json::parse("null")).empty());
}

TEST(RenderTest, EventLines) {
  EXPECT_EQ(text::event(
                json::parse(R"({"seq":12,"time":"2026-11-22T21:30:00.123456Z","type":"state",)"
                            R"("instance":"VI_1","from":"BACKUP","to":"MASTER","priority":150})")),
            "21:30:00.123 VI_1 BACKUP -> MASTER (priority 150)");
  EXPECT_EQ(text::event(json::parse(
                R"({"seq":13,"time":"2026-11-22T21:30:01.000000Z","type":"split_brain",)"
                R"("instance":"VI_1","peer":"192.0.2.2"})")),
            "21:30:01.000 VI_1 split brain (peer 192.0.2.2)");
  EXPECT_EQ(text::event(json::parse(R"({"type":"reload","ok":true})")), "- reload (ok yes)");
}

TEST(RenderTest, ServersJsonIsExact) {
  EXPECT_EQ(json::serialize(servers_json(lb_snapshot())),
            R"({"time":"2026-11-22T21:30:00.000000Z","lb_backend":"nftables",)"
            R"("virtual_servers":[{"name":"[192.0.2.10]:tcp:80","protocol":"TCP",)"
            R"("scheduler":"wrr","method":"NAT","delay_loop_ms":6000,"quorum":2,)"
            R"("hysteresis":1,"quorum_up":false,"alive_weight_sum":1,"alpha":false,)"
            R"("omega":false,"inhibit_on_failure":false,)"
            R"("sorry_server":"[198.51.100.99]:tcp:80","sorry_server_active":true,)"
            R"("persistence_timeout":null,"quorum_up_script":null,"quorum_down_script":null,)"
            R"("backend_error":"nft: No such file or directory","real_servers":[)"
            R"({"name":"[198.51.100.11]:tcp:80","address":"198.51.100.11","port":80,)"
            R"("alive":true,"in_pool":true,"weight":1,"effective_weight":1,)"
            R"("inhibit_on_failure":false,"method":"NAT","notify_up":null,"notify_down":null,)"
            R"("checks":1,"checks_up":1},)"
            R"({"name":"[198.51.100.12]:tcp:80","address":"198.51.100.12","port":80,)"
            R"("alive":false,"in_pool":true,"weight":3,"effective_weight":2,)"
            R"("inhibit_on_failure":true,"method":"NAT","notify_up":null,)"
            R"("notify_down":"'/bin/rs-down'","checks":2,"checks_up":1}]}]})");
}

TEST(RenderTest, ChecksJsonIsExact) {
  const auto v = checks_json(lb_snapshot());
  ASSERT_EQ(v.at("checks").as_array().size(), 3u);
  EXPECT_EQ(json::serialize(v.at("checks").as_array()[1]),
            R"({"id":"web/b/1","virtual_server":"[192.0.2.10]:tcp:80",)"
            R"("real_server":"[198.51.100.12]:tcp:80","kind":"MISC_CHECK",)"
            R"("target":"/usr/local/bin/check.sh","enabled":true,"up":false,"has_result":true,)"
            R"("last_reason":"exited with status 2","last_exit_code":2,)"
            R"("weight_contribution":-1,"attempts":12,"failures":5,"timeouts":1,)"
            R"("transitions":3,"last_change":"2026-11-22T21:29:56.000000Z",)"
            R"("since_change_ms":4000,"last_attempt":null,"since_attempt_ms":null,)"
            R"("connect_timeout_ms":0,"delay_loop_ms":0,"delay_before_retry_ms":0,)"
            R"("warmup_ms":0,"retry":0,"alpha":false})");
  const auto& tcp = v.at("checks").as_array()[0];
  EXPECT_TRUE(tcp.at("last_exit_code").is_null());  // only MISC_CHECK has one
  EXPECT_EQ(tcp.at("since_attempt_ms").as_int64(), 2000);
  EXPECT_EQ(json::serialize(checks_json(Snapshot{})), R"({"time":null,"checks":[]})");
}

TEST(RenderTest, ServersTable) {
  EXPECT_EQ(servers_text(lb_snapshot()),
            "VIRTUAL SERVER       PROTOCOL  SCHEDULER  METHOD  QUORUM            ALIVE WEIGHT  "
            "STATUS              SORRY SERVER                     NOTE\n"
            "[192.0.2.10]:tcp:80  TCP       wrr        NAT     2 (hysteresis 1)  1             "
            "DOWN (quorum lost)  [198.51.100.99]:tcp:80 (active)  "
            "back end: nft: No such file or directory\n"
            "\n"
            "VIRTUAL SERVER       REAL SERVER             STATUS  WEIGHT  EFFECTIVE  CHECKS  "
            "NOTE\n"
            "[192.0.2.10]:tcp:80  [198.51.100.11]:tcp:80  up      1       1          1/1 up\n"
            "                     [198.51.100.12]:tcp:80  down    3       2          1/2 up  "
            "inhibited: weight 0\n");
  EXPECT_EQ(servers_text(Snapshot{}), "no virtual servers\n");
}

TEST(RenderTest, ChecksTable) {
  EXPECT_EQ(checks_text(lb_snapshot()),
            "ID       KIND        TARGET                   STATUS         LAST STATUS  WEIGHT  "
            "ATTEMPTS  FAILURES  TIMEOUTS  CHANGES  SINCE  LAST REASON\n"
            "web/a/1  TCP_CHECK   198.51.100.11:80         up             -            0       "
            "40        0         0         1        1m30s  connected\n"
            "web/b/1  MISC_CHECK  /usr/local/bin/check.sh  down           2            -1      "
            "12        5         1         3        4s     exited with status 2\n"
            "web/b/2  HTTP_GET    198.51.100.12:80         up (disabled)  -            0       "
            "0         0         0         0        -      -\n");
}

TEST(RenderTest, ServersAndChecksTextAreTolerant) {
  EXPECT_EQ(text::checks(json::parse(R"({"checks":[{"id":"x","has_result":false}]})")),
            "ID  KIND  TARGET  STATUS   LAST STATUS  WEIGHT  ATTEMPTS  FAILURES  TIMEOUTS  "
            "CHANGES  SINCE  LAST REASON\n"
            "x   -     -       pending  -            -       -         -         -         -"
            "        -      -\n");
  EXPECT_EQ(text::servers(json::parse("null")), "no virtual servers\n");
  EXPECT_FALSE(text::servers(json::parse(R"({"virtual_servers":[{"name":"v"}]})")).empty());
}

TEST(RenderTest, LoadBalancerEventLines) {
  EXPECT_EQ(text::event(json::parse(
                R"({"seq":20,"time":"2026-11-22T21:30:00.123456Z","type":"check","id":"web/b/1",)"
                R"("virtual_server":"[192.0.2.10]:tcp:80","real_server":"[198.51.100.12]:tcp:80",)"
                R"("kind":"MISC_CHECK","up":false,"changed":true,"reason":"exited with status 2",)"
                R"("exit_code":2})")),
            "21:30:00.123 check web/b/1 MISC_CHECK up -> down: exited with status 2 (exit code 2)");
  // L2: a second failure value is an event too.
  EXPECT_EQ(text::event(json::parse(
                R"({"seq":21,"time":"2026-11-22T21:30:06.000000Z","type":"check","id":"web/b/1",)"
                R"("kind":"MISC_CHECK","up":false,"changed":false,"reason":"exited with status 1",)"
                R"("exit_code":1})")),
            "21:30:06.000 check web/b/1 MISC_CHECK still down: exited with status 1 (exit code 1)");
  EXPECT_EQ(text::event(json::parse(
                R"({"seq":22,"time":"2026-11-22T21:30:07.000000Z","type":"check","id":"web/a/1",)"
                R"("kind":"TCP_CHECK","up":true,"changed":true,"reason":""})")),
            "21:30:07.000 check web/a/1 TCP_CHECK down -> up");
  EXPECT_EQ(text::event(json::parse(
                R"({"seq":23,"time":"2026-11-22T21:30:00.200000Z","type":"real_server",)"
                R"("virtual_server":"[192.0.2.10]:tcp:80","real_server":"[198.51.100.12]:tcp:80",)"
                R"("up":false,"weight":0,"reason":"MISC_CHECK failed"})")),
            "21:30:00.200 real server [198.51.100.12]:tcp:80 of [192.0.2.10]:tcp:80 down "
            "(weight 0): MISC_CHECK failed");
  EXPECT_EQ(
      text::event(json::parse(R"({"seq":24,"time":"2026-11-22T21:30:00.300000Z","type":"quorum",)"
                              R"("virtual_server":"[192.0.2.10]:tcp:80","up":false,"weight_sum":1,)"
                              R"("threshold":2})")),
      "21:30:00.300 virtual server [192.0.2.10]:tcp:80 quorum down (alive weight 1, "
      "threshold 2)");
  EXPECT_EQ(text::event(json::parse(
                R"({"seq":25,"time":"2026-11-22T21:30:00.400000Z","type":"sorry_server",)"
                R"("virtual_server":"[192.0.2.10]:tcp:80",)"
                R"("sorry_server":"[198.51.100.99]:tcp:80","active":true})")),
            "21:30:00.400 virtual server [192.0.2.10]:tcp:80 sorry server "
            "[198.51.100.99]:tcp:80 active");
  EXPECT_EQ(text::event(json::parse(R"({"type":"quorum"})")),
            "- virtual server - quorum - (alive weight -, threshold -)");
}

std::string type_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "integer";
    case json::kind::double_:
      return "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "?";
}

// `v` matches `schema` both ways: every field written is described with its type, and every
// field described is written.
void expect_matches(const json::value& v, const json::value& schema, const std::string& path) {
  const auto& types = schema.at("type");
  bool type_ok = false;
  if (types.is_string()) type_ok = types.as_string() == type_of(v);
  for (const auto& t : types.is_array() ? types.as_array() : json::array{}) {
    type_ok = type_ok || t.as_string() == type_of(v);
  }
  EXPECT_TRUE(type_ok) << path << " is " << type_of(v) << ", described as "
                       << json::serialize(types);
  if (v.is_array()) {
    for (const auto& item : v.as_array()) expect_matches(item, schema.at("items"), path + "[]");
  }
  if (!v.is_object()) return;
  const auto* properties = schema.as_object().if_contains("properties");
  const auto* additional = schema.as_object().if_contains("additionalProperties");
  for (const auto& [key, value] : v.as_object()) {
    const std::string where = path + "." + std::string(key);
    if (properties != nullptr && properties->as_object().contains(key)) {
      expect_matches(value, properties->as_object().at(key), where);
    } else if (additional != nullptr && additional->is_object()) {
      expect_matches(value, *additional, where);
    } else if (!(additional != nullptr && additional->is_bool() && additional->as_bool())) {
      ADD_FAILURE() << where << " is not in the schema";
    }
  }
  if (properties == nullptr) return;
  for (const auto& [key, described] : properties->as_object()) {
    EXPECT_TRUE(v.as_object().contains(key)) << path << "." << key << " is described, not written";
  }
}

TEST(RenderTest, SchemaDescribesEveryFieldWritten) {
  const auto schema = schema_json();
  const auto s = snapshot();
  expect_matches(info_json(s), schema.at("info"), "info");
  expect_matches(info_json(Snapshot{}), schema.at("info"), "info");
  expect_matches(instances_json(s), schema.at("instances"), "instances");
  expect_matches(instance_json(s.instances[0]), schema.at("instance"), "instance");
  expect_matches(instance_json(s.instances[1]), schema.at("instance"), "instance");
  expect_matches(trackers_json(s), schema.at("trackers"), "trackers");
  expect_matches(stats_json(s), schema.at("stats"), "stats");
  const auto lb = lb_snapshot();
  expect_matches(servers_json(lb), schema.at("servers"), "servers");
  expect_matches(servers_json(Snapshot{}), schema.at("servers"), "servers");
  expect_matches(checks_json(lb), schema.at("checks"), "checks");
  auto last_attempt = lb;  // the null and the set forms of every optional field
  auto& rs = last_attempt.virtual_servers[0].real_servers[1];
  rs.checks[1].last_attempt = kTaken - 1s;
  rs.notify_up = "'/bin/up'";
  last_attempt.virtual_servers[0].persistence_timeout = 300;
  last_attempt.virtual_servers[0].quorum_up_script = "'/bin/q'";
  last_attempt.virtual_servers[0].quorum_down_script = "'/bin/q'";
  expect_matches(checks_json(last_attempt), schema.at("checks"), "checks");
  expect_matches(servers_json(last_attempt), schema.at("servers"), "servers");
  expect_matches(json::parse(R"({"seq":1,"time":"2026-11-22T21:30:00.000000Z","type":"state",)"
                             R"("instance":"VI_1"})"),
                 schema.at("event"), "event");
}

TEST(RenderTest, Durations) {
  EXPECT_EQ(text::duration(850), "850ms");
  EXPECT_EQ(text::duration(1500), "1.5s");
  EXPECT_EQ(text::duration(245'000), "4m05s");
  EXPECT_EQ(text::duration(7'380'000), "2h03m");
  EXPECT_EQ(text::duration(273'600'000), "3d04h");
}

}  // namespace
}  // namespace halo::status
