// keepalived_check.data from a Snapshot.
//
// keepalived 2.2.7 writes this file from its checker process (check_data.c dump_data_check:
// global_data.c dump_global_data, then dump_check_data: the LVS topology with dump_vs and
// dump_rs, then check_api.c dump_checkers_queue with each checker's own dump function). Its
// checker cannot run on a kernel without IPVS, so the layout was taken from keepalived's
// source (acassen/keepalived, check_data.c / check_api.c of the 2.2 series) and checked against
// the installed 2.2.7 binary: its format strings, and the order in which its code uses them
// (dump_checker, dump_vs, dump_rs and dump_misc_check disassembled). One line per fact, as
// keepalived's conf_write() writes them:
//
//   ------< Global definitions >------
//    Network namespace = (default)
//    Router ID = node1
//   ------< LVS Topology >------
//    ------< Virtual server >------
//    VS VIP = 192.0.2.10, VPORT = 80          (or " VS FWMARK = 5", " VS GROUP = [NAME]:0")
//      Address family = inet
//      delay_loop = 6.000000                  (keepalived's format_decimal: seconds, 6 places)
//      lvs_sched = wrr
//      persistence timeout = 300              (when set)
//      protocol = TCP
//      alpha is OFF
//      omega is OFF
//      Inhibit on failure is OFF
//      quorum = 1, hysteresis = 0
//      Quorum up notify script = CMD          (when set; keepalived adds ", uid:gid U:G")
//      Quorum down notify script = CMD
//      default forwarding method = NAT
//      sorry server = [198.51.100.99]:tcp:80  (when set)
//      quorum_state_up = 1
//      ------< Real server >------
//      RIP = 198.51.100.11, RPORT = 80, WEIGHT = 5 EFF WEIGHT = 5
//      forwarding method = NAT
//      Inhibit on failure is OFF
//        RS up notify script = CMD            (when set; keepalived adds ", uid:gid U:G")
//        RS down notify script = CMD
//      initial weight = 3
//      effective weight = 5
//      alive = 1
//      num failed checkers = 0
//      RS set = 1
//   ------< Health checkers >------
//    [192.0.2.10]:tcp:80 -> [198.51.100.11]:tcp:80
//      Enabled = yes
//      Up = yes
//      Has run = yes
//      Current weight = 0
//      Alpha = no                             (these five: not for FILE_CHECK)
//      Delay loop = 6000000 us
//      Warmup = 0 us
//      Retries = 3
//      Delay before retry = 1000000 us        (when Retries is not 0)
//      Connection                             (checks that connect: not MISC/FILE/BFD)
//        Dest = [198.51.100.11]:80
//        Timeout = 5.000000
//      Keepalive method = TCP_CHECK           (then the kind's own lines: CheckView::details)
//      Last ran = 1795383000.250000 (Sun Nov 22 21:30:00 2026.250000)   (MISC_CHECK)
//      Last status = 2                                                    (MISC_CHECK)
//
// Left out, because halo has no such value (keepalived writes them): in the global part every
// line but the two above (SMTP, notification e-mail, process names, fifos, script security,
// VRRP and checker tunables …); " System is compiled with LVS v…"; virtual server groups;
// for a virtual server "VirtualHost", "SNMP name", "connection timeout", "Hashed", the
// scheduler flags ("sh-port", "flag-1" …), "One packet scheduling", "persistence
// granularity", "Retry count", "Retry delay", "Warmup", "Using HA suspend", "Using smtp
// notification", the sorry server's forwarding method and inhibit lines, "alive",
// "reloaded"; for a real server "Alpha is", "connection timeout", "connection limit range",
// "Delay loop", "Retry count", "Retry delay", "Warmup", "VirtualHost", "SNMP name", "Using smtp
// notification", "previous effective_weight", "reloaded", "Tracked Files", "Tracked BFDs";
// for a checker "Retries iterations", "Default delay before retry", "Log all failures",
// "Bind to", "Bind i/f", "Mark", "Last errno"; the uid:gid of notify scripts; the "Checker
// track files" and "Checker track BFDs" sections.
#include "status/keepalived_check_data.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <string_view>

