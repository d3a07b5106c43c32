// keepalived's SIGUSR2 and JSON dumps, rendered from a Snapshot.
//
// Both files are read by people's scripts, so the layout is keepalived 2.2.7's to the byte:
// the stats file is an indented block per instance; the JSON file is one line, an array of
// {"data":{…},"stats":{…}} objects with keys in keepalived's order, `/` written as `\/`,
// integers for flags keepalived prints with %u, `true`/`false` where it prints booleans,
// %g for intervals in seconds and %f for last_transition. Fields halo has no notion of
// (gratuitous ARP timers as halo schedules them, strict mode, SMTP alerts, …) are written
// with keepalived's defaults, each marked below. The golden files in tests/unit/status/golden/
// are what keepalived itself wrote.
#include "status/keepalived_dumps.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/errno_text.h"
#include "common/ip_address.h"

namespace halo::status {
namespace {

// keepalived's vrrp.h state numbers.
int state_number(const std::string& state) {
  if (state == "BACKUP") return 1;
  if (state == "MASTER") return 2;
  if (state == "FAULT") return 3;
  if (state == "DELETED") return 97;
  if (state == "STOP") return 98;
  return 0;  // INIT
}

// A compact JSON writer with keepalived's (iproute2's) separators and escapes. Unlike
// keepalived, a backslash is written as `\\` (keepalived writes `\n`, a bug) and other control
// characters as \u00XX, so the file is always valid JSON.
class Writer {
 public:
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void name(std::string_view key) {
    separate();
    quote(key);
    out_.push_back(':');
    first_ = true;  // the value follows without a comma
  }
  void string(std::string_view value) {
    separate();
    quote(value);
  }
  void raw(std::string_view text) {
    separate();
    out_ += text;
  }
  void field(std::string_view key, std::string_view value) {
    name(key);
    string(value);
  }
  void field(std::string_view key, const char* value) { field(key, std::string_view(value)); }
  void field_uint(std::string_view key, std::uint64_t value) {
    name(key);
    raw(fmt::format("{}", value));
  }
  void field_bool(std::string_view key, bool value) {
    name(key);
    raw(value ? "true" : "false");
  }
  // printf's %g, as keepalived's jsonw_float.
  void field_g(std::string_view key, double value) {
    name(key);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", value);
    raw(buf);
  }
  void field_f(std::string_view key, double value) {
    name(key);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%f", value);
    raw(buf);
  }
  void array(std::string_view key, const std::vector<std::string>& values) {
    if (values.empty()) return;  // keepalived leaves empty lists out
    name(key);
    begin_array();
    for (const auto& v : values) string(v);
    end_array();
  }
  std::string take() { return std::move(out_); }

 private:
  void separate() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  void open(char c) {
    separate();
    out_.push_back(c);
    first_ = true;
  }
  void close(char c) {
    out_.push_back(c);
    first_ = false;
  }
  void quote(std::string_view text) {
    out_.push_back('"');
    for (const char c : text) {
      switch (c) {
        case '\t':
          out_ += "\\t";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '"':
          out_ += "\\\"";
          break;
        case '/':
          out_ += "\\/";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            out_ += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
          } else {
            out_.push_back(c);
          }
      }
    }
    out_.push_back('"');
  }

