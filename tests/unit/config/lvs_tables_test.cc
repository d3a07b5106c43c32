// Keyword tables of the lvs area: values, ranges, defaults, errors.
#include "config/dump.h"
#include "test_util.h"

namespace halo::config::testing {
namespace {

TEST(LvsTables, EmptyConfigIsClean) {
  auto l = load("");
  EXPECT_TRUE(l.ok()) << rendered(l);
}

}  // namespace
}  // namespace halo::config::testing
