// keepalived's priority arithmetic, one table row per rule of keepalived.conf(5): every
// tracker kind, positive/negative/zero weights, reverse, the address owner, the clamp to
// 1..254, track_file values times weights and the file FAULT below -253.
#include "track/weights.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace halo::track {
namespace {

WeightedStatus tracker(TrackerKind kind, int weight, bool up, bool reverse = false) {
  return {kind, weight, reverse, TrackerStatus{up, 0}};
}
// A vrrp_script before its first result (keepalived's INIT).
WeightedStatus pending_script(int weight, bool reverse = false) {
  return {TrackerKind::Script, weight, reverse, TrackerStatus{false, 0, true}};
}
WeightedStatus file(int weight, std::int64_t value, bool reverse = false) {
  return {TrackerKind::File, weight, reverse, TrackerStatus{value == 0, value}};
}

// --- One tracker's adjustment ------------------------------------------------------------

struct AdjustmentRow {
  std::string name;
  WeightedStatus tracker;
  Adjustment expected;
};
void PrintTo(const AdjustmentRow& row, std::ostream* os) {
  *os << row.name;
}

class AdjustmentTable : public ::testing::TestWithParam<AdjustmentRow> {};

TEST_P(AdjustmentTable, MatchesKeepalived) {
  EXPECT_EQ(adjustment(GetParam().tracker), GetParam().expected);
}

std::vector<AdjustmentRow> up_down_rows() {
  std::vector<AdjustmentRow> rows;
  const TrackerKind kinds[] = {TrackerKind::Interface, TrackerKind::Script, TrackerKind::Process,
                               TrackerKind::Bfd};
  for (const auto kind : kinds) {
    const std::string k{to_string(kind)};
    auto add = [&](const std::string& what, int weight, bool up, bool reverse, Adjustment want) {
      rows.push_back({k + "_" + what, tracker(kind, weight, up, reverse), want});
    };
    // weight 0: a FAULT switch.
    add("w0_up", 0, true, false, {0, false});
    add("w0_down_faults", 0, false, false, {0, true});
    add("w0_reverse_up_faults", 0, true, true, {0, true});
    add("w0_reverse_down", 0, false, true, {0, false});
    // Positive weight: added while up.
    add("w10_up_adds", 10, true, false, {10, false});
    add("w10_down", 10, false, false, {0, false});
    add("w10_reverse_up_subtracts", 10, true, true, {-10, false});
    add("w10_reverse_down", 10, false, true, {0, false});
    // Negative weight: subtracted while down.
    add("wm10_up", -10, true, false, {0, false});
    add("wm10_down_subtracts", -10, false, false, {-10, false});
    add("wm10_reverse_up", -10, true, true, {0, false});
    add("wm10_reverse_down_adds", -10, false, true, {10, false});
    // The extremes of the documented ranges.
    add("w253_up", 253, true, false, {253, false});
    add("wm253_down", -253, false, false, {-253, false});
  }
  // track_process allows +/-254.
  rows.push_back({"process_w254_up", tracker(TrackerKind::Process, 254, true), {254, false}});
  rows.push_back({"process_wm254_down", tracker(TrackerKind::Process, -254, false), {-254, false}});
  return rows;
}

std::vector<AdjustmentRow> file_rows() {
  return {
      // weight 0: non-zero means FAULT; reverse: zero means FAULT.
      {"file_w0_zero", file(0, 0), {0, false}},
      {"file_w0_nonzero_faults", file(0, 5), {0, true}},
      {"file_w0_negative_faults", file(0, -1), {0, true}},
      {"file_w0_reverse_zero_faults", file(0, 0, true), {0, true}},
      {"file_w0_reverse_nonzero", file(0, 7, true), {0, false}},
      // value × weight.
      {"file_w1_value", file(1, 17), {17, false}},
      {"file_w1_negative_value", file(1, -17), {-17, false}},
      {"file_w5_times_3", file(5, 3), {15, false}},
      {"file_wm5_times_3", file(-5, 3), {-15, false}},
      {"file_wm5_times_negative", file(-5, -3), {15, false}},
      {"file_w5_zero", file(5, 0), {0, false}},
      {"file_w5_reverse", file(5, 3, true), {-15, false}},
      {"file_wm5_reverse", file(-5, 3, true), {15, false}},
      // The FAULT bound: -253 still counts, below it is FAULT.
      {"file_at_minus_253", file(1, -253), {-253, false}},
      {"file_below_minus_253_faults", file(1, -254), {0, true}},
      {"file_w254_times_minus1_faults", file(254, -1), {0, true}},
      {"file_w2_product_below_faults", file(2, -127), {0, true}},
      {"file_w2_product_at_bound", file(-1, 253), {-253, false}},
      {"file_reverse_product_below_faults", file(127, 2, true), {0, true}},
      // Above 253 the share is capped.
      {"file_at_253", file(1, 253), {253, false}},
      {"file_above_253_capped", file(1, 254), {253, false}},
      {"file_huge_capped", file(254, 2147483647), {253, false}},
      {"file_huge_negative_faults", file(254, -2147483647 - 1LL), {0, true}},
      {"file_int64_extreme_faults", file(254, INT64_MIN), {0, true}},
  };
}

INSTANTIATE_TEST_SUITE_P(UpDown, AdjustmentTable, ::testing::ValuesIn(up_down_rows()),
                         [](const auto& row) { return row.param.name; });
INSTANTIATE_TEST_SUITE_P(File, AdjustmentTable, ::testing::ValuesIn(file_rows()),
                         [](const auto& row) { return row.param.name; });

// --- The effective priority ---------------------------------------------------------------

struct PriorityRow {
  std::string name;
  std::uint8_t base;
  std::vector<WeightedStatus> trackers;
  EffectivePriority expected;
};
void PrintTo(const PriorityRow& row, std::ostream* os) {
  *os << row.name;
}

class EffectivePriorityTable : public ::testing::TestWithParam<PriorityRow> {};

TEST_P(EffectivePriorityTable, MatchesKeepalived) {
  const auto& row = GetParam();
  EXPECT_EQ(effective_priority(row.base, row.trackers), row.expected);
}

const auto kIf = TrackerKind::Interface;
const auto kScript = TrackerKind::Script;
const auto kProcess = TrackerKind::Process;
const auto kBfd = TrackerKind::Bfd;

INSTANTIATE_TEST_SUITE_P(
    Rules, EffectivePriorityTable,
    ::testing::Values(
        PriorityRow{"no_trackers", 100, {}, {100, false}},
        PriorityRow{"summed_all_kinds",
                    100,
                    {tracker(kIf, 5, true), tracker(kScript, -20, false),
                     tracker(kProcess, 30, true), tracker(kBfd, 7, true, true), file(2, 4)},
                    {100 + 5 - 20 + 30 - 7 + 8, false}},
        PriorityRow{"unmatched_weights_add_nothing",
                    100,
                    {tracker(kScript, 50, false), tracker(kProcess, -50, true)},
                    {100, false}},
        PriorityRow{"clamped_at_254", 200, {tracker(kScript, 60, true)}, {254, false}},
        PriorityRow{"sum_of_253s_clamped_at_254",
                    1,
                    {tracker(kScript, 253, true), tracker(kProcess, 253, true)},
                    {254, false}},
        PriorityRow{"never_reaches_255", 254, {tracker(kScript, 1, true)}, {254, false}},
        PriorityRow{"clamped_at_1", 50, {tracker(kScript, -60, false)}, {1, false}},
        PriorityRow{"clamped_at_1_from_far_below",
                    10,
                    {tracker(kScript, -253, false), tracker(kProcess, -254, false), file(1, -200)},
                    {1, false}},
        PriorityRow{"exactly_1", 11, {tracker(kScript, -10, false)}, {1, false}},
        PriorityRow{"opposite_weights_cancel",
                    100,
                    {tracker(kScript, 40, true), tracker(kProcess, -40, false)},
                    {100, false}},
        PriorityRow{"file_negative_value_lowers", 100, {file(10, -3)}, {70, false}},
        PriorityRow{"file_cap_is_per_file",
                    100,
                    {file(1, 1000), tracker(kScript, -200, false)},
                    {153, false}},
        PriorityRow{"weight0_fault_keeps_priority",
                    100,
                    {tracker(kIf, 0, false), tracker(kScript, 10, true)},
                    {110, true}},
        PriorityRow{"file_fault", 100, {file(1, -254), tracker(kScript, 10, true)}, {110, true}},
        PriorityRow{"file_weight0_fault", 100, {file(0, 1)}, {100, true}},
        PriorityRow{"one_fault_among_many",
                    100,
                    {tracker(kIf, 0, true), tracker(kScript, 0, true), tracker(kProcess, 0, false),
                     tracker(kBfd, 0, true)},
                    {100, true}},
        PriorityRow{"reverse_weight0_fault", 100, {tracker(kBfd, 0, true, true)}, {100, true}},
        // The address owner: weights never move 255, faults still apply.
        PriorityRow{"owner_ignores_negative",
                    255,
                    {tracker(kScript, -50, false), file(10, -5)},
                    {255, false}},
        PriorityRow{"owner_ignores_positive", 255, {tracker(kProcess, 50, true)}, {255, false}},
        PriorityRow{"owner_weight0_fault", 255, {tracker(kIf, 0, false)}, {255, true}},
        PriorityRow{"owner_file_fault", 255, {file(1, -300)}, {255, true}},
        PriorityRow{"base_254_lowered", 254, {tracker(kScript, -4, false)}, {250, false}},
        // No verdict yet: neither a weight nor a fault, whatever the weight says.
        PriorityRow{"pending_adjusts_nothing",
                    100,
                    {pending_script(0), pending_script(-50), pending_script(20),
                     pending_script(0, true), tracker(kIf, 5, true)},
                    {105, false}}),
    [](const auto& row) { return row.param.name; });

}  // namespace
}  // namespace halo::track
