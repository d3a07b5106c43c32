#include "common/ip_address.h"

#include <gtest/gtest.h>

namespace halo {
namespace {

TEST(IpAddress, ParsesAndFormatsBothFamilies) {
  auto v4 = IpAddress::parse("192.0.2.1");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->to_string(), "192.0.2.1");
  auto v6 = IpAddress::parse("2001:db8::1");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->is_v6());
  EXPECT_EQ(v6->to_string(), "2001:db8::1");
}

TEST(IpAddress, RejectsMalformed) {
  for (const char* bad :
       {"", "192.0.2.300", "1.2.3", "1.2.3.4.5", "2001:db8:::1", "abc", "192.0.2.1 ", "::g"}) {
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
  }
}

TEST(IpAddress, Classifies) {
  EXPECT_TRUE(IpAddress::parse("224.0.0.18")->is_multicast());
  EXPECT_TRUE(IpAddress::parse("ff02::12")->is_multicast());
  EXPECT_TRUE(IpAddress::parse("fe80::1")->is_link_local());
  EXPECT_FALSE(IpAddress::parse("2001:db8::1")->is_link_local());
}

TEST(IpPrefix, ParsesLengths) {
  auto p = IpPrefix::parse("192.0.2.1/24");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->length, 24);
  EXPECT_EQ(IpPrefix::parse("192.0.2.1")->length, 32);
  EXPECT_EQ(IpPrefix::parse("2001:db8::1")->length, 128);
  EXPECT_FALSE(IpPrefix::parse("192.0.2.1/33"));
  EXPECT_FALSE(IpPrefix::parse("192.0.2.1/"));
  EXPECT_FALSE(IpPrefix::parse("192.0.2.1/2x"));
}

}  // namespace
}  // namespace halo
