// The child-process supervisor: fork + execve, a pidfd per child on the event loop, timeouts
// with SIGTERM then SIGKILL, and reaping with waitid(P_PIDFD).
//
// Starting a child. Everything the child needs (argv, envp, the PATH candidates for a bare
// program name, the shell fallback for a script without a "#!" line) is built before fork, so
// the child only makes async-signal-safe calls: it resets every signal disposition to the
// default and unblocks every signal, starts its own session (setsid: it leads a new process
// group, so a signal sent to the group also reaches what a shell script started, and it has no
// controlling terminal), puts /dev/null on stdin, closes every descriptor above 2
// (close_range), drops its credentials (setgroups, setgid, setuid) and execs. The parent
// blocks all signals around fork(), so no signal arriving between fork and the reset can run
// one of the daemon's handlers inside the child (an Asio signal handler there would write to
// the pipe it shares with the daemon and make the daemon believe it got the signal).
//
// A failure in the child (exec, credentials) travels back through a pipe whose write end is
// close-on-exec: the child writes which step failed and the errno, then exits 127. The parent
// reads the pipe only after the child has exited (the pidfd said so), so it never blocks:
// eight bytes mean SpawnFailed, end-of-file means the exec happened.
//
// Watching it. pidfd_open() right after fork: nothing else in halo reaps children (no
// waitpid(-1), no SIGCHLD handler), so the pid cannot be reused in between. The pidfd becomes
// readable when the child exits; waitid(P_PIDFD, WEXITED) then reaps it and gives its status.
// SIGCHLD is left at its default disposition on purpose: with SIG_IGN the kernel would reap
// children itself and waitid would fail with ECHILD, losing the exit status; and no handler is
// needed because the pidfd is the notification.
//
// Stopping it. Signals go to the leader through its pidfd (exact even before setsid ran) and
// to its process group (kill(-pid)). A timeout or terminate() sends SIGTERM and arms SIGKILL
// after the grace; once a child we signalled has exited, the rest of its group gets SIGKILL,
// as keepalived does, so a shell's children do not outlive a killed script. The group id
// cannot name an unrelated process: the kernel does not reuse a pid while a group still uses
// it as its id. A child that exits on its own leaves its group alone (a notify script may
// start a daemon in the background on purpose).
//
// Every descriptor the parent holds (pidfd, pipe, /dev/null) is close-on-exec. Asio handlers
// hold a weak_ptr to their child, so a completion that was already queued when the child was
// reaped or the supervisor destroyed finds nothing and returns.
#include "process/supervisor.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <string_view>
#include <utility>

// glibc 2.36's <sys/pidfd.h> lacks the extern "C" wrapper (fixed in 2.37).
extern "C" {
#include <sys/pidfd.h>
}

#include "common/errno_text.h"
#include "common/log.h"
#include "common/unique_fd.h"

extern char** environ;  // NOLINT: POSIX

