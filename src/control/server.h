// The control socket server (L5: it cannot be exhausted).
//
//   - At most `maxconn` connections. A newcomer beyond that closes the connection that has
//     been idle longest (it is told "closing: evicted …" first); only when no connection is
//     idle (each is running a command, writing a reply or following events) does the
//     newcomer get "busy: …" and is closed.
//   - "Idle" means waiting for the client's next line. An idle connection is closed after
//     `idle_timeout`.
//   - Each command line must be answered and its reply written within `command_timeout`;
//     a client that does not read its reply is closed at that deadline.
//   - Request lines are bounded (command.h kMaxLineBytes), replies by `max_reply_bytes`
//     (a larger reply is replaced by an error line), an event follower's unsent lines by
//     `max_follow_backlog_bytes` (beyond it the follower is dropped, counted, and told why
//     when the socket takes it).
//   - Closing a connection works in every state, including while its reply is being written.
// Commands run on the daemon's loop through the Handler; the session verbs (`prompt`,
// `quit`) and the stream (`show events follow`) are the server's own.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"
#include "control/command.h"
#include "status/event_log.h"
#include "status/snapshot.h"

namespace halo::control {

struct Limits {
  std::size_t maxconn = 64;
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds command_timeout{10'000};
  // `show checks json` of 10,000 real servers is about 5.6 MB; 16 MiB holds 25,000.
  std::size_t max_reply_bytes = std::size_t{16} * 1024 * 1024;
  std::size_t max_follow_backlog_bytes = std::size_t{1024} * 1024;
};

struct Reply {
  std::string text;  // lines, each ending in '\n'; the server adds the empty line
  bool ok = true;    // false: text is one "error: …" line
  // `show events follow`: after this reply, stream every new event line to the client (the
  // rest of the line's commands are not run).
  bool follow = false;

  static Reply error(std::string message);  // "error: <message>\n", ok = false
};

class Server {
 public:
  using Handler = std::function<Reply(const Command& command)>;

  // Takes a listening socket (see listener.h) and serves it on `io` until stop(). `handler`
  // gets every command but `prompt` and `quit`; it may stop or destroy the server. `events`
  // must outlive the server.
  static std::unique_ptr<Server> start(boost::asio::io_context& io, UniqueFd listening,
                                       Limits limits, Handler handler, status::EventLog& events);
  virtual ~Server() = default;

  // New limits for a reload (connections beyond a lower maxconn close as they go idle).
  virtual void set_limits(Limits limits) = 0;
  // Closes the listener and every connection.
  virtual void stop() = 0;
  // connections_accepted counts every accept(), the refused (`busy`) newcomers included.
  virtual status::ControlCounters counters() const = 0;
};

}  // namespace halo::control
