// A notify FIFO: never blocking the daemon, never losing a line silently.
//
// halo opens the FIFO O_RDWR | O_NONBLOCK. Holding a read end itself means the open never
// waits for a reader, a write never raises SIGPIPE when the reader goes away, and lines
// written while nobody reads wait in the pipe (64 KiB) for the next reader. A line of at most
// PIPE_BUF bytes is written atomically or not at all, so readers never see half lines. What
// the pipe cannot take waits in a bounded queue, flushed when the descriptor turns writable;
// a line that does not fit in the queue is dropped and counted (a slow reader must not grow
// the daemon without bound).
//
// Stopping follows L3: the caller has written the STOP lines; stop() flushes them, waits
// until the pipe is empty (FIONREAD on our own read end) so the script has really read them,
// and only then sends SIGTERM; SIGKILL follows after the grace. keepalived signals first and
// writes after, so its FIFO script never sees the STOP lines.
#include "notify/notify_fifo.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <utility>

#include "common/log.h"
#include "common/unique_fd.h"
#include "config/lexer.h"
#include "process/credentials.h"

namespace halo::notify {

namespace {

spdlog::logger& logger() {
  return log::get("notify");
}

constexpr auto kDrainPoll = std::chrono::milliseconds(5);

}  // namespace

struct NotifyFifo::Impl {
  Impl(boost::asio::io_context& io_in, process::Supervisor& supervisor_in, config::FifoSpec fifo,
       std::optional<config::Script> script_in, process::Credentials credentials_in,
       std::size_t max_pending)
      : io(io_in),
        supervisor(supervisor_in),
        spec(std::move(fifo)),
        script(std::move(script_in)),
        credentials(std::move(credentials_in)),
        max_pending_bytes(max_pending),
        descriptor(io_in),
        drain_timer(io_in) {}

  boost::asio::io_context& io;
  process::Supervisor& supervisor;
  config::FifoSpec spec;
  std::optional<config::Script> script;
  process::Credentials credentials;
  std::size_t max_pending_bytes;

  boost::asio::posix::stream_descriptor descriptor;
  boost::asio::steady_timer drain_timer;
  bool created = false;  // halo made the FIFO: remove it at stop
  dev_t dev = 0;
  ino_t ino = 0;

  std::deque<std::string> pending;  // front may be partly written (front_offset)
  std::size_t front_offset = 0;
  std::size_t pending_bytes = 0;
  bool waiting_writable = false;
  bool write_error_logged = false;
  bool stopping = false;

  std::optional<process::ChildId> child;
  std::function<void()> on_stopped;  // stop()'s `done`, run when the script is reaped

  std::uint64_t written = 0;
  std::uint64_t dropped = 0;

  // The exit and I/O handlers may run after this object died (the Supervisor and the
  // io_context outlive it): they hold a weak reference to this token and check it first.
  std::shared_ptr<Impl*> alive = std::make_shared<Impl*>(this);

