// keepalived's signal dumps: SIGUSR1 keepalived.data (and keepalived_check.data), SIGUSR2
// keepalived.stats, --signum=JSON keepalived.json, in the dump directory (keepalived's /tmp by
// default). Each is written to a temporary file and renamed, so a reader never sees half a dump.
#include <sstream>

#include "common/log.h"
#include "daemon/daemon.h"
#include "status/keepalived_check_data.h"
#include "status/keepalived_dumps.h"

namespace halo::daemon {
namespace {

Result<std::string> write_dump(const std::string& path, const std::string& text) {
  auto error = status::write_dump_file(path, text);
  if (!error.empty()) {
    log::get("daemon").error("{}", error);
    return fail(std::move(error));
  }
  log::get("daemon").info("dump written to {}", path);
  return path;
}

}  // namespace

Result<std::string> Daemon::write_data_dump() {
  std::ostringstream out;
  out << "------< Global definitions >------\n";
  out << " Configuration file = " << config_path_ << "\n";
  out << " Reloads = " << reloads_ << "\n";
  if (vrrp_) vrrp_->dump(out);
  trackers_->dump(out);
  return write_dump(options_.dump_dir + "/keepalived.data", out.str());
}

// keepalived's checker process writes this on SIGUSR1 (only when it runs, that is when the
// configuration has virtual servers).
Result<std::string> Daemon::write_check_dump() {
  return write_dump(options_.dump_dir + "/keepalived_check.data",
                    status::keepalived_check_data(snapshot()));
}

Result<std::string> Daemon::write_stats_dump() {
  return write_dump(options_.dump_dir + "/keepalived.stats",
                    status::keepalived_stats(snapshot(false)));
}

Result<std::string> Daemon::write_json_dump() {
  return write_dump(options_.dump_dir + "/keepalived.json",
                    status::keepalived_json(snapshot(false)));
}

}  // namespace halo::daemon