  std::string out_;
  bool first_ = true;
};

// keepalived's format_ipaddress() for a VIP as halo configures it: the prefix length only
// when it is not the full width ("192.0.2.61 dev …" for a /32), on the instance's interface
// or its VMAC ("vrrp.61@eth0"), scope global, no label or broadcast (the snapshot does not
// carry them); IPv6 /128 VIPs are added deprecated, the others with preferred_lft forever.
std::string vip_text(const std::string& text, const InstanceView& in, bool set) {
  const auto dev =
      in.vmac_interface.empty() ? in.interface : in.vmac_interface + "@" + in.interface;
  const auto prefix = IpPrefix::parse(text);
  std::string out =
      fmt::format("{} dev {} scope global",
                  prefix && prefix->has_default_length() ? prefix->address.to_string() : text, dev);
  if (prefix && prefix->address.is_v6()) {
    out += prefix->length == 128 ? " deprecated" : " preferred_lft forever";
  }
  if (set) out += " set";
  return out;
}

void instance_json(Writer& w, const InstanceView& in) {
  w.begin_object();
  w.name("data");
  w.begin_object();
  w.field("iname", in.name);
  w.field_uint("dont_track_primary", 0);   // keepalived's default: halo has no such option
  w.field_uint("skip_check_adv_addr", 0);  // default
  w.field_uint("strict_mode", 0);          // default
  w.field("vmac_ifname", in.vmac_interface);
  // keepalived's ifp is the VMAC when there is one.
  w.field("ifp_ifname", in.vmac_interface.empty() ? in.interface : in.vmac_interface);
  w.field_uint("master_priority", static_cast<std::uint64_t>(in.master_priority));
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(in.last_transition.time_since_epoch())
          .count();
  w.name("last_transition");
  w.raw(fmt::format("{}.{:06}", micros / 1'000'000, micros % 1'000'000));
  // Gratuitous ARP settings: keepalived's defaults (garp_master_delay 5, repeat 5, no
  // refresh, lower-priority delay 5 and repeat 5).
  w.field_g("garp_delay", 5);
  w.field_uint("garp_refresh", 0);
  w.field_uint("garp_rep", 5);
  w.field_uint("garp_refresh_rep", 1);
  w.field_uint("garp_lower_prio_delay", 5);
  w.field_uint("garp_lower_prio_rep", 5);
  w.field_uint("lower_prio_no_advert", 0);     // default
  w.field_uint("higher_prio_send_advert", 0);  // default
  w.field_uint("vrid", static_cast<std::uint64_t>(in.vrid));
  w.field_uint("base_priority", static_cast<std::uint64_t>(in.base_priority));
  w.field_uint("effective_priority", static_cast<std::uint64_t>(in.effective_priority));
  w.field_bool("vipset", in.addresses_set);
  w.field_bool("promote_secondaries", false);  // default
  w.field_g("adver_int", in.advert_interval_ms / 1000.0);
  w.field_g("master_adver_int", in.master_advert_interval_ms / 1000.0);
  w.field_uint("accept", in.accept ? 1 : 0);
  w.field_bool("nopreempt", in.nopreempt);
  w.field_uint("preempt_delay", static_cast<std::uint64_t>(in.preempt_delay_ms / 1000));
  w.field_uint("state", static_cast<std::uint64_t>(state_number(in.state)));
  // keepalived's wantstate follows the instance into MASTER and FAULT (seen in its dumps: a
  // `state BACKUP` instance that became master or faulted shows wantstate 2 or 3); otherwise
  // it is the configured state.
  const bool settled = in.state == "MASTER" || in.state == "FAULT";
  w.field_uint("wantstate",
               static_cast<std::uint64_t>(state_number(settled ? in.state : in.wanted_state)));
  w.field_uint("version", static_cast<std::uint64_t>(in.version));
  w.field_bool("smtp_alert", false);      // default: halo sends no mail
  w.field_bool("notify_deleted", false);  // default
  const auto script = [&](std::string_view key, const std::string& command) {
    if (!command.empty()) w.field(key, command);
  };
  script("script_backup", in.notify.backup);
  script("script_master", in.notify.master);
  script("script_fault", in.notify.fault);
  script("script_stop", in.notify.stop);
  script("script_deleted", in.notify.deleted);
  script("script", in.notify.any);
  script("script_master_rx_lower_pri", in.notify.master_rx_lower_pri);
  std::vector<std::string> vips;
  for (const auto& a : in.virtual_addresses) vips.push_back(vip_text(a, in, in.addresses_set));
  w.array("vips", vips);
  std::vector<std::string> evips;
  for (const auto& a : in.excluded_addresses) evips.push_back(vip_text(a, in, in.addresses_set));
  w.array("evips", evips);
  // vroutes and vrules: not in the snapshot yet (left out, as keepalived does for none).
  std::vector<std::string> interfaces, scripts, processes;
  for (const auto& t : in.tracked) {
    if (t.kind == "interface") interfaces.push_back(t.name);
    if (t.kind == "script") scripts.push_back(t.command.empty() ? t.name : t.command);
    if (t.kind == "process") processes.push_back(t.name);
  }
  w.array("track_ifp", interfaces);
  w.array("track_script", scripts);
  w.array("track_process", processes);
  w.field_uint("auth_type", static_cast<std::uint64_t>(in.auth_type));
  if (in.auth_type != 0) w.field("auth_data", in.auth_data);
  w.end_object();

  const auto& c = in.counters;
  w.name("stats");
  w.begin_object();
  w.field_uint("advert_rcvd", c.adverts_received);
  w.field_uint("advert_sent", c.adverts_sent);
  w.field_uint("become_master", c.became_master);
  w.field_uint("release_master", c.released_master);
  w.field_uint("packet_len_err", c.packet_length_errors);
  w.field_uint("advert_interval_err", c.advert_interval_errors);
  w.field_uint("ip_ttl_err", c.ttl_errors);
  w.field_uint("invalid_type_rcvd", c.invalid_type);
  w.field_uint("addr_list_err", c.address_list_errors);
  w.field_uint("invalid_authtype", c.invalid_auth_type);
  w.field_uint("authtype_mismatch", c.auth_type_mismatch);
  w.field_uint("auth_failure", c.auth_failure);
  w.field_uint("pri_zero_rcvd", c.priority_zero_received);
  w.field_uint("pri_zero_sent", c.priority_zero_sent);
  w.end_object();
  w.end_object();
}

}  // namespace

