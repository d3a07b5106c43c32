// haloctl: the control socket's client, for people (tables) and for scripts (--json, exit
// codes). Each subcommand is one command line on the socket (src/control/command.h):
//
//   info | instances | instance NAME | trackers | stats   show … json, drawn as a table
//   servers | checks                                    (the same)
//   events [--follow]                                   show events [follow]
//   schema                                              show schema
//   set-priority NAME N                                 set instance NAME priority N
//   enable|disable tracker|check NAME                   enable|disable tracker|check NAME
//                                                       (a check by its id, `haloctl checks`)
//   reload                                              reload
//   dump data|stats|json                                dump data|stats|json
//   raw 'LINE'                                          LINE, the reply printed as it is
//   watch [--interval S]                                show instances json, again and again
//   genhash -s ADDR -p PORT -u URL [...]                (local) keepalived -T: a body's MD5
//
// Exit codes (client.h Exit; also in --help), an interface for scripts:
//   0 ok; 1 the daemon answered "error: …" (the message on stderr); 2 usage error;
//   3 cannot connect (no socket, permission denied, nothing listening: which, and the path);
//   4 busy (the daemon refused the connection: every slot in use); 5 timeout, or the
//   connection closed before the reply was complete.
// Every read waits at most --timeout (default 5 s), except `events --follow` and `watch`,
// which run until SIGINT (exit 0).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "check/genhash.h"
#include "haloctl/client.h"
#include "haloctl/commands.h"