namespace halo::status {
namespace {

const char* on_off(bool b) {
  return b ? "ON" : "OFF";
}
const char* yes_no(bool b) {
  return b ? "yes" : "no";
}

// keepalived's format_decimal() of a time in microseconds: "6.000000".
std::string seconds_decimal(std::int64_t ms) {
  const std::int64_t us = ms < 0 ? 0 : ms * 1000;
  return fmt::format("{}.{:06}", us / 1'000'000, us % 1'000'000);
}

// "[192.0.2.10]:tcp:80" -> address "192.0.2.10", port "80"; false for another form.
bool split_trio(std::string_view name, std::string_view& address, std::string_view& port) {
  if (!name.starts_with('[')) return false;
  const auto close = name.find(']');
  const auto colon = name.rfind(':');
  if (close == std::string_view::npos || colon == std::string_view::npos || colon < close) {
    return false;
  }
  address = name.substr(1, close - 1);
  port = name.substr(colon + 1);
  return true;
}

// A check's target as keepalived's inet_sockaddrtopair(): "[198.51.100.11]:80".
std::string pair_form(const std::string& target) {
  if (target.starts_with('[')) return target;
  const auto colon = target.rfind(':');
  if (colon == std::string::npos || target.find(':') != colon) {
    return fmt::format("[{}]:0", target);  // no port (or a bare IPv6 address)
  }
  return fmt::format("[{}]:{}", target.substr(0, colon), target.substr(colon + 1));
}

// A virtual server's name as keepalived's FMT_VS(): the trio and "FWM N" as they are; a group
// as "[NAME]:0" (keepalived prints the group name and the unset port of the service).
std::string vs_form(const std::string& name) {
  if (name.starts_with("group ")) return fmt::format("[{}]:0", name.substr(6));
  return name;
}

bool connects(const std::string& kind) {
  return kind != "MISC_CHECK" && kind != "FILE_CHECK" && kind != "BFD_CHECK";
}

// "1795383000.250000 (Sun Nov 22 21:30:00 2026.250000)": seconds.microseconds, then ctime()'s
// 24 characters (local time) and the microseconds again, as keepalived writes "Last ran".
std::string last_ran(WallClock::time_point t) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(us.count() / 1'000'000);
  const auto micros = us.count() % 1'000'000;
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char text[32];
  if (std::strftime(text, sizeof text, "%a %b %e %H:%M:%S %Y", &tm) == 0) text[0] = '\0';
  return fmt::format("{}.{:06} ({}.{:06})", static_cast<long>(seconds), micros, text, micros);
}

void global_part(std::string& out, const Snapshot& s) {
  out += "------< Global definitions >------\n";
  out += fmt::format(" Network namespace = {}\n", s.info.network_namespace.empty()
                                                      ? std::string("(default)")
                                                      : s.info.network_namespace);
  if (!s.info.router_id.empty()) out += fmt::format(" Router ID = {}\n", s.info.router_id);
}

void real_server(std::string& out, const RealServerView& r) {
  std::uint32_t failed = 0;
  for (const auto& c : r.checks) failed += c.up || !c.enabled ? 0 : 1;
  out += "   ------< Real server >------\n";
  out += fmt::format("   RIP = {}, RPORT = {}, WEIGHT = {} EFF WEIGHT = {}\n", r.address, r.port,
                     r.effective_weight, r.effective_weight);
  out += fmt::format("   forwarding method = {}\n", r.method);
  out += fmt::format("   Inhibit on failure is {}\n", on_off(r.inhibit_on_failure));
  if (!r.notify_up.empty()) out += fmt::format("     RS up notify script = {}\n", r.notify_up);
  if (!r.notify_down.empty()) {
    out += fmt::format("     RS down notify script = {}\n", r.notify_down);
  }
  out += fmt::format("   initial weight = {}\n", r.weight);
  out += fmt::format("   effective weight = {}\n", r.effective_weight);
  out += fmt::format("   alive = {}\n", r.alive ? 1 : 0);
  out += fmt::format("   num failed checkers = {}\n", failed);
  out += fmt::format("   RS set = {}\n", r.in_pool ? 1 : 0);
}

void virtual_server(std::string& out, const VirtualServerView& v) {
  out += " ------< Virtual server >------\n";
  std::string_view address, port;
  if (v.name.starts_with("group ")) {
    out += fmt::format(" VS GROUP = {}\n", vs_form(v.name));
  } else if (v.name.starts_with("FWM ")) {
    out += fmt::format(" VS FWMARK = {}\n", v.name.substr(4));
  } else if (split_trio(v.name, address, port)) {
    out += fmt::format(" VS VIP = {}, VPORT = {}\n", address, port);
    out += fmt::format("   Address family = inet{}\n",
                       address.find(':') == std::string_view::npos ? "" : "6");
  } else {
    out += fmt::format(" VS VIP = {}, VPORT = 0\n", v.name);
  }
  out += fmt::format("   delay_loop = {}\n", seconds_decimal(v.delay_loop_ms));
  out += fmt::format("   lvs_sched = {}\n", v.scheduler);
  if (v.persistence_timeout && *v.persistence_timeout != 0) {
    out += fmt::format("   persistence timeout = {}\n", *v.persistence_timeout);
  }
  out += fmt::format("   protocol = {}\n", v.protocol.empty() ? std::string("none") : v.protocol);
  out += fmt::format("   alpha is {}\n", on_off(v.alpha));
  out += fmt::format("   omega is {}\n", on_off(v.omega));
  out += fmt::format("   Inhibit on failure is {}\n", on_off(v.inhibit_on_failure));
  out += fmt::format("   quorum = {}, hysteresis = {}\n", v.quorum, v.hysteresis);
  if (!v.quorum_up_script.empty()) {
    out += fmt::format("   Quorum up notify script = {}\n", v.quorum_up_script);
  }
  if (!v.quorum_down_script.empty()) {
    out += fmt::format("   Quorum down notify script = {}\n", v.quorum_down_script);
  }
  out += fmt::format("   default forwarding method = {}\n", v.method);
  if (!v.sorry_server.empty()) out += fmt::format("   sorry server = {}\n", v.sorry_server);
  out += fmt::format("   quorum_state_up = {}\n", v.quorum_up ? 1 : 0);
  for (const auto& r : v.real_servers) real_server(out, r);
}

void checker(std::string& out, const VirtualServerView& v, const RealServerView& r,
             const CheckView& c) {
  out += fmt::format(" {} -> {}\n", vs_form(v.name), r.name);
  out += fmt::format("   Enabled = {}\n", yes_no(c.enabled));
  out += fmt::format("   Up = {}\n", yes_no(c.up));
  out += fmt::format("   Has run = {}\n", yes_no(c.has_result));
  out += fmt::format("   Current weight = {}\n", c.weight_contribution);
  if (c.kind != "FILE_CHECK") {
    out += fmt::format("   Alpha = {}\n", yes_no(c.alpha));
    out += fmt::format("   Delay loop = {} us\n", c.delay_loop_ms * 1000);
    out += fmt::format("   Warmup = {} us\n", c.warmup_ms * 1000);
    out += fmt::format("   Retries = {}\n", c.retry);
    if (c.retry != 0) {
      out += fmt::format("   Delay before retry = {} us\n", c.delay_before_retry_ms * 1000);
    }
  }
  if (connects(c.kind)) {
    out += "   Connection\n";
    out += fmt::format("     Dest = {}\n", pair_form(c.target));
    out += fmt::format("     Timeout = {}\n", seconds_decimal(c.connect_timeout_ms));
  }
  if (c.details.empty()) {
    out += fmt::format("   Keepalive method = {}\n", c.kind);
  } else {
    for (const auto& [key, value] : c.details) out += fmt::format("   {} = {}\n", key, value);
  }
  if (c.kind == "MISC_CHECK") {
    // keepalived writes both from the start: 0 and the epoch before the first run.
    out += fmt::format("   Last ran = {}\n", last_ran(c.last_attempt));
    out +=
        fmt::format("   Last status = {}\n", static_cast<unsigned>(c.last_exit_code.value_or(0)));
  }
}

}  // namespace

std::string keepalived_check_data(const Snapshot& s) {
  std::string out;
  global_part(out, s);
  if (!s.virtual_servers.empty()) {
    out += "------< LVS Topology >------\n";
    for (const auto& v : s.virtual_servers) virtual_server(out, v);
  }
  bool header = false;
  for (const auto& v : s.virtual_servers) {
    for (const auto& r : v.real_servers) {
      for (const auto& c : r.checks) {
        if (!header) out += "------< Health checkers >------\n";
        header = true;
        checker(out, v, r, c);
      }
    }
  }
  return out;
}

}  // namespace halo::status
