// FILE_CHECK's value-to-verdict rule; the rule and where keepalived states it are in the header.
#include "check/file_check.h"

#include <algorithm>
#include <limits>

namespace halo::check {

namespace {

// keepalived's IPVS_WEIGHT_FAULT: a weighted result at or below it means failure.
constexpr std::int64_t kFault = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();

}  // namespace

FileCheckEffect file_check_effect(std::int64_t value, std::int32_t weight, bool reverse) {
  if (weight == 0) return {.up = (value == 0) != reverse, .weight_contribution = 0};
  // keepalived reads values in [-2^31, 2^31]; with |weight| < 2^31 the product fits in 64 bits.
  value = std::clamp(value, kFault, kMax + 1);
  const std::int64_t result = std::clamp(value * weight * (reverse ? -1 : 1), kFault, kMax);
  if (result <= kFault) return {.up = false, .weight_contribution = 0};
  return {.up = true, .weight_contribution = result};
}

FileCheckEffect file_check_effect(std::int64_t value, const config::FileCheck& check,
                                  const config::TrackFile& file) {
  if (check.weight) return file_check_effect(value, *check.weight, check.reverse);
  return file_check_effect(value, file.weight, file.weight_reverse);
}

}  // namespace halo::check
