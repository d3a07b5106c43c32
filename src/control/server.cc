// The control socket server: HAProxy's CLI protocol on a UNIX socket, built so that no client
// can lock an operator out (design.md L5).
//
// One Core owns the listener and a map of Connections; each Connection is a small state
// machine on the daemon's single-threaded io_context:
//
//   Idle ──line──> Busy ──reply written──> Idle (prompt mode)
//     │              │                 └─> closed (one-shot mode, `quit`)
//     │              └──reply written, Reply::follow──> Following ──EOF──> closed
//     └── idle timeout, evicted, EOF ──> closed
//
// Idle means waiting for the client's next line (a half-sent line counts as idle, so a slow
// sender is evictable and times out). Busy runs from a line's arrival until its whole reply
// is written and is bounded by the command deadline. Following streams event lines with a
// bounded backlog. Every state can be closed at once: a close cancels both timers and the
// socket, and the aborted handlers find the connection closed (each holds it by shared_ptr,
// the reason shared_ptr is used here) and return without touching the server.
//
// Accepting never stops: the listener is read with accept4() whenever it is readable. At
// maxconn, a newcomer closes the connection idle longest (telling it why); when no connection
// is idle the newcomer is told "busy" and closed. Both notices are one non-blocking send: a
// client that does not read them cannot hold the loop.
#include "control/server.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <deque>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "common/errno_text.h"
#include "common/log.h"

