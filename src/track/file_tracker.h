// A track_file: a number read from a file whenever it changes (inotify on its directory, so
// a file that is replaced by rename, deleted or created later is followed).
//
// The value is the leading integer of the file's text (keepalived reads it with strtol); a
// missing or unreadable file, or text that is not a number, reads as 0 (as keepalived does;
// see the .cc for the exact cases). init_file writes the value at start when the file does not
// exist, or always with overwrite.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "common/result.h"
#include "config/model.h"

namespace halo::track {

class FileTracker {
 public:
  using ChangeHandler = std::function<void(std::int64_t value)>;

  FileTracker(boost::asio::io_context& io, config::TrackFile file, ChangeHandler changed);
  ~FileTracker();
  FileTracker(const FileTracker&) = delete;
  FileTracker& operator=(const FileTracker&) = delete;

  // Applies init_file, reads the first value (no ChangeHandler call) and starts watching.
  // Fails when inotify cannot watch the directory ("track_file 'x': cannot watch /dir: ...").
  Result<void> start();

  std::int64_t value() const;
  const config::TrackFile& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace halo::track