namespace halo::process {
namespace {

spdlog::logger& logger() {
  return log::get("process");
}

// What failed in the child, sent through the error pipe.
enum class Stage : int { Exec, Stdin, Setgroups, Setgid, Setuid };

struct ChildError {
  int stage = 0;
  int error = 0;
};

// Everything the child reads, built before fork.
struct Prepared {
  std::vector<std::string> candidates;  // paths to try, in order (one when argv[0] has a '/')
  std::vector<std::string> environment;
  std::vector<char*> argv;
  std::vector<char*> shell_argv;  // "/bin/sh", <candidate>, argv[1..]: for ENOEXEC
  std::vector<char*> envp;
  std::vector<const char*> candidate_ptrs;
  std::vector<gid_t> groups;
  bool set_groups = false;
  std::optional<gid_t> gid;
  std::optional<uid_t> uid;
};

std::string_view name_of(std::string_view entry) {
  return entry.substr(0, entry.find('='));
}

std::string search_path() {
  if (const char* path = std::getenv("PATH")) return path;
  const std::size_t size = confstr(_CS_PATH, nullptr, 0);
  std::string path(size, '\0');
  if (size > 0) {
    confstr(_CS_PATH, path.data(), size);
    path.resize(size - 1);
  }
  return path;
}

std::vector<std::string> candidates_for(const std::string& program) {
  if (program.find('/') != std::string::npos) return {program};
  std::vector<std::string> out;
  const std::string path = search_path();
  std::size_t start = 0;
  while (true) {
    const std::size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? end : end - start);
    if (dir.empty()) dir = ".";  // an empty PATH entry is the current directory
    dir += '/';
    dir += program;
    out.push_back(std::move(dir));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

void prepare(Command& command, Prepared& p) {
  p.candidates = candidates_for(command.argv.front());

  // The daemon's environment, with the command's entries (and, for another user, HOME,
  // USER and LOGNAME) replacing the ones of the same name.
  std::vector<std::string> extra = command.environment;
  const Credentials& c = command.credentials;
  if (c.uid) {
    if (!c.user.empty()) {
      extra.push_back("USER=" + c.user);
      extra.push_back("LOGNAME=" + c.user);
    }
    if (!c.home.empty()) extra.push_back("HOME=" + c.home);
  }
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    bool replaced = false;
    for (const auto& x : extra) {
      if (name_of(x) == name_of(entry)) {
        replaced = true;
        break;
      }
    }
    if (!replaced) p.environment.emplace_back(entry);
  }
  for (auto& x : extra) p.environment.push_back(std::move(x));

  for (auto& a : command.argv) p.argv.push_back(a.data());
  p.argv.push_back(nullptr);
  static char shell[] = "/bin/sh";
  p.shell_argv.push_back(shell);
  p.shell_argv.push_back(nullptr);  // the candidate, filled in by the child
  for (std::size_t i = 1; i < command.argv.size(); ++i)
    p.shell_argv.push_back(command.argv[i].data());
  p.shell_argv.push_back(nullptr);
  for (auto& e : p.environment) p.envp.push_back(e.data());
  p.envp.push_back(nullptr);
  for (const auto& cand : p.candidates) p.candidate_ptrs.push_back(cand.c_str());

  p.uid = c.uid;
  p.gid = c.gid;
  if (c.uid) {
    p.set_groups = true;
    p.groups = c.supplementary;
    if (c.gid && p.groups.empty()) p.groups.push_back(*c.gid);
  } else if (c.gid) {
    p.set_groups = true;  // a changed group alone drops the daemon's supplementary groups
    p.groups.push_back(*c.gid);
  }
}

[[noreturn]] void child_fail(int fd, Stage stage, int error) {
  const ChildError report{static_cast<int>(stage), error};
  [[maybe_unused]] const ssize_t n = ::write(fd, &report, sizeof report);
  ::_exit(127);
}

void close_from(unsigned first, unsigned last) {
  if (first > last) return;
  if (::close_range(first, last, 0) == 0) return;
  // Kernels before 5.9: close one by one up to the descriptor limit.
  rlimit limit{};
  unsigned top = 65536;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    top = static_cast<unsigned>(limit.rlim_cur);
  }
  for (unsigned fd = first; fd <= last && fd < top; ++fd) ::close(static_cast<int>(fd));
}

// Runs in the child after fork: async-signal-safe calls only.
[[noreturn]] void run_child(Prepared& p, int error_fd, int devnull) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  ::setsid();

  if (error_fd < 3) error_fd = ::fcntl(error_fd, F_DUPFD_CLOEXEC, 3);
  if (devnull == STDIN_FILENO) {
    ::fcntl(devnull, F_SETFD, 0);
  } else if (devnull >= 0 && ::dup2(devnull, STDIN_FILENO) < 0) {
    child_fail(error_fd, Stage::Stdin, errno);
  }
  close_from(3, static_cast<unsigned>(error_fd) - 1);
  close_from(static_cast<unsigned>(error_fd) + 1, ~0U);

