// haloctl's subcommands. Tables for people are drawn here from the daemon's JSON with the
// renderers halod itself uses for its text replies (status/text.h), so `haloctl instances`
// and `show instances` on the socket print the same table; --json prints the JSON unchanged.
#include "haloctl/commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdio>
#include <ctime>
#include <string_view>

#include "haloctl/client.h"
#include "status/text.h"

namespace halo::ctl {
namespace {

namespace json = boost::json;

void out(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int report(const Failure& failure) {
  if (!failure.message.empty()) fmt::print(stderr, "haloctl: {}\n", failure.message);
  return failure.exit;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

using Renderer = std::string (*)(const json::value&);

Renderer renderer_for(const std::string& what) {
  if (what == "info") return status::text::info;
  if (what == "instances") return status::text::instances;
  if (starts_with(what, "instance ")) return status::text::instance;
  if (what == "trackers") return status::text::trackers;
  if (what == "servers") return status::text::servers;
  if (what == "checks") return status::text::checks;
  if (what == "stats") return status::text::stats;
  return nullptr;
}

// The JSON reply of `show WHAT json` as the table for people.
Outcome<std::string> rendered(const std::string& what, const std::string& reply) {
  boost::system::error_code error;
  const auto value = json::parse(reply, error);
  const auto render = renderer_for(what);
  if (error || render == nullptr) {
    return tl::unexpected(Failure{kDaemonError, fmt::format("the reply to 'show {} json' is not "
                                                            "JSON haloctl can read: {}",
                                                            what, reply.substr(0, 200))});
  }
  return render(value);
}

// One event line as it is (--json) or for people.
std::string event_line(const Options& options, const std::string& line) {
  if (options.json) return line + '\n';
  boost::system::error_code error;
  const auto value = json::parse(line, error);
  if (error) return line + '\n';
  return status::text::event(value) + '\n';
}

std::string clock_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%H:%M:%S", &tm);
  return text;
}

}  // namespace

int show(const Options& options, const std::string& what) {
  auto reply = exchange(options.socket, "show " + what + " json", options.timeout);
  if (!reply) return report(reply.error());
  if (options.json) {
    out(*reply);
    return kOk;
  }
  auto text = rendered(what, *reply);
  if (!text) return report(text.error());
  out(*text);
  return kOk;
}

int command(const Options& options, const std::string& line) {
  auto reply = exchange(options.socket, line, options.timeout);
  if (!reply) return report(reply.error());
  out(*reply);
  return kOk;
}

int raw(const Options& options, const std::string& line) {
  std::string received;
  auto done = exchange_raw(options.socket, line, options.timeout, received);
  out(received);
  if (!done) return report(done.error());
  // The exit code of a script that used the reply: busy, or any reply an error line.
  if (starts_with(received, "busy:")) return kBusy;
  bool reply_start = true;
  std::size_t at = 0;
  while (at < received.size()) {
    const auto end = received.find('\n', at);
    const std::string_view received_line(received.data() + at,
                                         (end == std::string::npos ? received.size() : end) - at);
    if (reply_start && starts_with(received_line, "error:")) return kDaemonError;
    reply_start = received_line.empty();
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return kOk;
}

int events(const Options& options, bool follow) {
  if (!follow) {
    auto reply = exchange(options.socket, "show events", options.timeout);
    if (!reply) return report(reply.error());
    std::size_t at = 0;
    while (at < reply->size()) {
      const auto end = reply->find('\n', at);
      const std::string line = reply->substr(at, end - at);
      if (!line.empty()) out(event_line(options, line));
      if (end == std::string::npos) break;
      at = end + 1;
    }
    return kOk;
  }
  catch_interrupts();
  const auto deadline = Clock::now() + options.timeout;
  auto connection = Connection::open(options.socket, deadline);
  if (!connection) return report(connection.error());
  // As in exchange(): a refusal may come before the daemon reads the command.
  const auto sent = connection->send_line("show events follow", deadline);
  if (!sent && sent.error().exit == kOk) return kOk;
  // No deadline once the command is sent: the stream lasts until the daemon closes it or we
  // are interrupted, and a quiet daemon may say nothing for a long time (whether or not it
  // answers the command itself with an empty reply first).
  bool first = true;
  for (;;) {
    auto line = connection->read_line(std::nullopt);
    if (!sent &&
        (!line || !*line || !(starts_with(**line, "busy:") || starts_with(**line, "closing:")))) {
      return report(sent.error());
    }
    if (!line) {
      auto failure = line.error();
      if (failure.exit == kTimeout && failure.message.empty()) {
        failure.message =
            fmt::format("{}: no answer to 'show events follow' in time", options.socket);
      }
      return report(failure);
    }
    if (!*line) {
      return report(
          Failure{kTimeout, fmt::format("{}: the daemon closed the event stream", options.socket)});
    }
    const std::string& text = **line;
    if (first && starts_with(text, "busy:")) return report(Failure{kBusy, text});
    if (first && starts_with(text, "error:")) return report(Failure{kDaemonError, text});
    if (starts_with(text, "closing:")) return report(Failure{kTimeout, text});
    first = false;
    if (!text.empty()) out(event_line(options, text));
  }
}

int watch(const Options& options, std::chrono::milliseconds interval) {
  catch_interrupts();
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  while (!interrupted()) {
    std::string frame = fmt::format("haloctl watch: instances every {} s, {}\n\n",
                                    static_cast<double>(interval.count()) / 1000.0, clock_now());
    auto reply = exchange(options.socket, "show instances json", options.timeout);
    if (!reply && reply.error().exit == kOk) break;  // interrupted
    if (!reply) {
      frame += "haloctl: " + reply.error().message + '\n';
    } else if (options.json) {
      frame += *reply;
    } else if (auto text = rendered("instances", *reply); text) {
      frame += *text;
    } else {
      frame += "haloctl: " + text.error().message + '\n';
    }
    // Terminal: home the cursor and clear the screen, then draw. Otherwise one frame after
    // the other, a blank line between.
    out(terminal ? "\x1b[H\x1b[2J" + frame : frame + '\n');
    if (!sleep_unless_interrupted(interval)) break;
  }
  return kOk;
}

}  // namespace halo::ctl
