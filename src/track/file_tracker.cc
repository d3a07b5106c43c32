// track_file: a number in a file, followed with inotify.
//
// The watch is on the file's directory, not on the file: editors and deploy tools replace
// files by rename, operators delete and recreate them, and a watch on the inode would follow
// the old file or die with it. Events are filtered by name. keepalived (track_file.c) reacts
// to IN_CLOSE_WRITE, IN_MOVED_TO, IN_MOVED_FROM and IN_DELETE; halo adds IN_CREATE so that a
// file linked into place (ln, which closes nothing) is seen too. IN_MODIFY is not watched:
// `echo 5 > file` truncates before it writes, and reading on every modification would see the
// empty file and report a 0 that never was (keepalived does not react to it either).
//
// The events of one read() are taken as a batch and the file is read once after it: the file
// then holds the final word, a delete followed by a re-creation within the batch causes no
// flap, and a missing file reads 0 exactly as keepalived's IN_DELETE/IN_MOVED_FROM rule says.
// The handler is called only when the value differs from the last one.
//
// The value: strtol(text, nullptr, 0) on the first 127 bytes, as keepalived reads it. A number
// that overflows or lies outside -2^31..2^31 is logged and ignored (keepalived 2.2's rule);
// anything else that is not a number reads 0. The path is resolved once at start (realpath of
// the file, or of its directory when the file does not exist yet), as keepalived does, so a
// symlink is followed to its target's directory.
//
// Lifetime: as in net/link_monitor, completions hold a weak token owned by the tracker, and
// the handler is copied before it runs, so a handler may destroy the tracker.
#include "track/file_tracker.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "common/errno_text.h"
#include "common/log.h"
#include "common/unique_fd.h"

namespace halo::track {
namespace {

constexpr std::size_t kReadMax = 127;  // keepalived reads at most this many bytes
constexpr int kMaxReadsPerWakeup = 16;
constexpr std::uint32_t kWatchMask =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR;

spdlog::logger& logger() {
  return log::get("track");
}

// realpath() of an existing path, or nullopt.
std::optional<std::string> real_path(const std::string& path) {
  std::array<char, PATH_MAX> buffer{};
  if (::realpath(path.c_str(), buffer.data()) == nullptr) return std::nullopt;
  return std::string(buffer.data());
}

struct Location {
  std::string path;       // as read
  std::string directory;  // as watched
  std::string name;       // the events' name
};

Location locate(const std::string& configured) {
  Location out;
  if (auto resolved = real_path(configured)) {
    out.path = *resolved;
  } else {
    const auto slash = configured.rfind('/');
    std::string dir = slash == std::string::npos ? "." : configured.substr(0, slash);
    if (dir.empty()) dir = "/";
    const std::string name = slash == std::string::npos ? configured : configured.substr(slash + 1);
    std::string real_dir = real_path(dir).value_or(dir);
    out.path = (real_dir == "/" ? "" : real_dir) + "/" + name;
  }
  const auto slash = out.path.rfind('/');
  out.directory = slash == 0 ? "/" : out.path.substr(0, slash);
  out.name = out.path.substr(slash + 1);
  return out;
}

}  // namespace

std::optional<std::int64_t> parse_track_file_value(std::string_view text) {
  std::array<char, kReadMax + 1> buffer{};
  const std::size_t n = std::min(text.size(), kReadMax);
  std::memcpy(buffer.data(), text.data(), n);
  errno = 0;
  const long long value = std::strtoll(buffer.data(), nullptr, 0);
  if (errno != 0) return std::nullopt;
  constexpr long long kMin = INT32_MIN;
  constexpr long long kMax = static_cast<long long>(INT32_MAX) + 1;
  if (value < kMin || value > kMax) return std::nullopt;
  return value;
}

struct FileTracker::Impl {
  Impl(boost::asio::io_context& io, config::TrackFile file, ChangeHandler changed)
      : config(std::move(file)),
        handler(std::make_shared<ChangeHandler>(std::move(changed))),
        descriptor(io) {}

  void apply_init_file(bool reload) const;
  // The file's value now: nullopt when it holds a number to ignore.
  std::optional<std::int64_t> read_value() const;
  void arm();
  void on_readable();