  if (p.set_groups && ::setgroups(p.groups.size(), p.groups.data()) < 0) {
    child_fail(error_fd, Stage::Setgroups, errno);
  }
  if (p.gid && ::setgid(*p.gid) < 0) child_fail(error_fd, Stage::Setgid, errno);
  if (p.uid && ::setuid(*p.uid) < 0) child_fail(error_fd, Stage::Setuid, errno);

  // Like execvp: try each PATH candidate; EACCES is remembered, a missing file moves on, any
  // other error stops the search. A file the kernel cannot execute (no "#!") runs under sh.
  int error = ENOENT;
  bool denied = false;
  for (const char* path : p.candidate_ptrs) {
    ::execve(path, p.argv.data(), p.envp.data());
    if (errno == ENOEXEC) {
      p.shell_argv[1] = const_cast<char*>(path);
      ::execve(p.shell_argv[0], p.shell_argv.data(), p.envp.data());
    }
    error = errno;
    if (error == EACCES) {
      denied = true;
    } else if (error != ENOENT && error != ENOTDIR && error != ESTALE && error != ENODEV &&
               error != ETIMEDOUT) {
      break;
    }
  }
  if (denied && (error == ENOENT || error == ENOTDIR)) error = EACCES;
  child_fail(error_fd, Stage::Exec, error);
}

std::string spawn_error(const Command& command, const ChildError& report) {
  const std::string& program = command.argv.front();
  const std::string why = errno_text(report.error);
  const Credentials& c = command.credentials;
  const std::string who = c.user.empty() ? "" : " (" + c.user + ")";
  switch (static_cast<Stage>(report.stage)) {
    case Stage::Exec:
      return "cannot exec " + program + ": " + why;
    case Stage::Stdin:
      return "cannot put /dev/null on stdin of " + program + ": " + why;
    case Stage::Setgroups:
      return "cannot set the groups of " + program + who + ": " + why;
    case Stage::Setgid:
      return "cannot set gid " + std::to_string(c.gid.value_or(0)) + " for " + program + ": " + why;
    case Stage::Setuid:
      return "cannot set uid " + std::to_string(c.uid.value_or(0)) + who + " for " + program +
             ": " + why;
  }
  return "cannot start " + program + ": " + why;
}

}  // namespace

struct Supervisor::Impl {
  struct Child {
    explicit Child(boost::asio::io_context& io) : pidfd(io), timer(io) {}

    Impl* owner = nullptr;
    ChildId id = 0;
    pid_t pid = -1;
    Command command;
    ExitHandler on_exit;
    boost::asio::posix::stream_descriptor pidfd;
    UniqueFd error_pipe;              // read end; the child's write end closes at exec
    boost::asio::steady_timer timer;  // the timeout, then the SIGKILL deadline
    std::uint64_t timer_generation = 0;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point kill_at;
    bool term_sent = false;
    bool kill_sent = false;
    bool timed_out = false;
    bool terminated = false;
  };

  explicit Impl(boost::asio::io_context& context) : io(context) {}

  boost::asio::io_context& io;
  UniqueFd devnull;
  std::map<ChildId, std::shared_ptr<Child>> children;
  ChildId next_id = 1;
  std::uint64_t started = 0;
  std::uint64_t timeouts = 0;
  std::function<void()> shutdown_done;
  bool* destroyed = nullptr;  // set while a handler runs that might destroy the supervisor

  Child* find(ChildId id) {
    const auto it = children.find(id);
    return it == children.end() ? nullptr : it->second.get();
  }

  static void signal_group(Child& child, int sig) {
    // The leader exactly (it may not have called setsid yet), then its whole group.
    ::pidfd_send_signal(child.pidfd.native_handle(), sig, nullptr, 0);
    ::kill(-child.pid, sig);
  }

