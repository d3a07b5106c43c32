// A track_file: a number read from a file whenever it changes (inotify on its directory, so
// a file that is replaced by rename, deleted or created later is followed).
//
// The value is the leading integer of the file's text, read like keepalived does (strtol with
// base 0 on the first 127 bytes: leading white space skipped, "0x10" is 16, "010" is 8, text
// after the number ignored). A missing, unreadable or empty file, or text that is not a
// number, reads as 0; a number outside -2147483648..2147483648 is ignored (the value stays).
// The file is read when a writer closes it, when it is renamed or linked into place, and
// reads as 0 when it is deleted or renamed away; a writer that keeps the file open is not
// seen until it closes it (keepalived watches the same events).
//
// init_file writes the value ("N\n") at start when the file does not exist, or with
// overwrite always (a regular file only; on reload an existing file is left alone).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "config/model.h"

namespace halo::track {

class FileTracker {
 public:
  // Called once per change of value, never for a rewrite of the same value. The handler may
  // destroy the tracker.
  using ChangeHandler = std::function<void(std::int64_t value)>;

  FileTracker(boost::asio::io_context& io, config::TrackFile file, ChangeHandler changed);
  ~FileTracker();
  FileTracker(const FileTracker&) = delete;
  FileTracker& operator=(const FileTracker&) = delete;

  // Applies init_file, reads the first value (no ChangeHandler call) and starts watching.
  // Fails when inotify cannot watch the directory ("track_file 'x': cannot watch /dir: ...").
  // With `reload`, init_file's overwrite does not touch an existing file (as keepalived).
  Result<void> start(bool reload = false);

  std::int64_t value() const;
  const config::TrackFile& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The number in a track_file's text, as keepalived reads it (see above): nullopt when the
// number is out of range and must be ignored. Pure; exposed for tests.
std::optional<std::int64_t> parse_track_file_value(std::string_view text);

}  // namespace halo::track