  config::TrackFile config;
  std::shared_ptr<ChangeHandler> handler;  // shared: outlives the tracker while it runs
  boost::asio::posix::stream_descriptor descriptor;
  Location location;
  std::int64_t value = 0;
  bool started = false;
  // The only owner; completions hold weak_ptrs to learn that the tracker is gone.
  std::shared_ptr<char> alive = std::make_shared<char>();
};

void FileTracker::Impl::apply_init_file(bool reload) const {
  if (!config.init_file) return;
  struct stat st {};
  if (::stat(config.file.c_str(), &st) == 0) {
    if (!config.init_file->overwrite || reload) return;
    if (!S_ISREG(st.st_mode)) {
      logger().warn("track_file '{}': cannot initialise {}: not a regular file", config.name,
                    config.file);
      return;
    }
  }
  UniqueFd fd(
      ::open(config.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) {
    logger().warn("track_file '{}': cannot initialise {}: {}", config.name, config.file,
                  errno_text(errno));
    return;
  }
  const std::string text = std::to_string(config.init_file->value) + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    logger().warn("track_file '{}': cannot initialise {}: {}", config.name, config.file,
                  errno_text(errno));
  }
}

std::optional<std::int64_t> FileTracker::Impl::read_value() const {
  // O_NONBLOCK: a FIFO at the path must not block the loop.
  UniqueFd fd(::open(location.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return 0;
  std::array<char, kReadMax> buffer{};
  const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
  if (n <= 0) return 0;
  const std::string_view text(buffer.data(), static_cast<std::size_t>(n));
  auto parsed = parse_track_file_value(text);
  if (!parsed) {
    logger().warn("track_file '{}': invalid number in {} - ignored", config.name, location.path);
  }
  return parsed;
}

void FileTracker::Impl::arm() {
  descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                        [this, token = std::weak_ptr<char>(alive)](boost::system::error_code ec) {
                          if (token.expired() || ec) return;  // gone, or closed
                          on_readable();
                        });
}

void FileTracker::Impl::on_readable() {
  alignas(inotify_event) std::array<char, 16 * (sizeof(inotify_event) + NAME_MAX + 1)> buffer;
  bool relevant = false;
  // A bounded number of reads per wake-up: a directory flooded with events cannot hold the
  // loop; whatever is left wakes the next wait at once.
  for (int reads = 0; reads < kMaxReadsPerWakeup; ++reads) {
    const ssize_t n = ::read(descriptor.native_handle(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) {
        logger().warn("track_file '{}': reading inotify events: {}", config.name,
                      errno_text(errno));
      }
      break;
    }
    for (std::size_t at = 0; at + sizeof(inotify_event) <= static_cast<std::size_t>(n);) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + at);
      at += sizeof(inotify_event) + event->len;
      if (event->mask & IN_Q_OVERFLOW) {
        relevant = true;  // events were lost: the file itself tells the truth
      } else if (event->mask & IN_IGNORED) {
        logger().warn("track_file '{}': directory {} is gone; no longer watching {}", config.name,
                      location.directory, location.path);
        relevant = true;
      } else if (!(event->mask & IN_ISDIR) && event->len > 0 &&
                 std::string_view(event->name) == location.name) {
        relevant = true;
      }
    }
  }
  if (relevant) {
    if (auto now = read_value(); now && *now != value) {
      value = *now;
      const std::shared_ptr<ChangeHandler> keep = handler;
      const std::weak_ptr<char> token = alive;
      if (*keep) (*keep)(value);
      if (token.expired()) return;  // the handler destroyed the tracker
    }
  }
  arm();
}

FileTracker::FileTracker(boost::asio::io_context& io, config::TrackFile file, ChangeHandler changed)
    : impl_(std::make_unique<Impl>(io, std::move(file), std::move(changed))) {}

FileTracker::~FileTracker() {
  if (impl_) {
    boost::system::error_code ignored;
    impl_->descriptor.close(ignored);
  }
}

Result<void> FileTracker::start(bool reload) {
  Impl& d = *impl_;
  if (d.started) return {};
  const auto& name = d.config.name;
  if (d.config.file.empty()) return fail("track_file '" + name + "': no file configured");
  d.apply_init_file(reload);
  d.location = locate(d.config.file);

  UniqueFd fd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!fd) return fail("track_file '" + name + "': cannot use inotify: " + errno_text(errno));
  // Watch before the first read, so that no change between the two goes unseen.
  if (::inotify_add_watch(fd.get(), d.location.directory.c_str(), kWatchMask) < 0) {
    return fail("track_file '" + name + "': cannot watch " + d.location.directory + ": " +
                errno_text(errno));
  }
  boost::system::error_code ec;
  d.descriptor.assign(fd.get(), ec);
  if (ec) return fail("track_file '" + name + "': cannot watch inotify: " + ec.message());
  static_cast<void>(fd.release());  // the stream_descriptor owns it now

  d.value = d.read_value().value_or(0);
  d.started = true;
  d.arm();
  return {};
}

std::int64_t FileTracker::value() const {
  return impl_->value;
}

const config::TrackFile& FileTracker::config() const {
  return impl_->config;
}

}  // namespace halo::track
