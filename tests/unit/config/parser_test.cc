#include "test_util.h"

namespace halo::config::testing {
namespace {

TEST(Parser, Placeholder) {
  EXPECT_TRUE(load("").ok());
}

}  // namespace
}  // namespace halo::config::testing