std::string keepalived_stats(const Snapshot& s) {
  std::string out;
  for (const auto& in : s.instances) {
    const auto& c = in.counters;
    out += fmt::format(
        "VRRP Instance: {}\n"
        "  Advertisements:\n"
        "    Received: {}\n"
        "    Sent: {}\n"
        "  Became master: {}\n"
        "  Released master: {}\n"
        "  Packet Errors:\n"
        "    Length: {}\n"
        "    TTL: {}\n"
        "    Invalid Type: {}\n"
        "    Advertisement Interval: {}\n"
        "    Address List: {}\n"
        "  Authentication Errors:\n"
        "    Invalid Type: {}\n"
        "    Type Mismatch: {}\n"
        "    Failure: {}\n"
        "  Priority Zero:\n"
        "    Received: {}\n"
        "    Sent: {}\n",
        in.name, c.adverts_received, c.adverts_sent, c.became_master, c.released_master,
        c.packet_length_errors, c.ttl_errors, c.invalid_type, c.advert_interval_errors,
        c.address_list_errors, c.invalid_auth_type, c.auth_type_mismatch, c.auth_failure,
        c.priority_zero_received, c.priority_zero_sent);
  }
  return out;
}

std::string keepalived_json(const Snapshot& s) {
  Writer w;
  w.begin_array();
  for (const auto& in : s.instances) instance_json(w, in);
  w.end_array();
  return w.take() + "\n";
}

std::string write_dump_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover from a crash, or someone else's file: never reuse it
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fmt::format("cannot create {}: {}", tmp, errno_text(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fmt::format("cannot write {}: {}", tmp, errno_text(error));
    }
    done += static_cast<std::size_t>(n);
  }
  // The umask may have narrowed 0600 but never widened it; fchmod makes it exactly 0600.
  const int chmod_error = ::fchmod(fd, 0600) == 0 ? 0 : errno;
  const int close_error = ::close(fd) == 0 ? 0 : errno;
  if (chmod_error != 0 || close_error != 0) {
    const int error = chmod_error != 0 ? chmod_error : close_error;
    ::unlink(tmp.c_str());
    return fmt::format("cannot write {}: {}", tmp, errno_text(error));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    return fmt::format("cannot rename {} to {}: {}", tmp, path, errno_text(error));
  }
  return {};
}

}  // namespace halo::status
