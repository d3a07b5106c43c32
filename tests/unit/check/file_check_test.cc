// FILE_CHECK's rule (keepalived's check_file.c / track_file.c): weight 0 reads the value as a
// status (reverse swaps), a weight multiplies it into the real server's weight, a result at or
// below -2^31 is a failure; FILE_CHECK's own weight and reverse win over the track_file's.
#include "check/file_check.h"

#include <gtest/gtest.h>

#include <limits>

namespace halo::check {
namespace {

constexpr std::int64_t kMin32 = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kMax32 = std::numeric_limits<std::int32_t>::max();

FileCheckEffect up(std::int64_t w) {
  return {.up = true, .weight_contribution = w};
}
const FileCheckEffect kDown{.up = false, .weight_contribution = 0};

TEST(FileCheckEffect, WeightZeroReadsTheValueAsAStatus) {
  EXPECT_EQ(file_check_effect(0, 0, false), up(0));
  EXPECT_EQ(file_check_effect(1, 0, false), kDown);
  EXPECT_EQ(file_check_effect(-3, 0, false), kDown);
  // reverse: zero is the failure
  EXPECT_EQ(file_check_effect(0, 0, true), kDown);
  EXPECT_EQ(file_check_effect(5, 0, true), up(0));
}

TEST(FileCheckEffect, AWeightMultipliesTheValueIntoTheWeight) {
  EXPECT_EQ(file_check_effect(0, 10, false), up(0));
  EXPECT_EQ(file_check_effect(3, 10, false), up(30));
  EXPECT_EQ(file_check_effect(-3, 10, false), up(-30));  // lowers the weight, still up
  EXPECT_EQ(file_check_effect(3, 10, true), up(-30));
  EXPECT_EQ(file_check_effect(-3, -10, false), up(30));
}

TEST(FileCheckEffect, AtOrBelowMinus2To31IsAFailure) {
  EXPECT_EQ(file_check_effect(kMin32, 1, false), kDown);
  EXPECT_EQ(file_check_effect(kMin32 + 1, 1, false), up(kMin32 + 1));
  EXPECT_EQ(file_check_effect(-2, kMax32, false), kDown);  // clamped to -2^31
  EXPECT_EQ(file_check_effect(kMax32 + 1, 1, true), kDown);
  EXPECT_EQ(file_check_effect(kMax32 + 1, 1, false), up(kMax32));  // clamped at the top
  EXPECT_EQ(file_check_effect(kMax32, kMax32, false), up(kMax32));
}

TEST(FileCheckEffect, OutOfRangeValuesAreClampedNotOverflowed) {
  EXPECT_EQ(file_check_effect(std::numeric_limits<std::int64_t>::max(), kMax32, false), up(kMax32));
  EXPECT_EQ(file_check_effect(std::numeric_limits<std::int64_t>::min(), kMax32, false), kDown);
}

TEST(FileCheckEffect, OwnWeightWinsOverTheTrackFiles) {
  config::TrackFile file;
  file.name = "TF";
  file.weight = 5;
  file.weight_reverse = true;

  config::FileCheck inherit;
  inherit.track_file = "TF";
  EXPECT_EQ(file_check_effect(2, inherit, file), up(-10));  // the track_file's 5 reverse

  config::FileCheck own = inherit;
  own.weight = 3;  // its own weight, and no reverse unless it says so
  EXPECT_EQ(file_check_effect(2, own, file), up(6));
  own.reverse = true;
  EXPECT_EQ(file_check_effect(2, own, file), up(-6));

  config::FileCheck zero = inherit;
  zero.weight = 0;
  EXPECT_EQ(file_check_effect(0, zero, file), up(0));
  EXPECT_EQ(file_check_effect(1, zero, file), kDown);
}

}  // namespace
}  // namespace halo::check
