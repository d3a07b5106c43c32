// The words failure reasons are made of (checkers and the alert mailer).
#include "common/words.h"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>

namespace halo {
namespace {

using namespace std::chrono_literals;

TEST(Words, DurationsAsAnOperatorWritesThem) {
  EXPECT_EQ(duration_text(3s), "3 s");
  EXPECT_EQ(duration_text(500ms), "500 ms");
  EXPECT_EQ(duration_text(1500ms), "1.5 s");
  EXPECT_EQ(duration_text(1250ms), "1.25 s");
}

TEST(Words, ErrorsStartLowerCase) {
  const auto words = error_words(boost::asio::error::connection_refused);
  ASSERT_FALSE(words.empty());
  EXPECT_EQ(words, "connection refused");
}

}  // namespace
}  // namespace halo
