// track_file with real files in a temporary directory: writes, renames over, deletes,
// re-creation, links, garbage text, negative numbers and init_file, with the io_context
// polled against a deadline. The handler must run exactly once per change of value.
#include "track/file_tracker.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_loop.h"

namespace halo::track {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// --- The value as keepalived reads it ----------------------------------------------------

struct ParseRow {
  const char* text;
  std::optional<std::int64_t> expected;
};

class ParseTrackFileValue : public ::testing::TestWithParam<ParseRow> {};

TEST_P(ParseTrackFileValue, AsStrtolBase0) {
  EXPECT_EQ(parse_track_file_value(GetParam().text), GetParam().expected)
      << "text: '" << GetParam().text << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Texts, ParseTrackFileValue,
    ::testing::Values(ParseRow{"42\n", 42}, ParseRow{"0", 0}, ParseRow{"-7\n", -7},
                      ParseRow{"  \t\n 12 trailing words", 12}, ParseRow{"+5", 5},
                      ParseRow{"12abc", 12}, ParseRow{"abc", 0}, ParseRow{"", 0}, ParseRow{"\n", 0},
                      ParseRow{"0x10", 16}, ParseRow{"010", 8},
                      ParseRow{"-2147483648", -2147483648LL}, ParseRow{"2147483648", 2147483648LL},
                      // Outside -2^31..2^31 (or overflowing strtol): ignored, as keepalived 2.2.
                      ParseRow{"2147483649", std::nullopt}, ParseRow{"-2147483649", std::nullopt},
                      ParseRow{"99999999999999999999999", std::nullopt}));

TEST(ParseTrackFileValue, ReadsOnlyTheFirst127Bytes) {
  std::string text(126, ' ');
  text += "45";  // keepalived reads 127 bytes: "4"
  EXPECT_EQ(parse_track_file_value(text), 4);
}

// --- The tracker on real files ------------------------------------------------------------

class FileTrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "halo-file-tracker-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ / "prio";
  }
  void TearDown() override {
    tracker_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  static void write(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
  }

  config::TrackFile track_file() const {
    config::TrackFile tf;
    tf.name = "tf";
    tf.file = path_.string();
    return tf;
  }

  void make_tracker(config::TrackFile tf) {
    tracker_ = std::make_unique<FileTracker>(io_, std::move(tf),
                                             [this](std::int64_t v) { seen_.push_back(v); });
  }
  void start(config::TrackFile tf) {
    make_tracker(std::move(tf));
    auto started = tracker_->start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
  }

  bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = 3s) {
    return testing::run_until(io_, done, deadline);
  }
  // Runs the loop for a while, for events that must not cause a call.
  void settle(std::chrono::milliseconds time = 100ms) { testing::run_for(io_, time); }
  // Waits for exactly `expected` calls in total, then checks that no more come.
  void expect_calls(const std::vector<std::int64_t>& expected) {
    EXPECT_TRUE(poll_until([&] { return seen_.size() >= expected.size(); }));
    settle();
    EXPECT_EQ(seen_, expected);
  }

  boost::asio::io_context io_;
  fs::path dir_;
  fs::path path_;
  std::unique_ptr<FileTracker> tracker_;
  std::vector<std::int64_t> seen_;
};

TEST_F(FileTrackerTest, FirstValueIsReadWithoutACall) {
  write(path_, "42\n");
  start(track_file());
  EXPECT_EQ(tracker_->value(), 42);
  settle();
  EXPECT_TRUE(seen_.empty());
}

TEST_F(FileTrackerTest, MissingFileReadsZeroUntilCreated) {
  start(track_file());
  EXPECT_EQ(tracker_->value(), 0);
  write(path_, "7\n");
  expect_calls({7});
  EXPECT_EQ(tracker_->value(), 7);
}

TEST_F(FileTrackerTest, OneCallPerChangeNoneForTheSameValue) {
  write(path_, "1\n");
  start(track_file());
  write(path_, "5\n");
  expect_calls({5});
  write(path_, "5\n");  // rewritten, same value
  write(path_, "5");    // same number, other text
  settle();
  EXPECT_EQ(seen_, (std::vector<std::int64_t>{5}));
  write(path_, "6\n");
  expect_calls({5, 6});
}

TEST_F(FileTrackerTest, RenameOverIsFollowed) {
  write(path_, "1\n");
  start(track_file());
  write(dir_ / "prio.tmp", "9\n");
  fs::rename(dir_ / "prio.tmp", path_);
  expect_calls({9});
  // And again: the watch is on the directory, so the new inode is followed too.
  write(dir_ / "prio.tmp", "10\n");
  fs::rename(dir_ / "prio.tmp", path_);
  expect_calls({9, 10});
}

TEST_F(FileTrackerTest, DeleteReadsZeroAndRecreateIsFollowed) {
  write(path_, "3\n");
  start(track_file());
  fs::remove(path_);
  expect_calls({0});
  write(path_, "4\n");
  expect_calls({0, 4});
}

