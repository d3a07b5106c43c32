// RFC 5321 §4.2.1 replies as SMTP_CHECK and the alert mailer read them.
#include "common/smtp_reply.h"

#include <gtest/gtest.h>

namespace halo {
namespace {

using Status = SmtpReply::Status;

TEST(SmtpReply, OneLineWithOrWithoutText) {
  auto r = parse_smtp_reply("220 mail.example ESMTP\r\n");
  EXPECT_EQ(r.status, Status::Complete);
  EXPECT_EQ(r.code, 220);
  EXPECT_EQ(r.last_line, "220 mail.example ESMTP");
  r = parse_smtp_reply("250\n");  // a bare code, a bare LF
  EXPECT_EQ(r.status, Status::Complete);
  EXPECT_EQ(r.code, 250);
}

TEST(SmtpReply, ContinuationLinesEndAtTheLastOne) {
  EXPECT_EQ(parse_smtp_reply("250-first\r\n250-second\r\n").status, Status::Incomplete);
  const auto r = parse_smtp_reply("250-first\r\n250-second\r\n251 last\r\nnext");
  EXPECT_EQ(r.status, Status::Complete);
  EXPECT_EQ(r.code, 251);
  EXPECT_EQ(r.last_line, "251 last");
}

TEST(SmtpReply, NothingUntilALineEnds) {
  EXPECT_EQ(parse_smtp_reply("").status, Status::Incomplete);
  EXPECT_EQ(parse_smtp_reply("220 no end yet").status, Status::Incomplete);
}

TEST(SmtpReply, WhatIsNotAReplyIsMalformed) {
  for (const char* text : {"HTTP/1.1 200 OK\r\n", "22\r\n", "220x\r\n", "250-ok\r\nfoo\r\n"}) {
    const auto r = parse_smtp_reply(text);
    EXPECT_EQ(r.status, Status::Malformed) << text;
  }
  EXPECT_EQ(parse_smtp_reply("250-ok\r\nfoo\r\n").last_line, "foo");
}

}  // namespace
}  // namespace halo
