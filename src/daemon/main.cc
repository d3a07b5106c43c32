// halod: the high-availability daemon. main() reads as the list of things start-up does.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "check/genhash.h"
#include "common/log.h"
#include "config/dump.h"
#include "config/keywords_markdown.h"
#include "config/load.h"
#include "config/tables/tables.h"
#include "daemon/daemon.h"
#include "daemon/options.h"
#include "track/process_events.h"
#include "vrrp/cleanup.h"

namespace {

using halo::daemon::Options;

// -f, or the first default file that exists (keepalived's, then halo's own).
std::string config_path(const Options& o) {
  if (o.config_file_given) return o.config_file;
  for (const char* f : halo::daemon::kDefaultConfigFiles) {
    if (access(f, F_OK) == 0) return f;
  }
  return halo::daemon::kDefaultConfigFiles[0];
}

// -s: enter a named network namespace (ip netns) before anything looks at interfaces.
bool enter_namespace(const std::string& name) {
  const std::string path = "/run/netns/" + name;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "halod: cannot open network namespace %s: %s\n", path.c_str(),
                 std::strerror(errno));
    return false;
  }
  const bool ok = setns(fd, CLONE_NEWNET) == 0;
  if (!ok) {
    std::fprintf(stderr, "halod: cannot enter network namespace %s: %s\n", name.c_str(),
                 std::strerror(errno));
  }
  close(fd);
  return ok;
}

// -t: check the configuration like `keepalived -t`, with its exit codes.
int config_test(const Options& o, const std::string& path) {
  halo::config::LoadOptions lo;
  lo.config_id = o.config_id;
  lo.keywords = halo::config::KeywordMode::Strict;
  lo.follow_net_namespace = o.network_namespace.empty();
  auto loaded = halo::config::load_file(path, lo);
  const auto text = loaded.diagnostics.render(loaded.sources);
  if (!o.config_test_log.empty()) {
    std::ofstream(o.config_test_log, std::ios::app) << text;
  } else {
    std::fputs(text.c_str(), stderr);
  }
  const int code = halo::config::config_test_exit_code(loaded.diagnostics);
  if (code != 0) {
    std::fprintf(stderr, "halod: %s: %zu error(s), %zu warning(s)\n", path.c_str(),
                 loaded.diagnostics.error_count(), loaded.diagnostics.warning_count());
  }
  return code;
}

// -d / --dump-conf: the effective configuration, as keepalived syntax or JSON.
int dump_config(const Options& o, const std::string& path) {
  halo::config::LoadOptions lo;
  lo.config_id = o.config_id;
  lo.keywords = o.strict ? halo::config::KeywordMode::Strict : halo::config::KeywordMode::Lenient;
  lo.follow_net_namespace = o.network_namespace.empty();
  auto loaded = halo::config::load_file(path, lo);
  std::fputs(loaded.diagnostics.render(loaded.sources).c_str(), stderr);
  const auto text = o.dump == halo::daemon::DumpFormat::Json
                        ? halo::config::dump_json(*loaded.config)
                        : halo::config::dump_keepalived(*loaded.config);
  std::fputs(text.c_str(), stdout);
  return loaded.ok() ? 0 : 1;
}

// --remove-vips: the configuration's virtual addresses off this host, then exit.
int remove_vips(const halo::config::Config& config) {
  auto report = halo::vrrp::remove_virtual_addresses(config);
  if (!report) {
    std::fprintf(stderr, "halod: %s\n", report.error().message.c_str());
    return 1;
  }
  for (const auto& line : report->removed) std::printf("removed %s\n", line.c_str());
  for (const auto& line : report->errors) std::fprintf(stderr, "halod: %s\n", line.c_str());
  return report->errors.empty() ? 0 : 1;
}

// Without -n: detach from the terminal like keepalived does.
bool daemonize() {
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid > 0) _exit(0);
  setsid();
  if (chdir("/") != 0) return false;
  const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) close(null);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // keepalived -T / --genhash: the rest of the command line is genhash's (digest of a URL).
  if (argc >= 2 && (std::strcmp(argv[1], "-T") == 0 || std::strcmp(argv[1], "--genhash") == 0)) {
    return halo::check::genhash_main(std::vector<std::string>(argv + 2, argv + argc));
  }
  auto parsed = halo::daemon::parse_command_line(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  Options o = std::move(*parsed.options);

  if (o.signum) {
    const int sig = halo::daemon::signal_for(*o.signum);
    if (sig < 0) {
      std::fprintf(stderr, "Unknown sigfunc %s\n", o.signum->c_str());
      return 1;
    }
    std::printf("%d\n", sig);
    return 0;
  }
  if (o.print_keywords) {
    std::fputs(halo::config::keywords_markdown(halo::config::all_tables()).c_str(), stdout);
    return 0;
  }
  if (o.umask) umask(static_cast<mode_t>(*o.umask));
  // The process-events connector delivers only to sockets of the initial network namespace
  // (design L1): with -s it is opened now, before the configuration is known, and closed
  // again below when nothing tracks processes.
  halo::Result<halo::UniqueFd> connector = halo::fail("not opened");
  const bool in_initial_namespace = o.network_namespace.empty();
  if (!o.network_namespace.empty()) {
    if (!o.config_test && !o.signum && o.dump == halo::daemon::DumpFormat::None) {
      connector = halo::track::open_process_connector();
    }
    if (!enter_namespace(o.network_namespace)) return 2;
  }

  const auto path = config_path(o);
  if (o.config_test) return config_test(o, path);
  if (o.dump != halo::daemon::DumpFormat::None) return dump_config(o, path);

  halo::log::Options lo;
  lo.console = o.log_console;
  lo.file = o.log_file;
  lo.syslog = !o.no_syslog;
  lo.journal = getenv("JOURNAL_STREAM") != nullptr && !o.log_console;
  lo.detail = o.log_detail;
  if (o.log_facility >= 0) lo.facility = o.log_facility;
  halo::log::init(lo);

  auto config = halo::daemon::load_for_run(o, path, /*starting=*/true);
  if (!config) return 1;
  const bool tracks_processes = !config->vrrp.track_processes.empty();
  bool connector_on_demand = in_initial_namespace;
  if (!in_initial_namespace && !tracks_processes) {
    connector = halo::fail("halod was started in network namespace " + o.network_namespace +
                           " without vrrp_track_process; restart halod to track processes");
  }
  // The config's net_namespace, unless -s chose one.
  if (in_initial_namespace && config->global.net_namespace) {
    if (tracks_processes && !o.remove_vips) connector = halo::track::open_process_connector();
    if (!tracks_processes) {
      connector = halo::fail("halod runs in net_namespace " + *config->global.net_namespace +
                             " and started without vrrp_track_process; restart halod to "
                             "track processes");
    }
    connector_on_demand = false;
    if (!enter_namespace(*config->global.net_namespace)) return 1;
  }
  if (o.remove_vips) return remove_vips(*config);
  if (!o.dont_fork && !daemonize()) {
    std::fprintf(stderr, "halod: cannot detach: %s\n", std::strerror(errno));
    return 1;
  }
  if (o.pid_file.empty()) {
    mkdir(o.runtime_dir.c_str(), 0755);
    o.pid_file = o.runtime_dir + "/halod.pid";
  }
  halo::daemon::Daemon daemon(std::move(o), path, std::move(config), std::move(connector),
                              connector_on_demand);
  return daemon.run();
}