TEST_F(FileTrackerTest, RenameAwayReadsZero) {
  write(path_, "3\n");
  start(track_file());
  fs::rename(path_, dir_ / "elsewhere");
  expect_calls({0});
}

TEST_F(FileTrackerTest, LinkIntoPlaceIsFollowed) {
  start(track_file());
  write(dir_ / "staged", "12\n");
  settle();  // the staged file's own events are not ours
  ASSERT_EQ(::link((dir_ / "staged").c_str(), path_.c_str()), 0);
  expect_calls({12});
}

TEST_F(FileTrackerTest, OtherFilesInTheDirectoryAreIgnored) {
  write(path_, "2\n");
  start(track_file());
  write(dir_ / "prio2", "100\n");
  write(dir_ / "pri", "100\n");
  fs::remove(dir_ / "prio2");
  fs::create_directory(dir_ / "sub");
  settle();
  EXPECT_TRUE(seen_.empty());
}

TEST_F(FileTrackerTest, GarbageAndNegativeNumbers) {
  write(path_, "8\n");
  start(track_file());
  write(path_, "garbage\n");
  expect_calls({0});
  write(path_, "-20\n");
  expect_calls({0, -20});
  write(path_, "  -30 and words\n");
  expect_calls({0, -20, -30});
  write(path_, "");
  expect_calls({0, -20, -30, 0});
  write(path_, "0x20");
  expect_calls({0, -20, -30, 0, 32});
}

TEST_F(FileTrackerTest, OutOfRangeNumberIsIgnored) {
  write(path_, "8\n");
  start(track_file());
  write(path_, "99999999999\n");
  settle();
  EXPECT_TRUE(seen_.empty());
  EXPECT_EQ(tracker_->value(), 8);
  write(path_, "9\n");
  expect_calls({9});
}

TEST_F(FileTrackerTest, InitFileCreatesAMissingFile) {
  auto tf = track_file();
  tf.init_file = config::TrackFile::Init{5, false};
  start(tf);
  EXPECT_EQ(tracker_->value(), 5);
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "5\n");
}

TEST_F(FileTrackerTest, InitFileDefaultsToZero) {
  auto tf = track_file();
  tf.init_file = config::TrackFile::Init{};
  start(tf);
  EXPECT_TRUE(fs::exists(path_));
  EXPECT_EQ(tracker_->value(), 0);
}

TEST_F(FileTrackerTest, InitFileLeavesAnExistingFileWithoutOverwrite) {
  write(path_, "17\n");
  auto tf = track_file();
  tf.init_file = config::TrackFile::Init{5, false};
  start(tf);
  EXPECT_EQ(tracker_->value(), 17);
}

TEST_F(FileTrackerTest, InitFileOverwriteReplacesAnExistingFile) {
  write(path_, "17\n");
  auto tf = track_file();
  tf.init_file = config::TrackFile::Init{-5, true};
  start(tf);
  EXPECT_EQ(tracker_->value(), -5);
  settle();
  EXPECT_TRUE(seen_.empty());  // written before the watch: the first value, not a change
}

TEST_F(FileTrackerTest, InitFileOverwriteLeavesTheFileOnReload) {
  write(path_, "17\n");
  auto tf = track_file();
  tf.init_file = config::TrackFile::Init{-5, true};
  make_tracker(tf);
  ASSERT_TRUE(tracker_->start(/*reload=*/true).has_value());
  EXPECT_EQ(tracker_->value(), 17);
}

TEST_F(FileTrackerTest, MissingDirectoryFailsToStart) {
  auto tf = track_file();
  tf.file = (dir_ / "no-such-dir" / "prio").string();
  make_tracker(tf);
  auto started = tracker_->start();
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message.find("track_file 'tf': cannot watch"), std::string::npos)
      << started.error().message;
  EXPECT_NE(started.error().message.find("No such file or directory"), std::string::npos)
      << started.error().message;
}

TEST_F(FileTrackerTest, RelativePathInTheWorkingDirectory) {
  const auto cwd = fs::current_path();
  fs::current_path(dir_);
  auto tf = track_file();
  tf.file = "prio";
  start(tf);
  fs::current_path(cwd);
  write(path_, "3\n");
  expect_calls({3});
}

TEST_F(FileTrackerTest, HandlerMayDestroyTheTracker) {
  write(path_, "1\n");
  tracker_ = std::make_unique<FileTracker>(io_, track_file(), [this](std::int64_t v) {
    seen_.push_back(v);
    tracker_.reset();
  });
  ASSERT_TRUE(tracker_->start().has_value());
  write(path_, "2\n");
  EXPECT_TRUE(poll_until([&] { return !seen_.empty(); }));
  settle();
  EXPECT_EQ(seen_, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(tracker_, nullptr);
}

TEST_F(FileTrackerTest, DestroyedWithEventsPendingIsQuiet) {
  write(path_, "1\n");
  start(track_file());
  write(path_, "2\n");
  tracker_.reset();
  settle();
  EXPECT_TRUE(seen_.empty());
}

}  // namespace
}  // namespace halo::track