  Result<void> open();
  void start_script();
  void write(std::string_view line);
  void flush();
  void wait_writable();
  bool drained();
  void drain_then_terminate(std::chrono::steady_clock::time_point deadline,
                            process::Duration grace);
  void finish_stop();
  void remove_created_fifo();
  void close();
};

Result<void> NotifyFifo::Impl::open() {
  const char* path = spec.path.c_str();
  struct stat st {};
  if (::stat(path, &st) != 0) {
    if (errno != ENOENT) {
      return fail(fmt::format("cannot stat notify FIFO {}: {}", spec.path, std::strerror(errno)));
    }
    if (::mkfifo(path, 0600) != 0 && errno != EEXIST) {
      return fail(fmt::format("cannot create notify FIFO {}: {}", spec.path, std::strerror(errno)));
    }
    created = true;
    if (spec.user || spec.group) {
      auto owner = process::resolve_credentials(spec.user, spec.group);
      if (!owner) {
        logger().warn("notify FIFO {}: {}; left owned by the daemon", spec.path,
                      owner.error().message);
      } else if (::chown(path, owner->uid.value_or(static_cast<uid_t>(-1)),
                         owner->gid.value_or(static_cast<gid_t>(-1))) != 0) {
        logger().warn("cannot give notify FIFO {} to {}: {}", spec.path, *spec.user,
                      std::strerror(errno));
      }
    }
  } else if (!S_ISFIFO(st.st_mode)) {
    return fail(fmt::format("notify FIFO {} exists and is not a FIFO", spec.path));
  }

  UniqueFd fd(::open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    remove_created_fifo();
    return fail(fmt::format("cannot open notify FIFO {}: {}", spec.path, std::strerror(err)));
  }
  if (::fstat(fd.get(), &st) == 0) {
    dev = st.st_dev;
    ino = st.st_ino;
  }
  boost::system::error_code ec;
  descriptor.assign(fd.get(), ec);
  if (ec) {
    remove_created_fifo();
    return fail(fmt::format("cannot watch notify FIFO {}: {}", spec.path, ec.message()));
  }
  static_cast<void>(fd.release());  // the stream_descriptor owns it now
  start_script();
  return {};
}

void NotifyFifo::Impl::start_script() {
  if (!script) return;
  process::Command command;
  command.argv = config::split_command(script->command);
  if (command.argv.empty()) {
    logger().error("notify FIFO {}: empty script", spec.path);
    return;
  }
  command.argv.push_back(spec.path);
  command.credentials = credentials;
  command.description = fmt::format("FIFO script of {}", spec.path);
  std::weak_ptr<Impl*> weak = alive;
  auto started = supervisor.spawn(std::move(command), [weak](const process::ExitStatus& status) {
    auto self = weak.lock();
    if (!self) return;
    Impl& impl = **self;
    impl.child.reset();
    if (!impl.stopping) {
      if (status.how == process::ExitStatus::How::SpawnFailed) {
        logger().error("FIFO script of {}: {}", impl.spec.path, status.error);
      } else if (status.how == process::ExitStatus::How::Signaled) {
        logger().warn("FIFO script of {} killed by signal {}", impl.spec.path, status.signal);
      } else {
        logger().warn("FIFO script of {} exited with {}", impl.spec.path, status.exit_code);
      }
    }
    if (impl.on_stopped) {
      impl.drain_timer.cancel();
      impl.finish_stop();
    }
  });
  if (!started) {
    logger().error("cannot start the FIFO script of {}: {}", spec.path, started.error().message);
    return;
  }
  child = *started;
}

void NotifyFifo::Impl::write(std::string_view line) {
  if (!descriptor.is_open() || stopping) {
    ++dropped;
    return;
  }
  if (pending.empty()) {
    const ssize_t n = ::write(descriptor.native_handle(), line.data(), line.size());
    if (n == static_cast<ssize_t>(line.size())) {
      ++written;
      return;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      if (!write_error_logged) {
        logger().error("cannot write to notify FIFO {}: {}", spec.path, std::strerror(errno));
        write_error_logged = true;
      }
      ++dropped;
      return;
    }
    const std::size_t done = n > 0 ? static_cast<std::size_t>(n) : 0;
    pending.emplace_back(line);
    front_offset = done;
    pending_bytes = line.size() - done;
    wait_writable();
    return;
  }
  if (pending_bytes + line.size() > max_pending_bytes) {
    ++dropped;
    return;
  }
  pending.emplace_back(line);
  pending_bytes += line.size();
}

void NotifyFifo::Impl::flush() {
  while (!pending.empty()) {
    const std::string& front = pending.front();
    const std::size_t left = front.size() - front_offset;
    const ssize_t n = ::write(descriptor.native_handle(), front.data() + front_offset, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (!write_error_logged) {
        logger().error("cannot write to notify FIFO {}: {}", spec.path, std::strerror(errno));
        write_error_logged = true;
      }
      dropped += pending.size();
      pending.clear();
      pending_bytes = 0;
      front_offset = 0;
      return;
    }
    pending_bytes -= static_cast<std::size_t>(n);
    if (static_cast<std::size_t>(n) < left) {
      front_offset += static_cast<std::size_t>(n);
      continue;
    }
    pending.pop_front();
    front_offset = 0;
    ++written;
  }
}

void NotifyFifo::Impl::wait_writable() {
  if (waiting_writable || !descriptor.is_open()) return;
  waiting_writable = true;
  std::weak_ptr<Impl*> weak = alive;
  descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                        [weak](const boost::system::error_code& ec) {
                          auto self = weak.lock();
                          if (!self) return;
                          Impl& impl = **self;
                          impl.waiting_writable = false;
                          if (ec || !impl.descriptor.is_open()) return;
                          impl.flush();
                          if (!impl.pending.empty()) impl.wait_writable();
                        });
}