  void wait_exit(const std::shared_ptr<Child>& child) {
    child->pidfd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                            [weak = std::weak_ptr<Child>(child)](const boost::system::error_code&) {
                              if (auto self = weak.lock()) self->owner->on_readable(self);
                            });
  }

  void arm_timer(const std::shared_ptr<Child>& child, std::chrono::steady_clock::time_point at) {
    const std::uint64_t generation = ++child->timer_generation;
    child->timer.expires_at(at);
    child->timer.async_wait(
        [weak = std::weak_ptr<Child>(child), generation](const boost::system::error_code& ec) {
          auto self = weak.lock();
          if (!self || ec || self->timer_generation != generation) return;
          self->owner->on_timer(self);
        });
  }

  void on_timer(const std::shared_ptr<Child>& child) {
    if (!child->term_sent) {
      child->timed_out = true;
      ++timeouts;
      logger().warn("{} (pid {}) timed out, sending SIGTERM", describe(*child), child->pid);
      send_term(child, child->command.kill_grace);
    } else if (!child->kill_sent) {
      logger().warn("{} (pid {}) still runs after SIGTERM, sending SIGKILL", describe(*child),
                    child->pid);
      child->kill_sent = true;
      signal_group(*child, SIGKILL);
    }
  }

  void send_term(const std::shared_ptr<Child>& child, Duration grace) {
    if (child->kill_sent) return;
    const auto at = std::chrono::steady_clock::now() + grace;
    if (!child->term_sent) {
      child->term_sent = true;
      signal_group(*child, SIGTERM);
      child->kill_at = at;
      arm_timer(child, at);
    } else if (at < child->kill_at) {
      child->kill_at = at;
      arm_timer(child, at);
    }
  }

  static std::string describe(const Child& child) {
    return child.command.description.empty() ? child.command.argv.front()
                                             : child.command.description;
  }

  void on_readable(const std::shared_ptr<Child>& child) {
    siginfo_t info{};
    int rc;
    do {
      rc = ::waitid(P_PIDFD, static_cast<id_t>(child->pidfd.native_handle()), &info,
                    WEXITED | WNOHANG);
    } while (rc < 0 && errno == EINTR);
    ExitStatus status;
    if (rc == 0 && info.si_pid == 0) return wait_exit(child);  // not exited after all
    if (rc < 0) {
      // Someone else reaped it (a waitpid(-1) elsewhere): the status is lost.
      status.how = ExitStatus::How::Signaled;
      status.error = "cannot reap pid " + std::to_string(child->pid) + ": " + errno_text(errno);
      logger().error("{}: {}", describe(*child), status.error);
    } else if (info.si_code == CLD_EXITED) {
      status.how = ExitStatus::How::Exited;
      status.exit_code = info.si_status;
    } else {
      status.how = ExitStatus::How::Signaled;
      status.signal = info.si_status;
    }
    ChildError report;
    if (::read(child->error_pipe.get(), &report, sizeof report) ==
        static_cast<ssize_t>(sizeof report)) {
      status.how = ExitStatus::How::SpawnFailed;
      status.exit_code = 127;
      status.signal = 0;
      status.error = spawn_error(child->command, report);
      logger().warn("{}: {}", describe(*child), status.error);
    }
    // What a signalled script left in its group goes with it.
    if (child->term_sent) ::kill(-child->pid, SIGKILL);
    status.timed_out = child->timed_out;
    status.terminated = child->terminated;
    status.runtime = std::chrono::steady_clock::now() - child->started;

    ExitHandler handler = std::move(child->on_exit);
    children.erase(child->id);  // `child` (our reference) keeps it alive until we return

    bool gone = false;
    destroyed = &gone;
    if (handler) handler(status);
    if (gone) return;
    destroyed = nullptr;
    if (shutdown_done && children.empty()) std::exchange(shutdown_done, nullptr)();
  }

  // The destructor's way: SIGKILL and a blocking reap, no handlers.
  void kill_and_reap(Child& child) {
    signal_group(child, SIGKILL);
    // Asio made the pidfd non-blocking, and waitid on a non-blocking pidfd says EAGAIN
    // instead of waiting.
    const int fd = child.pidfd.native_handle();
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    siginfo_t info{};
    while (::waitid(P_PIDFD, static_cast<id_t>(child.pidfd.native_handle()), &info, WEXITED) < 0 &&
           errno == EINTR) {
    }
  }
};