namespace {

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  ok\n"
    "  1  the daemon answered with an error (its message on stderr)\n"
    "  2  usage error\n"
    "  3  cannot connect: no socket, permission denied, nothing listening (says which)\n"
    "  4  busy: the daemon refused the connection, every slot is in use\n"
    "  5  timeout (--timeout), or the connection closed before the reply was complete\n"
    "\n"
    "The socket: -s/--socket, else $HALO_SOCKET, else /run/halo/halo.sock.";

// A name is one word of a command line: no blanks, no ';' (which would start another command),
// no control characters.
const CLI::Validator kOneWord(
    [](const std::string& name) -> std::string {
      for (const unsigned char c : name) {
        if (c <= ' ' || c == ';' || c == 0x7f) {
          return "a name is one word, without blanks, ';' or control characters";
        }
      }
      return name.empty() ? "a name cannot be empty" : "";
    },
    "WORD");

std::chrono::milliseconds millis(double seconds) {
  constexpr double kMaxSeconds = 1e9;  // about 31 years; keeps the conversion defined
  if (!(seconds < kMaxSeconds)) seconds = kMaxSeconds;  // also for NaN
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000.0)));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace halo::ctl;
  // genhash talks to a web server, not to the daemon, and takes keepalived -T's options (its
  // -s and -t are not haloctl's): every word after it is genhash's.
  if (argc >= 2 && std::string(argv[1]) == "genhash") {
    return halo::check::genhash_main(std::vector<std::string>(argv + 2, argv + argc),
                                     "haloctl genhash");
  }
  CLI::App app("haloctl: query and steer halod through its control socket");
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.fallthrough();  // global options after the subcommand too: `haloctl instances --json`

  Options options;
  double timeout_s = 5.0;
  app.add_option("-s,--socket", options.socket, "control socket path")
      ->envname("HALO_SOCKET")
      ->capture_default_str();
  app.add_flag("-j,--json", options.json, "print the daemon's JSON instead of a table");
  app.add_option("-t,--timeout", timeout_s, "seconds to wait for a reply")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  int exit_code = kOk;
  const auto show = [&](const std::string& what) {
    return [&options, &exit_code, what] { exit_code = halo::ctl::show(options, what); };
  };

  app.add_subcommand("info", "the daemon: version, uptime, reloads, control socket")
      ->callback(show("info"));
  app.add_subcommand("instances", "every VRRP instance: state, priorities, VIPs")
      ->callback(show("instances"));
  std::string instance_name;
  auto* instance = app.add_subcommand("instance", "one instance: every field, tracking, counters");
  instance->add_option("NAME", instance_name, "instance name")->required()->check(kOneWord);
  instance->callback([&] { exit_code = halo::ctl::show(options, "instance " + instance_name); });
  app.add_subcommand("trackers", "every tracker: status, value, users")->callback(show("trackers"));
  app.add_subcommand("servers", "virtual servers and their real servers: quorum, weights, checks")
      ->callback(show("servers"));
  app.add_subcommand("checks", "every health check: status, last exit code and reason, counters")
      ->callback(show("checks"));
  app.add_subcommand("stats", "counters per instance, and the daemon's")->callback(show("stats"));
  app.add_subcommand("schema", "the JSON forms' fields")->callback([&] {
    exit_code = command(options, options.json ? "show schema json" : "show schema");
  });

  bool follow = false;
  auto* events_cmd = app.add_subcommand("events", "the recent events (JSON with --json)");
  events_cmd->add_flag("-f,--follow", follow, "then every new event as it happens, until ^C");
  events_cmd->callback([&] { exit_code = events(options, follow); });

  std::string priority_name;
  int priority = 0;
  auto* set_priority =
      app.add_subcommand("set-priority", "set an instance's base priority (until reload)");
  set_priority->add_option("NAME", priority_name, "instance name")->required()->check(kOneWord);
  set_priority->add_option("N", priority, "priority")->required();
  set_priority->callback([&] {
    exit_code =
        command(options, fmt::format("set instance {} priority {}", priority_name, priority));
  });

  for (const std::string verb : {"enable", "disable"}) {
    auto* sub = app.add_subcommand(
        verb, verb + " a tracker or a check (" +
                  (verb == "enable" ? "its failures count again)" : "its failures are ignored)"));
    auto kind = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>();
    sub->add_option("KIND", *kind, "tracker or check")
        ->required()
        ->check(CLI::IsMember({"tracker", "check"}));
    sub->add_option("NAME", *name, "its name")->required()->check(kOneWord);
    sub->callback([&options, &exit_code, verb, kind, name] {
      exit_code = command(options, verb + " " + *kind + " " + *name);
    });
  }

  app.add_subcommand("reload", "reload the configuration; prints its errors, if any")
      ->callback([&] { exit_code = command(options, "reload"); });
  std::string dump_what;
  auto* dump =
      app.add_subcommand("dump", "write keepalived's data, check data, stats or JSON dump file");
  dump->add_option("WHAT", dump_what, "data, check, stats or json")
      ->required()
      ->check(CLI::IsMember({"data", "check", "stats", "json"}));
  dump->callback([&] { exit_code = command(options, "dump " + dump_what); });

  std::string raw_line;
  auto* raw_cmd = app.add_subcommand("raw", "send one command line, print the reply as it is");
  raw_cmd->add_option("LINE", raw_line, "the command line, quoted")->required();
  raw_cmd->callback([&] { exit_code = raw(options, raw_line); });

  double interval_s = 2.0;
  auto* watch_cmd = app.add_subcommand("watch", "the instances table, redrawn until ^C");
  watch_cmd->add_option("-i,--interval", interval_s, "seconds between redraws")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  watch_cmd->callback([&] { exit_code = watch(options, millis(interval_s)); });

  // Listed for --help; the command line is taken before CLI11 sees it (see the top of main).
  app.add_subcommand("genhash",
                     "MD5 of a URL's body for an HTTP_GET digest (keepalived -T; needs no daemon; "
                     "must be the first word: haloctl genhash -h)")
      ->allow_extras()
      ->callback([&] {
        std::fputs(
            "haloctl: genhash must be the first word: haloctl genhash -s ADDR -p PORT "
            "-u URL\n",
            stderr);
        exit_code = kUsage;
      });

  // CLI11 reports through exceptions; they end here. Callbacks run inside parse(), after
  // every option is read, so --timeout is converted in a pre-callback.
  app.parse_complete_callback([&] { options.timeout = millis(timeout_s); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help (0) or the error and usage
    return code == 0 ? kOk : kUsage;
  }
  return exit_code;
}
