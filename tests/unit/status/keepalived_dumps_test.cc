// keepalived.stats and keepalived.json against what keepalived 2.2.7 itself wrote for the
// same configuration (golden/k.conf: one instance; golden/multi/k.conf: a VRRPv2 instance
// with authentication and a tracked interface, a VRRPv3 one, an IPv6 one, a sync group).
#include "status/keepalived_dumps.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace halo::status {
namespace {

using namespace std::chrono_literals;

std::string golden(const std::string& name) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "golden" / name;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

WallClock::time_point at(std::int64_t seconds, std::int64_t micros) {
  return WallClock::time_point{std::chrono::seconds(seconds) + std::chrono::microseconds(micros)};
}

// golden/more/k.conf: an instance in FAULT (its tracked interface is down) and one on a
// VMAC with a /32 VIP, excluded addresses, notify scripts and a virtual route.
Snapshot fault_and_vmac() {
  Snapshot s;
  InstanceView f;
  f.name = "VF";
  f.interface = "veth0";
  f.vrid = 60;
  f.version = 2;
  f.state = "FAULT";
  f.base_priority = f.effective_priority = 100;
  f.virtual_addresses = {"192.0.2.60/24"};
  auto& dum0 = f.tracked.emplace_back();
  dum0.kind = "interface";
  dum0.name = "dum0";
  dum0.up = false;
  InstanceView m;
  m.name = "VM";
  m.interface = "veth0";
  m.vmac_interface = "vrrp.61";
  m.vrid = 61;
  m.version = 2;
  m.state = "MASTER";
  m.wanted_state = "MASTER";
  m.base_priority = m.effective_priority = 200;
  m.virtual_addresses = {"192.0.2.61/32"};
  m.excluded_addresses = {"198.51.100.61/24", "2001:db8::61/128"};
  m.addresses_set = true;
  m.notify.master = "'/usr/bin/echo' 'hi' 'there'";
  m.notify.any = "'/usr/bin/true'";
  m.counters.adverts_sent = 4;
  m.counters.became_master = 1;
  s.instances = {f, m};
  return s;
}

// golden/k.conf as halod would describe it two seconds after becoming master.
Snapshot one_instance() {
  Snapshot s;
  InstanceView in;
  in.name = "VI_1";
  in.interface = "veth0";
  in.family = "inet";
  in.vrid = 51;
  in.version = 3;
  in.state = "MASTER";
  in.wanted_state = "BACKUP";  // as configured; keepalived's wantstate follows to MASTER
  in.base_priority = in.configured_priority = in.effective_priority = 100;
  in.last_transition = at(1795383016, 784007);
  in.virtual_addresses = {"192.0.2.100/24"};
  in.addresses_set = true;
  in.tracked.push_back(TrackedView{.kind = "script", .name = "chk", .command = "'/usr/bin/true'"});
  in.counters.adverts_sent = 2;
  in.counters.became_master = 1;
  s.instances.push_back(in);
  return s;
}

Snapshot three_instances() {
  Snapshot s;
  InstanceView a;
  a.name = "VI_1";
  a.interface = "veth0";
  a.vrid = 51;
  a.version = 2;
  a.state = "BACKUP";
  a.wanted_state = "MASTER";
  a.base_priority = 150;
  a.effective_priority = 160;
  a.virtual_addresses = {"192.0.2.100/24", "192.0.2.101/24"};
  a.auth_type = 1;
  a.auth_data = "secret";
  a.notify.master = "'/usr/bin/true' 'master'";
  a.tracked.push_back(TrackedView{.kind = "interface", .name = "veth1", .weight = 10});
  a.sync_group = "G1";
  InstanceView b;
  b.name = "VI_2";
  b.interface = "veth0";
  b.vrid = 52;
  b.state = "BACKUP";
  b.base_priority = b.effective_priority = 100;
  b.advert_interval_ms = b.master_advert_interval_ms = 2000;
  b.virtual_addresses = {"198.51.100.1/24"};
  b.sync_group = "G1";
  InstanceView c;
  c.name = "VI_6";
  c.interface = "veth0";
  c.family = "inet6";
  c.vrid = 53;
  c.state = "MASTER";
  c.wanted_state = "BACKUP";
  c.base_priority = c.effective_priority = 90;
  c.advert_interval_ms = c.master_advert_interval_ms = 500;
  c.preempt_delay_ms = 3000;
  c.virtual_addresses = {"2001:db8::100/64"};
  c.addresses_set = true;
  c.counters.adverts_sent = 11;
  c.counters.became_master = 1;
  s.instances = {a, b, c};
  return s;
}

TEST(KeepalivedDumpsTest, StatsMatchKeepalivedByteForByte) {
  EXPECT_EQ(keepalived_stats(one_instance()), golden("keepalived.stats"));
}

TEST(KeepalivedDumpsTest, StatsOfSeveralInstancesFollowOneAnother) {
  auto s = three_instances();
  s.instances[2].counters.adverts_sent = 10;  // keepalived's stats were taken one advert earlier
  EXPECT_EQ(keepalived_stats(s), golden("multi/keepalived.stats"));
}

TEST(KeepalivedDumpsTest, StatsCountersGoToTheirLines) {
  Snapshot s;
  InstanceView in;
  in.name = "VI_9";
  auto& c = in.counters;
  c.adverts_received = 1;
  c.adverts_sent = 2;
  c.became_master = 3;
  c.released_master = 4;
  c.packet_length_errors = 5;
  c.ttl_errors = 6;
  c.invalid_type = 7;
  c.advert_interval_errors = 8;
  c.address_list_errors = 9;
  c.invalid_auth_type = 10;
  c.auth_type_mismatch = 11;
  c.auth_failure = 12;
  c.priority_zero_received = 13;
  c.priority_zero_sent = 14;
  s.instances.push_back(in);
  const auto text = keepalived_stats(s);
  for (const auto* line :
       {"  Advertisements:\n    Received: 1\n    Sent: 2\n", "  Became master: 3\n",
        "  Released master: 4\n", "    Length: 5\n    TTL: 6\n    Invalid Type: 7\n",
        "    Advertisement Interval: 8\n    Address List: 9\n",
        "  Authentication Errors:\n    Invalid Type: 10\n    Type Mismatch: 11\n    Failure: 12\n",
        "  Priority Zero:\n    Received: 13\n    Sent: 14\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
}

TEST(KeepalivedDumpsTest, JsonMatchesKeepalivedByteForByte) {
  EXPECT_EQ(keepalived_json(one_instance()), golden("keepalived.json"));
}

// Same keys in the same order with the same JSON types; the values the snapshot has must be
// equal too (last_transition differs by run, and the VIP text carries keepalived's labels).
// `missing`: keys keepalived writes that the snapshot cannot give (virtual routes).
void expect_same_shape(const boost::json::value& want, const boost::json::value& got,
                       const std::string& where, const std::set<std::string>& missing = {}) {
  ASSERT_EQ(want.kind(), got.kind()) << where;
  if (want.is_object()) {
    const auto& w = want.as_object();
    const auto& g = got.as_object();
    std::vector<std::string> wk, gk;
    for (const auto& [k, v] : w) {
      if (!missing.contains(std::string(k))) wk.emplace_back(k);
    }
    for (const auto& [k, v] : g) gk.emplace_back(k);
    ASSERT_EQ(wk, gk) << where;
    for (const auto& [k, v] : w) {
      if (k == "last_transition") continue;
      if (k == "vips" || k == "evips") continue;  // compared separately
      if (missing.contains(std::string(k))) continue;
      expect_same_shape(v, g.at(k), where + "." + std::string(k), missing);
    }
  } else if (want.is_array()) {
    ASSERT_EQ(want.as_array().size(), got.as_array().size()) << where;
    for (std::size_t i = 0; i < want.as_array().size(); ++i) {
      expect_same_shape(want.as_array()[i], got.as_array()[i],
                        where + "[" + std::to_string(i) + "]", missing);
    }
  } else {
    EXPECT_EQ(want, got) << where;
  }
}

TEST(KeepalivedDumpsTest, JsonOfSeveralInstancesHasKeepalivedsKeysTypesAndValues) {
  const auto want = boost::json::parse(golden("multi/keepalived.json"));
  const auto got = boost::json::parse(keepalived_json(three_instances()));
  expect_same_shape(want, got, "$");
  // VIPs: halo's snapshot has no labels, the rest of the text is keepalived's.
  const auto vips = [](const boost::json::value& v, std::size_t i) {
    return v.as_array()[i].at("data").at("vips");
  };
  EXPECT_EQ(vips(got, 0).as_array()[0], vips(want, 0).as_array()[0]);
  EXPECT_EQ(vips(got, 0).as_array()[1], "192.0.2.101/24 dev veth0 scope global");
  EXPECT_EQ(vips(got, 1), vips(want, 1));
  EXPECT_EQ(vips(got, 2), vips(want, 2));  // IPv6: preferred_lft forever, set
}

TEST(KeepalivedDumpsTest, JsonOfAFaultAndAVmacInstance) {
  const auto want = boost::json::parse(golden("more/keepalived.json"));
  const auto got = boost::json::parse(keepalived_json(fault_and_vmac()));
  expect_same_shape(want, got, "$", {"vroutes"});
  const auto data = [](const boost::json::value& v, std::size_t i) -> const boost::json::value& {
    return v.as_array()[i].at("data");
  };
  EXPECT_EQ(data(got, 0).at("state"), 3);
  EXPECT_EQ(data(got, 0).at("wantstate"), 3);
  EXPECT_EQ(data(got, 0).at("vips"), data(want, 0).at("vips"));
  EXPECT_EQ(data(got, 1).at("ifp_ifname"), "vrrp.61");
  EXPECT_EQ(data(got, 1).at("vips"), data(want, 1).at("vips"));  // a /32 without its length
  // keepalived put the IPv6 excluded address on the base interface; halo's snapshot does not
  // say where each address went, so it writes the VMAC's for every address.
  const auto& evips = data(want, 1).at("evips").as_array();
  EXPECT_EQ(data(got, 1).at("evips").as_array()[0], evips[0]);
  EXPECT_EQ(evips[1], "2001:db8::61 dev veth0 scope global deprecated set");
  EXPECT_EQ(data(got, 1).at("evips").as_array()[1],
            "2001:db8::61 dev vrrp.61@veth0 scope global deprecated set");
  EXPECT_EQ(keepalived_stats(fault_and_vmac()), golden("more/keepalived.stats"));
}

TEST(KeepalivedDumpsTest, JsonWithNoInstancesIsAnEmptyArray) {
  EXPECT_EQ(keepalived_json(Snapshot{}), "[]\n");
  EXPECT_EQ(keepalived_stats(Snapshot{}), "");
}

TEST(KeepalivedDumpsTest, JsonEscapesStringsAndStaysValid) {
  Snapshot s = one_instance();
  s.instances[0].name = "we\"ird\\na/me\x01";
  s.instances[0].state = "STOP";
  s.instances[0].virtual_addresses = {"2001:db8::1/128"};
  s.instances[0].addresses_set = false;
  const auto text = keepalived_json(s);
  EXPECT_NE(text.find(R"("iname":"we\"ird\\na\/me\u0001")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("state":98)"), std::string::npos);
  EXPECT_NE(text.find(R"("vips":["2001:db8::1 dev veth0 scope global deprecated"])"),
            std::string::npos);
  const auto parsed = boost::json::parse(text);
  EXPECT_EQ(parsed.as_array()[0].at("data").at("iname"), "we\"ird\\na/me\x01");
}

TEST(KeepalivedDumpsTest, WriteDumpFileReplacesAtomicallyWithMode0600) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("halo-dump-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "keepalived.stats").string();
  {
    std::ofstream(path) << "old";
    ::chmod(path.c_str(), 0644);
  }
  const auto old_umask = ::umask(0);
  EXPECT_EQ(write_dump_file(path, "new text\n"), "");
  ::umask(old_umask);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "new text\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  const auto error = write_dump_file((dir / "missing" / "x").string(), "x");
  EXPECT_EQ(error, "cannot create " + (dir / "missing" / "x.tmp").string() +
                       ": No such file or directory");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace halo::status