bool NotifyFifo::Impl::drained() {
  if (!pending.empty()) return false;
  int unread = 0;
  if (::ioctl(descriptor.native_handle(), FIONREAD, &unread) != 0) return true;
  return unread == 0;
}

void NotifyFifo::Impl::drain_then_terminate(std::chrono::steady_clock::time_point deadline,
                                            process::Duration grace) {
  if (!child) return;  // reaped meanwhile: finish_stop() already ran
  flush();
  if (drained() || std::chrono::steady_clock::now() >= deadline) {
    if (!drained()) {
      logger().warn("FIFO script of {} did not read its last lines within {} ms; stopping it",
                    spec.path,
                    std::chrono::duration_cast<std::chrono::milliseconds>(grace).count());
    }
    supervisor.terminate(*child, grace);
    return;
  }
  drain_timer.expires_after(kDrainPoll);
  std::weak_ptr<Impl*> weak = alive;
  drain_timer.async_wait([weak, deadline, grace](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self) return;
    (**self).drain_then_terminate(deadline, grace);
  });
}

void NotifyFifo::Impl::finish_stop() {
  close();
  if (auto done = std::exchange(on_stopped, nullptr)) done();
}

void NotifyFifo::Impl::remove_created_fifo() {
  if (!created) return;
  created = false;
  struct stat st {};
  // Only our own FIFO: another one made at the same path since is not ours to remove.
  if (::stat(spec.path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode) &&
      (ino == 0 || (st.st_dev == dev && st.st_ino == ino))) {
    ::unlink(spec.path.c_str());
  }
}

void NotifyFifo::Impl::close() {
  if (!descriptor.is_open()) return;
  dropped += pending.size();
  pending.clear();
  pending_bytes = 0;
  boost::system::error_code ec;
  descriptor.close(ec);
}

NotifyFifo::NotifyFifo(boost::asio::io_context& io, process::Supervisor& supervisor,
                       config::FifoSpec fifo, std::optional<config::Script> script,
                       process::Credentials script_credentials, std::size_t max_pending_bytes)
    : impl_(std::make_unique<Impl>(io, supervisor, std::move(fifo), std::move(script),
                                   std::move(script_credentials), max_pending_bytes)) {}

NotifyFifo::~NotifyFifo() {
  if (impl_->child) impl_->supervisor.cancel(*impl_->child, process::Duration{0});
  impl_->remove_created_fifo();
  impl_->close();
}

Result<void> NotifyFifo::open() {
  if (impl_->descriptor.is_open()) return {};
  return impl_->open();
}

void NotifyFifo::write(std::string_view line) {
  impl_->write(line);
}

void NotifyFifo::stop(process::Duration grace, std::function<void()> done) {
  Impl& impl = *impl_;
  if (impl.stopping) {
    // A second stop(): chain the callbacks.
    if (!impl.on_stopped) {
      if (done) done();
      return;
    }
    impl.on_stopped = [first = std::move(impl.on_stopped), second = std::move(done)] {
      first();
      if (second) second();
    };
    return;
  }
  impl.stopping = true;
  if (impl.descriptor.is_open()) impl.flush();
  // The path goes at once, so a new FIFO of the same name can be made while this one's
  // script still reads the old pipe.
  impl.remove_created_fifo();
  if (!impl.child) {
    impl.close();
    if (done) done();
    return;
  }
  impl.on_stopped = done ? std::move(done) : [] {};
  impl.drain_then_terminate(std::chrono::steady_clock::now() + grace, grace);
}

const config::FifoSpec& NotifyFifo::spec() const {
  return impl_->spec;
}
const std::optional<config::Script>& NotifyFifo::script() const {
  return impl_->script;
}
std::optional<process::ChildId> NotifyFifo::script_id() const {
  return impl_->child;
}
std::uint64_t NotifyFifo::lines_written() const {
  return impl_->written;
}
std::uint64_t NotifyFifo::lines_dropped() const {
  return impl_->dropped;
}
std::size_t NotifyFifo::pending_bytes() const {
  return impl_->pending_bytes;
}

}  // namespace halo::notify
