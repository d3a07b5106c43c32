// The control socket client: connect, send a line, read lines, each with a deadline.
//
// Interrupts use a self-pipe: the SIGINT handler writes a byte that every poll(2) here also
// watches, so a signal that lands between a check and a wait still ends the wait.
#include "haloctl/client.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/errno_text.h"

namespace halo::ctl {
namespace {

// A reply line longer than this is not from halod (its replies are bounded far below).
constexpr std::size_t kMaxLineBytes = std::size_t{64} * 1024 * 1024;

volatile std::sig_atomic_t g_interrupted = 0;
int g_interrupt_pipe[2] = {-1, -1};

void on_interrupt(int) {
  g_interrupted = 1;
  const int saved = errno;
  const char byte = 1;
  [[maybe_unused]] const auto n = ::write(g_interrupt_pipe[1], &byte, 1);
  errno = saved;
}

Failure interrupted_failure() {
  return Failure{kOk, ""};
}

// Milliseconds left until `deadline` for poll(2) (-1: none), at least 0.
int poll_ms(std::optional<Clock::time_point> deadline) {
  if (!deadline) return -1;
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
  // Round up so that a deadline 0.4 ms away is not a busy loop of zero-timeout polls.
  return static_cast<int>(std::clamp<long long>(left + 1, 0, 24LL * 3600 * 1000));
}

// Waits until `fd` is ready for `events`. false: the deadline passed. A Failure: interrupted
// or poll failed.
Outcome<bool> wait_for(int fd, short events, std::optional<Clock::time_point> deadline) {
  for (;;) {
    if (g_interrupted) return tl::unexpected(interrupted_failure());
    pollfd fds[2] = {{fd, events, 0}, {g_interrupt_pipe[0], POLLIN, 0}};
    const nfds_t count = g_interrupt_pipe[0] >= 0 ? 2 : 1;
    const int timeout = poll_ms(deadline);
    const int n = ::poll(fds, count, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::unexpected(Failure{kTimeout, "poll: " + errno_text(errno)});
    }
    if (g_interrupted) return tl::unexpected(interrupted_failure());
    if (n == 0) {
      if (deadline && Clock::now() >= *deadline) return false;
      continue;
    }
    if (fds[0].revents != 0) return true;
  }
}

std::string seconds(std::chrono::milliseconds d) {
  return fmt::format("{}", static_cast<double>(d.count()) / 1000.0);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

void catch_interrupts() {
  if (g_interrupt_pipe[0] >= 0) return;
  if (::pipe2(g_interrupt_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    g_interrupt_pipe[0] = g_interrupt_pipe[1] = -1;
  }
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked call returns EINTR
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() {
  return g_interrupted != 0;
}

bool sleep_unless_interrupted(std::chrono::milliseconds d) {
  const auto deadline = Clock::now() + d;
  while (!g_interrupted) {
    const int timeout = poll_ms(deadline);
    if (timeout == 0) return true;
    pollfd fd{g_interrupt_pipe[0], POLLIN, 0};
    if (::poll(&fd, g_interrupt_pipe[0] >= 0 ? 1 : 0, timeout) == 0 && Clock::now() >= deadline) {
      return !g_interrupted;
    }
  }
  return false;
}

Outcome<Connection> Connection::open(const std::string& path, Clock::time_point deadline) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return tl::unexpected(Failure{
        kCannotConnect, fmt::format("cannot connect to {}: the path is empty or longer than {} "
                                    "bytes",
                                    path, sizeof(address.sun_path) - 1)});
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) {
    return tl::unexpected(Failure{kCannotConnect, "socket: " + errno_text(errno)});
  }
  // A non-blocking connect to a UNIX socket whose listen queue is full fails with EAGAIN
  // (there is no EINPROGRESS for AF_UNIX): try again until the deadline.
  for (;;) {
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) {
      break;
    }
    const int error = errno;
    if (error == EINTR) continue;
    if (error == EAGAIN) {
      if (g_interrupted) return tl::unexpected(interrupted_failure());
      if (Clock::now() >= deadline) {
        return tl::unexpected(Failure{
            kTimeout, fmt::format("cannot connect to {}: its listen queue stayed full", path)});
      }
      sleep_unless_interrupted(std::chrono::milliseconds(10));
      continue;
    }
    std::string why;
    switch (error) {
      case ENOENT:
        why = "no such socket (is halod running? -s/--socket or HALO_SOCKET name another)";
        break;
      case EACCES:
      case EPERM:
        why = "permission denied (run haloctl as root, or as the socket's owner or group)";
        break;
      case ECONNREFUSED:
        why =
            "connection refused (nothing listens there: halod is not running, or the "
            "socket is left over)";
        break;
      default:
        why = errno_text(error);
    }
    return tl::unexpected(
        Failure{kCannotConnect, fmt::format("cannot connect to {}: {}", path, why)});
  }
  return Connection(std::move(fd), path);
}

Outcome<void> Connection::send_line(std::string_view line, Clock::time_point deadline) {
  std::string data(line);
  data.push_back('\n');
  std::size_t sent = 0;
  while (sent < data.size()) {
    const auto n = ::send(fd_.get(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      auto ready = wait_for(fd_.get(), POLLOUT, deadline);
      if (!ready) return tl::unexpected(ready.error());
      if (!*ready) {
        return tl::unexpected(Failure{kTimeout, fmt::format("{}: the daemon did not take the "
                                                            "command in time",
                                                            path_)});
      }
      continue;
    }
    return tl::unexpected(Failure{
        kTimeout, fmt::format("{}: the connection closed early: {}", path_, errno_text(errno))});
  }
  return {};
}

Outcome<std::optional<std::string>> Connection::read_line(
    std::optional<Clock::time_point> deadline) {
  for (;;) {
    if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (eof_) {
      if (buffer_.empty()) return std::optional<std::string>();
      return std::optional<std::string>(std::exchange(buffer_, {}));
    }
    if (buffer_.size() > kMaxLineBytes) {
      return tl::unexpected(Failure{kDaemonError, fmt::format("{}: a reply line longer than {} "
                                                              "bytes",
                                                              path_, kMaxLineBytes)});
    }
    auto ready = wait_for(fd_.get(), POLLIN, deadline);
    if (!ready) return tl::unexpected(ready.error());
    if (!*ready) return tl::unexpected(Failure{kTimeout, ""});  // the caller says what it awaited
    char chunk[65536];
    const auto n = ::recv(fd_.get(), chunk, sizeof(chunk), 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0) {
      eof_ = true;
    } else if (errno != EINTR && errno != EAGAIN) {
      if (errno == ECONNRESET) {
        eof_ = true;
        continue;
      }
      return tl::unexpected(
          Failure{kTimeout, fmt::format("{}: reading the reply: {}", path_, errno_text(errno))});
    }
  }
}

Outcome<std::string> exchange(const std::string& path, std::string_view command,
                              std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto connection = Connection::open(path, deadline);
  if (!connection) return tl::unexpected(connection.error());
  // A daemon that refuses us ("busy: …") may close before it reads the command: then the
  // send fails, and what it said before closing is still to be read.
  auto sent = connection->send_line(command, deadline);
  if (!sent && sent.error().exit == kOk) return tl::unexpected(sent.error());
  std::string reply;
  bool first = true;
  for (;; first = false) {
    auto line = connection->read_line(deadline);
    if (!sent &&
        (!line || !*line || !(starts_with(**line, "busy:") || starts_with(**line, "closing:")))) {
      return tl::unexpected(sent.error());
    }
    if (!line) {
      auto failure = line.error();
      if (failure.message.empty() && failure.exit == kTimeout) {
        failure.message = fmt::format("{}: no {}reply to '{}' within {} s", path,
                                      first ? "" : "complete ", command, seconds(timeout));
      }
      return tl::unexpected(failure);
    }
    if (!*line) {
      return tl::unexpected(Failure{
          kTimeout,
          fmt::format("{}: the daemon closed the connection {} '{}'", path,
                      first ? "without answering" : "in the middle of its reply to", command)});
    }
    const std::string& text = **line;
    if (first && starts_with(text, "busy:")) return tl::unexpected(Failure{kBusy, text});
    if (starts_with(text, "closing:")) return tl::unexpected(Failure{kTimeout, text});
    if (text.empty()) break;
    reply += text;
    reply += '\n';
  }
  if (starts_with(reply, "error:")) {
    std::string message = reply;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return tl::unexpected(Failure{kDaemonError, message});
  }
  return reply;
}

Outcome<void> exchange_raw(const std::string& path, std::string_view line,
                           std::chrono::milliseconds timeout, std::string& received) {
  const auto deadline = Clock::now() + timeout;
  auto connection = Connection::open(path, deadline);
  if (!connection) return tl::unexpected(connection.error());
  if (auto sent = connection->send_line(line, deadline); !sent) return tl::unexpected(sent.error());
  for (;;) {
    auto next = connection->read_line(deadline);
    if (!next) {
      auto failure = next.error();
      if (failure.message.empty() && failure.exit == kTimeout) {
        failure.message = fmt::format("{}: the daemon did not finish answering within {} s", path,
                                      seconds(timeout));
      }
      return tl::unexpected(failure);
    }
    if (!*next) return {};
    received += **next;
    received += '\n';
  }
}

}  // namespace halo::ctl
