#include "daemon/options.h"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "common/log.h"

namespace halo::daemon {

int signal_for(std::string_view function) {
  // The numbers keepalived 2.2 uses, so `kill -s $(halod --signum=X)` works unchanged.
  if (function == "STOP") return SIGTERM;
  if (function == "RELOAD") return SIGHUP;
  if (function == "DATA") return SIGUSR1;
  if (function == "STATS") return SIGUSR2;
  if (function == "STATS_CLEAR") return SIGRTMAX - 1;
  if (function == "JSON") return SIGRTMIN + 2;
  return -1;
}

ParsedCommandLine parse_command_line(int argc, char** argv) {
  Options o;
  CLI::App app{"halod: high-availability daemon, a drop-in successor to keepalived", "halod"};
  app.set_version_flag("-v,--version", std::string("halod ") + HALO_VERSION);
  app.get_formatter()->column_width(34);

  std::string facility;
  std::string dump;
  bool dump_flag = false;
  std::vector<std::string> ignored_values;
  bool ignored = false;

  app.add_option("-f,--use-file", o.config_file,
                 "configuration file (default "
                 "/etc/keepalived/keepalived.conf, then "
                 "/etc/halo/halo.conf)");
  app.add_flag("-P,--vrrp", o.vrrp_only, "only run the VRRP part of the configuration");
  app.add_flag("-C,--check", o.check_only, "only run the health-check part of the configuration");
  app.add_flag("-l,--log-console", o.log_console, "log to the console (stderr)");
  app.add_flag("-D,--log-detail", o.log_detail, "detailed (debug) log messages");
  app.add_option("-S,--log-facility", facility, "syslog facility: 0-7, local0-7, user, daemon");
  app.add_flag("-G,--no-syslog", o.no_syslog, "do not log to syslog");
  app.add_option("-g,--log-file", o.log_file, "also log to FILE");
  app.add_option("-u,--umask", o.umask, "umask for files halod creates (numeric)");
  app.add_flag("-n,--dont-fork", o.dont_fork, "stay in the foreground");
  app.add_flag("-d", dump_flag, "print the effective configuration (keepalived syntax)");
  app.add_option("--dump-conf", dump, "print the effective configuration; =json for JSON")
      ->expected(0, 1)
      ->default_str("keepalived");
  app.add_option("-p,--pid", o.pid_file, "pid file (default RUNTIME_DIR/halod.pid)");
  app.add_option("-r,--vrrp_pid", o.vrrp_pid_file,
                 "also write the pid to FILE (keepalived's "
                 "VRRP child pid file)");
  app.add_option("-c,--checkers_pid", o.checkers_pid_file,
                 "also write the pid to FILE (keepalived's checker child pid file)");
  app.add_option("-s,--namespace", o.network_namespace,
                 "run in network namespace NAME (overrides net_namespace)");
  app.add_option("-i,--config-id", o.config_id, "config id for @id lines (default: the host name)");
  auto* test = app.add_option("-t,--config-test", o.config_test_log,
                              "check the configuration and exit; diagnostics to FILE if given")
                   ->expected(0, 1);
  app.add_option("--signum", o.signum,
                 "print the signal number for STOP, RELOAD, DATA, STATS, "
                 "STATS_CLEAR or JSON");
  app.add_option("--runtime-dir", o.runtime_dir, "directory for the pid file and sockets")
      ->capture_default_str();
  app.add_option("--control-socket", o.control_socket,
                 "the control socket's path (default: control_socket, else "
                 "<runtime-dir>/halo.sock)");
  app.add_option("--dump-dir", o.dump_dir,
                 "directory for the dumps: keepalived.data (SIGUSR1), keepalived.stats "
                 "(SIGUSR2), keepalived.json (--signum=JSON)")
      ->capture_default_str();
  app.add_flag("--remove-vips", o.remove_vips,
               "remove the configured virtual addresses from this host and exit (for "
               "systemd's ExecStopPost after a crash)");
  app.add_flag("--strict", o.strict,
               "refuse to start when the configuration has unknown "
               "keywords (they are warnings otherwise)");
  app.add_flag("--keywords", o.print_keywords,
               "print every keyword halo knows, with its support status (Markdown)");

  // keepalived flags that have no meaning for halo's single-process design. Accepted, so
  // existing command lines keep working; documented as having no effect.
  auto* group = app.add_option_group("accepted for keepalived compatibility, no effect");
  for (const char* f :
       {"-B,--no_bfd", "--all", "-X,--release-vips", "-V,--dont-release-vrrp",
        "-I,--dont-release-ipvs", "-R,--dont-respawn", "-a,--address-monitoring", "-x,--snmp",
        "-m,--core-dump", "--flush-log-file", "-e,--all-config", "--no-mem-check"}) {
    group->add_flag(f, ignored);
  }
  for (const char* f :
       {"-b,--bfd_pid", "-A,--snmp-agent-socket", "-M,--core-dump-pattern", "--perf", "--debug"}) {
    group->add_option(f, ignored_values)->expected(0, 1);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, app.exit(e)};
  }

  o.config_file_given = !o.config_file.empty();
  o.config_test = test->count() > 0;
  if (dump_flag) o.dump = DumpFormat::Keepalived;
  if (app.count("--dump-conf") > 0) {
    if (dump.empty() || dump == "keepalived") {
      o.dump = DumpFormat::Keepalived;
    } else if (dump == "json") {
      o.dump = DumpFormat::Json;
    } else {
      std::fprintf(stderr, "halod: --dump-conf takes 'json' or nothing, not '%s'\n", dump.c_str());
      return {std::nullopt, 2};
    }
  }
  if (!facility.empty()) {
    o.log_facility = log::parse_facility(facility);
    if (o.log_facility < 0) {
      std::fprintf(stderr, "halod: invalid log facility '%s'\n", facility.c_str());
      return {std::nullopt, 2};
    }
  }
  if (o.vrrp_only && o.check_only) {
    std::fprintf(stderr, "halod: -P and -C exclude each other\n");
    return {std::nullopt, 2};
  }
  return {std::move(o), 0};
}

}  // namespace halo::daemon