Supervisor::Supervisor(boost::asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {
  impl_->devnull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!impl_->devnull) {
    logger().error("cannot open /dev/null: {}; children get a closed stdin", errno_text(errno));
  }
}

Supervisor::~Supervisor() {
  if (impl_->destroyed != nullptr) *impl_->destroyed = true;
  for (auto& [id, child] : impl_->children) {
    child->owner->kill_and_reap(*child);
  }
  impl_->children.clear();
}

Result<ChildId> Supervisor::spawn(Command command, ExitHandler on_exit) {
  if (command.argv.empty() || command.argv.front().empty()) {
    return fail("cannot start " +
                (command.description.empty() ? std::string("a child") : command.description) +
                ": empty command");
  }
  Prepared prepared;
  prepare(command, prepared);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) {
    return fail("cannot start " + command.argv.front() + ": pipe: " + errno_text(errno));
  }
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);

  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = ::fork();
  if (pid == 0) run_child(prepared, write_end.get(), impl_->devnull.get());
  const int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  write_end.reset();
  if (pid < 0) {
    return fail("cannot fork for " + command.argv.front() + ": " + errno_text(fork_error));
  }

  UniqueFd pidfd(::pidfd_open(pid, 0));  // always close-on-exec
  if (!pidfd) {
    const int error = errno;
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return fail("cannot watch pid " + std::to_string(pid) + " (" + command.argv.front() +
                "): pidfd_open: " + errno_text(error));
  }

  auto child = std::make_shared<Impl::Child>(impl_->io);
  child->owner = impl_.get();
  child->id = impl_->next_id++;
  child->pid = pid;
  child->started = std::chrono::steady_clock::now();
  child->error_pipe = std::move(read_end);
  boost::system::error_code ec;
  child->pidfd.assign(pidfd.get(), ec);
  if (ec) {  // the descriptor is still ours: kill and reap through it
    ::pidfd_send_signal(pidfd.get(), SIGKILL, nullptr, 0);
    siginfo_t info{};
    while (::waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &info, WEXITED) < 0 &&
           errno == EINTR) {
    }
    return fail("cannot watch pid " + std::to_string(pid) + ": " + ec.message());
  }
  static_cast<void>(pidfd.release());  // the stream_descriptor owns it now
  child->command = std::move(command);
  child->on_exit = std::move(on_exit);
  ++impl_->started;
  impl_->children.emplace(child->id, child);
  logger().debug("started {} (pid {})", Impl::describe(*child), pid);

  impl_->wait_exit(child);
  if (child->command.timeout > Duration::zero()) {
    impl_->arm_timer(child, child->started + child->command.timeout);
  }
  return child->id;
}

void Supervisor::terminate(ChildId id, Duration grace) {
  const auto it = impl_->children.find(id);
  if (it == impl_->children.end()) return;
  it->second->terminated = true;
  impl_->send_term(it->second, grace);
}

void Supervisor::cancel(ChildId id, Duration grace) {
  const auto it = impl_->children.find(id);
  if (it == impl_->children.end()) return;
  it->second->on_exit = nullptr;
  it->second->terminated = true;
  impl_->send_term(it->second, grace);
}

void Supervisor::shutdown(Duration grace, std::function<void()> done) {
  if (impl_->children.empty()) {
    if (done) done();
    return;
  }
  impl_->shutdown_done = std::move(done);
  for (auto& [id, child] : impl_->children) {
    child->terminated = true;
    impl_->send_term(child, grace);
  }
}

std::size_t Supervisor::running() const {
  return impl_->children.size();
}
std::uint64_t Supervisor::started() const {
  return impl_->started;
}
std::uint64_t Supervisor::timed_out() const {
  return impl_->timeouts;
}

std::optional<pid_t> Supervisor::pid_of(ChildId id) const {
  if (const auto* child = impl_->find(id)) return child->pid;
  return std::nullopt;
}

}  // namespace halo::process
