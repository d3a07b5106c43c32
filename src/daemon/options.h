// halod's command line: keepalived's flags, so existing unit files and scripts keep working,
// plus halo's own additions as long options only.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace halo::daemon {

enum class DumpFormat { None, Keepalived, Json };

struct Options {
  std::string config_file;  // empty: the first of kDefaultConfigFiles that exists
  bool config_file_given = false;
  std::string config_id;  // -i; empty: the host name

  // What to run. keepalived's -P/-C pick subsystems; halo is one process, so they select
  // which parts of the configuration are acted on.
  bool vrrp_only = false;   // -P
  bool check_only = false;  // -C

  bool config_test = false;            // -t
  std::string config_test_log;         // -t=FILE: diagnostics there instead of stderr
  DumpFormat dump = DumpFormat::None;  // -d, --dump-conf[=json]
  bool print_keywords = false;         // --keywords: the compatibility table (Markdown)
  std::optional<std::string> signum;   // --signum=SIGFUNC

  bool dont_fork = false;         // -n
  bool log_console = false;       // -l
  bool log_detail = false;        // -D
  bool no_syslog = false;         // -G
  int log_facility = -1;          // -S; -1: daemon
  std::string log_file;           // -g
  std::optional<unsigned> umask;  // -u

  std::string pid_file;                   // -p
  std::string vrrp_pid_file;              // -r (halo is one process: it writes its own pid there)
  std::string checkers_pid_file;          // -c (likewise)
  std::string network_namespace;          // -s
  std::string runtime_dir = "/run/halo";  // --runtime-dir
  std::string control_socket;             // --control-socket; empty: the config's, or default
  std::string dump_dir = "/tmp";          // --dump-dir: where the signal dumps go
  bool remove_vips = false;               // --remove-vips: clean-up for ExecStopPost, then exit
  bool strict = false;                    // --strict: unknown keywords are errors at start-up too
};

inline constexpr const char* kDefaultConfigFiles[] = {"/etc/keepalived/keepalived.conf",
                                                      "/etc/halo/halo.conf"};

// Outcome of parsing the command line: run with options, or exit now with a code (after
// --help, --version, a usage error).
struct ParsedCommandLine {
  std::optional<Options> options;
  int exit_code = 0;
};

ParsedCommandLine parse_command_line(int argc, char** argv);

// keepalived's --signum: the signal number for a function name, or -1.
int signal_for(std::string_view function);

}  // namespace halo::daemon