namespace halo::control {

Reply Reply::error(std::string message) {
  Reply reply;
  reply.text = "error: " + std::move(message) + "\n";
  reply.ok = false;
  return reply;
}

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using StreamProtocol = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kAcceptBurst = 32;                // then other handlers get a turn
constexpr std::chrono::milliseconds kAcceptRetry{100};  // after EMFILE and friends
// Buffers per write (Asio passes at most 64 to one writev). A follower's event lines that
// arrive during a write are joined into one buffer, so a burst is one write, not many turns.
constexpr std::size_t kMaxGather = 64;

// One best-effort line for a client that is about to be closed: never blocks, never raises
// SIGPIPE, and a client that does not take it simply does not get it.
void send_now(int fd, std::string_view text) {
  (void)!::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

std::string millis(std::chrono::milliseconds d) {
  return fmt::format("{} ms", d.count());
}

class Connection;

struct Core : std::enable_shared_from_this<Core> {
  Core(asio::io_context& io_context, Limits server_limits, Server::Handler command_handler,
       status::EventLog& event_log)
      : io(io_context),
        acceptor(io_context),
        retry_timer(io_context),
        limits(server_limits),
        handler(std::move(command_handler)),
        events(event_log) {}

  void wait_accept();
  void on_acceptable(const error_code& ec);
  void retry_later();
  void admit(UniqueFd fd);
  std::shared_ptr<Connection> longest_idle() const;
  void forget(std::uint64_t id) { connections.erase(id); }
  void set_limits(Limits new_limits);
  void stop();

  asio::io_context& io;
  StreamProtocol::acceptor acceptor;
  asio::steady_timer retry_timer;
  Limits limits;
  Server::Handler handler;
  status::EventLog& events;
  status::ControlCounters counters;
  std::map<std::uint64_t, std::shared_ptr<Connection>> connections;  // by age
  std::uint64_t next_id = 1;
  std::uint64_t followers = 0;
  bool stopped = false;
  bool accept_failing = false;  // accept() fails (EMFILE...): logged once, retried
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class State { Idle, Busy, Following, Closed };

  Connection(Core& core, std::uint64_t id)
      : core_(&core), id_(id), socket_(core.io), idle_timer_(core.io), deadline_timer_(core.io) {}

  error_code assign(int fd) {
    error_code ec;
    socket_.assign(StreamProtocol(), fd, ec);
    return ec;
  }

  void start() {
    enter_idle();
    if (state_ == State::Idle) process_input();
  }

  State state() const { return state_; }
  std::uint64_t id() const { return id_; }
  Clock::time_point idle_since() const { return idle_since_; }

  // Closes at once, in any state. `core_` is not used after this.
  void close() {
    if (state_ == State::Closed) return;
    const auto self = shared_from_this();
    if (subscription_) {
      core_->events.unsubscribe(*subscription_);
      subscription_.reset();
      --core_->followers;
    }
    state_ = State::Closed;
    ++epoch_;
    error_code ec;
    idle_timer_.cancel();
    deadline_timer_.cancel();
    socket_.close(ec);
    out_.clear();
    event_tail_.clear();
    out_bytes_ = 0;
    in_.clear();
    in_.shrink_to_fit();
    core_->forget(id_);
  }

  // Tells the client why (best effort: only when no reply is half-written), then closes.
  void close_with(std::string_view line) {
    if (state_ == State::Closed) return;
    if (!writing_ && out_.empty()) send_now(socket_.native_handle(), line);
    close();
  }

 private:
  struct Pending {
    std::shared_ptr<const std::string> text;
    std::size_t offset = 0;
  };

  void enter_idle() {
    state_ = State::Idle;
    ++epoch_;
    idle_since_ = Clock::now();
    deadline_timer_.cancel();
    if (core_->connections.size() > std::max<std::size_t>(core_->limits.maxconn, 1)) {
      close_with(fmt::format("closing: the control socket's maxconn was lowered to {}\n",
                             core_->limits.maxconn));
      return;
    }
    idle_timer_.expires_after(core_->limits.idle_timeout);
    idle_timer_.async_wait([self = shared_from_this(), epoch = epoch_](const error_code& ec) {
      if (ec || self->epoch_ != epoch || self->state_ != State::Idle) return;
      ++self->core_->counters.idle_timeouts;
      log::get("control").debug("connection {}: idle timeout", self->id_);
      self->close_with(
          fmt::format("closing: idle for {}\n", millis(self->core_->limits.idle_timeout)));
    });
  }

  // Idle: runs the next complete line, or waits for more input.
  void process_input() {
    const auto newline = in_.find('\n');
    if (newline == std::string::npos) {
      if (in_.size() > kMaxLineBytes) return overlong();
      if (peer_eof_) {
        if (in_.empty()) return close();
        std::string last = std::move(in_);  // a last line without its '\n'
        in_.clear();
        return run_line(last);
      }
      return read();
    }
    if (newline > kMaxLineBytes) return overlong();
    const std::string line = in_.substr(0, newline);
    in_.erase(0, newline + 1);
    run_line(line);
  }

  void overlong() {
    ++core_->counters.overlong_lines;
    state_ = State::Busy;
    ++epoch_;
    idle_timer_.cancel();
    arm_deadline();
    in_.clear();
    peer_eof_ = true;  // read nothing more
    close_after_write_ = true;
    enqueue(fmt::format("error: line longer than {} bytes\n\n", kMaxLineBytes));
    pump();
  }

  void run_line(std::string_view line) {
    const auto core = core_->shared_from_this();  // a handler may stop or destroy the server
    const auto self = shared_from_this();
    state_ = State::Busy;
    ++epoch_;
    idle_timer_.cancel();
    arm_deadline();

    std::string out;
    bool quit = false;
    bool follow = false;
    const auto commands = parse_line(line);
    if (!commands) {
      ++core->counters.command_errors;
      out = Reply::error(commands.error().message).text + "\n";
    } else {
      for (const auto& command : *commands) {
        ++core->counters.commands;
        if (command.words.size() == 1 && !command.json && command.verb() == "prompt") {
          prompt_ = true;
          continue;
        }
        if (command.words.size() == 1 && !command.json && command.verb() == "quit") {
          quit = true;
          break;
        }
        Reply reply = core->handler(command);
        if (state_ == State::Closed) return;  // the handler closed us (stop())
        const std::size_t limit = core->limits.max_reply_bytes;
        if (out.size() + reply.text.size() + 1 > limit) {
          reply = Reply::error(fmt::format("reply of {} bytes is larger than the limit of {}",
                                           out.size() + reply.text.size() + 1, limit));
        }
        if (!reply.ok) ++core->counters.command_errors;
        out += reply.text;
        out += '\n';
        if (reply.follow) {
          follow = true;
          break;
        }
      }
    }
    if (quit) {
      close_after_write_ = true;
    } else if (follow) {
      follow_after_write_ = true;
    } else if (prompt_) {
      out += "> ";
    } else {
      close_after_write_ = true;
    }
    if (!out.empty()) enqueue(std::move(out));
    pump();
  }

  void arm_deadline() {
    deadline_timer_.expires_after(core_->limits.command_timeout);
    deadline_timer_.async_wait([self = shared_from_this(), epoch = epoch_](const error_code& ec) {
      if (ec || self->epoch_ != epoch || self->state_ != State::Busy) return;
      ++self->core_->counters.command_timeouts;
      log::get("control").info("connection {}: reply not taken within the command deadline",
                               self->id_);
      self->close_with(fmt::format("closing: reply not taken within {}\n",
                                   millis(self->core_->limits.command_timeout)));
    });
  }

  // The whole reply is written.
  void on_drained() {
    if (state_ != State::Busy) return;
    deadline_timer_.cancel();
    if (close_after_write_) return close();
    if (follow_after_write_) return begin_follow();
    enter_idle();
    if (state_ == State::Idle) process_input();
  }

  void begin_follow() {
    state_ = State::Following;
    ++epoch_;
    ++core_->followers;
    in_.clear();
    std::weak_ptr<Connection> weak = shared_from_this();
    subscription_ = core_->events.subscribe([weak](const status::EventLine& line) {
      if (const auto connection = weak.lock()) connection->on_event(line);
    });
    if (peer_eof_) return close();  // nobody is left to read the stream
    read();
  }

  void on_event(const status::EventLine& line) {
    if (state_ != State::Following) return;
    if (out_bytes_ + line->size() > core_->limits.max_follow_backlog_bytes) {
      ++core_->counters.followers_dropped;
      log::get("control").info("connection {}: event stream dropped (reader too slow)", id_);
      return close_with(fmt::format(
          "closing: event stream dropped: more than {} bytes unsent (reader too slow)\n",
          core_->limits.max_follow_backlog_bytes));
    }
    out_bytes_ += line->size();
    if (writing_) {
      // Joined into one buffer for the next write: however many events a loop turn
      // publishes, the follower gets them all in one writev.
      event_tail_ += *line;
      return;
    }
    out_.push_back({line, 0});
    pump();
  }

  void enqueue(std::string text) {
    out_bytes_ += text.size();
    out_.push_back({std::make_shared<const std::string>(std::move(text)), 0});
  }

  // Keeps one read posted: for lines when idle, for EOF when following; while busy it reads
  // ahead at most one line's worth, then waits for the reply to be taken.
  void read() {
    if (reading_ || peer_eof_ || state_ == State::Closed) return;
    if (state_ != State::Following && in_.size() > kMaxLineBytes) return;
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(chunk_),
        [self = shared_from_this()](const error_code& ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(const error_code& ec, std::size_t n) {
    reading_ = false;
    if (state_ == State::Closed) return;
    if (ec == asio::error::eof) {
      peer_eof_ = true;
    } else if (ec) {
      return close();
    }
    switch (state_) {
      case State::Following:  // what a follower sends is ignored; its EOF ends the stream
        if (peer_eof_) return close();
        return read();
      case State::Idle:
        in_.append(chunk_.data(), n);
        return process_input();
      case State::Busy:
        in_.append(chunk_.data(), n);
        return read();
      case State::Closed:
        return;
    }
  }

  void pump() {
    if (writing_ || state_ == State::Closed) return;
    if (!event_tail_.empty()) {
      out_.push_back({std::make_shared<const std::string>(std::move(event_tail_)), 0});
      event_tail_.clear();
    }
    if (out_.empty()) return on_drained();
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(std::min(out_.size(), kMaxGather));
    for (const auto& pending : out_) {
      if (buffers.size() == kMaxGather) break;
      buffers.emplace_back(pending.text->data() + pending.offset,
                           pending.text->size() - pending.offset);
    }
    writing_ = true;
    socket_.async_write_some(buffers,
                             [self = shared_from_this()](const error_code& ec, std::size_t n) {
                               self->on_written(ec, n);
                             });
  }

  void on_written(const error_code& ec, std::size_t n) {
    writing_ = false;
    if (state_ == State::Closed) return;
    if (ec) return close();
    out_bytes_ -= n;
    while (n > 0) {
      auto& front = out_.front();
      const std::size_t left = front.text->size() - front.offset;
      if (n < left) {
        front.offset += n;
        break;
      }
      n -= left;
      out_.pop_front();
    }
    pump();
  }

  Core* core_;  // valid while the connection is open
  std::uint64_t id_;
  StreamProtocol::socket socket_;
  asio::steady_timer idle_timer_;
  asio::steady_timer deadline_timer_;
  State state_ = State::Idle;
  std::uint64_t epoch_ = 0;  // bumped at every state change; stale timer handlers compare it
  Clock::time_point idle_since_{};
  bool prompt_ = false;
  bool peer_eof_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool close_after_write_ = false;
  bool follow_after_write_ = false;
  std::string in_;
  std::array<char, kReadChunk> chunk_{};
  std::deque<Pending> out_;
  std::string event_tail_;     // event lines that arrived during a write, sent by the next
  std::size_t out_bytes_ = 0;  // unsent bytes in out_ and event_tail_
  std::optional<status::EventLog::SubscriptionId> subscription_;
};

void Core::wait_accept() {
  if (stopped) return;
  acceptor.async_wait(
      StreamProtocol::acceptor::wait_read,
      [self = shared_from_this()](const error_code& ec) { self->on_acceptable(ec); });
}

void Core::on_acceptable(const error_code& ec) {
  if (stopped || ec == asio::error::operation_aborted) return;
  if (ec) {
    log::get("control").warn("control socket: waiting for connections failed: {}", ec.message());
    return retry_later();
  }
  for (std::size_t i = 0; i < kAcceptBurst; ++i) {
    UniqueFd fd(
        ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (fd) {
      if (accept_failing) {
        accept_failing = false;
        log::get("control").info("control socket: accepting connections again");
      }
      admit(std::move(fd));
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return wait_accept();
    // EMFILE, ENFILE, ENOBUFS, ENOMEM: the newcomer stays queued; try again shortly instead
    // of spinning on a listener that stays readable.
    if (errno == EMFILE || errno == ENFILE) {
      // accept() takes a descriptor before it looks at the queue: with none left it fails
      // even when nobody waits. Only a waiting newcomer makes this an episode.
      pollfd pending{acceptor.native_handle(), POLLIN, 0};
      if (::poll(&pending, 1, 0) == 0) return wait_accept();
    }
    if (!accept_failing) {  // once per episode, not every retry
      accept_failing = true;
      log::get("control").warn("control socket: cannot accept a connection: {}; retrying",
                               errno_text(errno));
    }
    return retry_later();
  }
  // A full burst: let other handlers run, then go on.
  asio::post(io, [self = shared_from_this()] { self->on_acceptable({}); });
}

void Core::retry_later() {
  retry_timer.expires_after(kAcceptRetry);
  retry_timer.async_wait([self = shared_from_this()](const error_code& ec) {
    if (!ec) self->wait_accept();
  });
}

std::shared_ptr<Connection> Core::longest_idle() const {
  std::shared_ptr<Connection> victim;
  for (const auto& [id, connection] : connections) {
    if (connection->state() != Connection::State::Idle) continue;
    if (!victim || connection->idle_since() < victim->idle_since()) victim = connection;
  }
  return victim;
}

void Core::admit(UniqueFd fd) {
  ++counters.connections_accepted;
  const std::size_t maxconn = std::max<std::size_t>(limits.maxconn, 1);
  if (connections.size() >= maxconn) {
    const auto victim = longest_idle();
    if (!victim) {
      ++counters.refused_busy;
      log::get("control").debug("newcomer refused: all {} connections busy", maxconn);
      send_now(fd.get(),
               fmt::format("busy: all {} control connections are in use; try again\n", maxconn));
      return;
    }
    ++counters.evicted_idle;
    log::get("control").debug("connection {} evicted for a newcomer", victim->id());
    victim->close_with(
        fmt::format("closing: evicted to admit a new client (maxconn {})\n", maxconn));
  }
  const auto id = next_id++;
  auto connection = std::make_shared<Connection>(*this, id);
  if (const auto ec = connection->assign(fd.get()); ec) {
    log::get("control").warn("control socket: cannot serve a connection: {}", ec.message());
    return;
  }
  (void)fd.release();  // the socket owns it now
  connections.emplace(id, connection);
  connection->start();
}

void Core::set_limits(Limits new_limits) {
  limits = new_limits;
  if (stopped) return;
  const std::size_t maxconn = std::max<std::size_t>(limits.maxconn, 1);
  while (connections.size() > maxconn) {
    const auto victim = longest_idle();
    if (!victim) break;  // the others close as they go idle
    victim->close_with(
        fmt::format("closing: the control socket's maxconn was lowered to {}\n", maxconn));
  }
}

void Core::stop() {
  if (stopped) return;
  stopped = true;
  error_code ec;
  acceptor.close(ec);
  retry_timer.cancel();
  const auto open = connections;  // close() removes each from the map
  for (const auto& [id, connection] : open) connection->close();
  connections.clear();
}

class ServerImpl final : public Server {
 public:
  explicit ServerImpl(std::shared_ptr<Core> core) : core_(std::move(core)) {}
  ~ServerImpl() override { core_->stop(); }

  void set_limits(Limits limits) override { core_->set_limits(limits); }
  void stop() override { core_->stop(); }
  status::ControlCounters counters() const override {
    auto counters = core_->counters;
    counters.connections_active = core_->connections.size();
    counters.maxconn = core_->limits.maxconn;
    counters.followers = core_->followers;
    return counters;
  }

 private:
  std::shared_ptr<Core> core_;  // shared with the pending handlers, which check `stopped`
};

}  // namespace

std::unique_ptr<Server> Server::start(asio::io_context& io, UniqueFd listening, Limits limits,
                                      Handler handler, status::EventLog& events) {
  auto core = std::make_shared<Core>(io, limits, std::move(handler), events);
  error_code ec;
  core->acceptor.assign(StreamProtocol(), listening.get(), ec);
  if (ec) {
    log::get("control").error("control socket: cannot serve the listener: {}", ec.message());
    core->stopped = true;  // `listening` closes here; the server serves nothing
  } else {
    (void)listening.release();
    core->wait_accept();
  }
  return std::make_unique<ServerImpl>(std::move(core));
}

}  // namespace halo::control
