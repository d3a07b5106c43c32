// The IPVS back end's diff, over a fake channel that records the requests and answers them
// with scripted errnos: apply() sends only what changed, its record follows the kernel's
// acknowledgements (a refused request is sent again on the next apply()), a service left by a
// crashed run is replaced, and deleting what is already gone is not an error. The bytes of each
// message are ipvs_message_test's concern; here they are compared with messages built the same way,
// sequence numbers zeroed. Also: on this kernel (no IPVS), the real back end says so clearly.
#include "lvs/ipvs_backend.h"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>

#include "lvs/ipvs_message.h"

namespace halo::lvs {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::uint16_t kFamily = 0x1c;

struct Log {
  std::vector<Bytes> sent;  // every request, sequence numbers zeroed
  std::deque<int> answers;  // the errno for the next requests; 0 (ack) when empty
};

class FakeChannel final : public IpvsChannel {
 public:
  explicit FakeChannel(Log& log) : log_(log) {}
  Result<std::uint16_t> resolve_family() override { return kFamily; }
  int request(std::span<const std::uint8_t> message) override {
    Bytes bytes(message.begin(), message.end());
    for (int i = 8; i < 12; ++i) bytes[static_cast<std::size_t>(i)] = 0;  // nlmsg_seq
    log_.sent.push_back(std::move(bytes));
    if (log_.answers.empty()) return 0;
    const int answer = log_.answers.front();
    log_.answers.pop_front();
    return answer;
  }

 private:
  Log& log_;
};

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

Destination dest(const char* address, std::uint32_t weight) {
  Destination d;
  d.address = ip(address);
  d.port = 8080;
  d.weight = weight;
  return d;
}

Service service() {
  Service s;
  s.name = "192.0.2.10:80";
  s.frontends = {Frontend{ip("192.0.2.10"), ip("192.0.2.10"), 80}};
  s.scheduler = config::LvsScheduler::Wrr;
  s.destinations = {dest("198.51.100.11", 1), dest("198.51.100.12", 3)};
  return s;
}

const ipvs::ServiceKey kKey{Family::V4, ip("192.0.2.10"), 80, 0};

Bytes svc(ipvs::Command c, const Service& s, const ipvs::ServiceKey& key = kKey) {
  return ipvs::service_message(kFamily, 0, c, s, key);
}
Bytes dst(ipvs::Command c, const Service& s, const Destination& d) {
  return ipvs::dest_message(kFamily, 0, c, s, kKey, d);
}

class IpvsBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = make_ipvs_backend(std::make_unique<FakeChannel>(log_));
    ASSERT_TRUE(backend_->open());
    ASSERT_TRUE(log_.sent.empty());  // other programs' services are left alone
  }
  Log log_;
  std::unique_ptr<Backend> backend_;
};

TEST_F(IpvsBackendTest, NewServiceSendsServiceThenEveryDestination) {
  const Service s = service();
  ASSERT_TRUE(backend_->apply(s));
  EXPECT_EQ(log_.sent, (std::vector<Bytes>{svc(ipvs::Command::NewService, s),
                                           dst(ipvs::Command::NewDest, s, s.destinations[0]),
                                           dst(ipvs::Command::NewDest, s, s.destinations[1])}));
  log_.sent.clear();
  ASSERT_TRUE(backend_->apply(s));  // unchanged: nothing to send
  EXPECT_TRUE(log_.sent.empty());
}

TEST_F(IpvsBackendTest, WeightChangeAdditionAndRemovalSendOnlyTheDifference) {
  Service s = service();
  ASSERT_TRUE(backend_->apply(s));
  log_.sent.clear();

  s.destinations[1].weight = 0;                        // inhibited
  s.destinations.erase(s.destinations.begin());        // .11 removed
  s.destinations.push_back(dest("198.51.100.13", 2));  // .13 added
  ASSERT_TRUE(backend_->apply(s));
  EXPECT_EQ(log_.sent,
            (std::vector<Bytes>{dst(ipvs::Command::DelDest, s, dest("198.51.100.11", 1)),
                                dst(ipvs::Command::SetDest, s, dest("198.51.100.12", 0)),
                                dst(ipvs::Command::NewDest, s, dest("198.51.100.13", 2))}));
}

TEST_F(IpvsBackendTest, SchedulerChangeSetsTheService) {
  Service s = service();
  ASSERT_TRUE(backend_->apply(s));
  log_.sent.clear();
  s.scheduler = config::LvsScheduler::Wlc;
  ASSERT_TRUE(backend_->apply(s));
  EXPECT_EQ(log_.sent, std::vector<Bytes>{svc(ipvs::Command::SetService, s)});
}

TEST_F(IpvsBackendTest, FrontendChangeMovesTheService) {
  Service s = service();
  ASSERT_TRUE(backend_->apply(s));
  log_.sent.clear();
  const Service old = s;
  s.frontends = {Frontend{ip("192.0.2.20"), ip("192.0.2.20"), 80}};
  const ipvs::ServiceKey key20{Family::V4, ip("192.0.2.20"), 80, 0};
  ASSERT_TRUE(backend_->apply(s));
  ASSERT_EQ(log_.sent.size(), 4U);
  Service settings = old;
  settings.destinations.clear();
  EXPECT_EQ(log_.sent[0], svc(ipvs::Command::DelService, settings));
  settings = s;
  settings.destinations.clear();
  EXPECT_EQ(log_.sent[1], svc(ipvs::Command::NewService, settings, key20));
  EXPECT_EQ(log_.sent[2],
            ipvs::dest_message(kFamily, 0, ipvs::Command::NewDest, s, key20, s.destinations[0]));
}

TEST_F(IpvsBackendTest, RefusedRequestIsRetriedOnTheNextApply) {
  const Service s = service();
  log_.answers = {0, 0, ENOMEM};  // the second destination is refused
  const auto first = backend_->apply(s);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().message,
            "IPVS: cannot add real server 198.51.100.12:8080 of service 192.0.2.10:80: Cannot "
            "allocate memory");
  log_.sent.clear();
  ASSERT_TRUE(backend_->apply(s));
  EXPECT_EQ(log_.sent, std::vector<Bytes>{dst(ipvs::Command::NewDest, s, s.destinations[1])});
}

TEST_F(IpvsBackendTest, ServiceLeftByACrashedRunIsReplaced) {
  const Service s = service();
  Service settings = s;
  settings.destinations.clear();
  log_.answers = {EEXIST};
  ASSERT_TRUE(backend_->apply(s));
  EXPECT_EQ(log_.sent, (std::vector<Bytes>{svc(ipvs::Command::NewService, settings),
                                           svc(ipvs::Command::DelService, settings),
                                           svc(ipvs::Command::NewService, settings),
                                           dst(ipvs::Command::NewDest, s, s.destinations[0]),
                                           dst(ipvs::Command::NewDest, s, s.destinations[1])}));
}

TEST_F(IpvsBackendTest, DeletingWhatIsAlreadyGoneIsNotAnError) {
  Service s = service();
  ASSERT_TRUE(backend_->apply(s));
  s.destinations.pop_back();
  log_.answers = {ENOENT};  // an operator removed it with ipvsadm
  ASSERT_TRUE(backend_->apply(s));
  log_.answers = {ENOENT};
  ASSERT_TRUE(backend_->remove(s.name));
  log_.sent.clear();
  ASSERT_TRUE(backend_->close());
  EXPECT_TRUE(log_.sent.empty());
}

TEST(IpvsBackend, LvsFlushFlushesAtOpen) {
  Log log;
  auto backend = make_ipvs_backend(std::make_unique<FakeChannel>(log), /*flush_at_open=*/true);
  ASSERT_TRUE(backend->open());
  EXPECT_EQ(log.sent, std::vector<Bytes>{ipvs::flush_message(kFamily, 0)});
}

TEST(IpvsBackend, LvsFlushOnStopFlushesEverythingInOneMessage) {
  Log log;
  auto backend = make_ipvs_backend(std::make_unique<FakeChannel>(log));
  ASSERT_TRUE(backend->open());
  Service s = service();
  ASSERT_TRUE(backend->apply(s));
  log.sent.clear();
  ASSERT_TRUE(backend->flush());
  ASSERT_EQ(log.sent.size(), 1u);
  EXPECT_EQ(log.sent[0], ipvs::flush_message(kFamily, 0));  // no per-service deletes
  log.sent.clear();
  ASSERT_TRUE(backend->close());  // nothing left that halo installed
  EXPECT_TRUE(log.sent.empty());
}

TEST_F(IpvsBackendTest, RemoveAndCloseDeleteWhatWasInstalled) {
  Service a = service();
  Service b = service();
  b.name = "192.0.2.20:80";
  b.frontends = {Frontend{ip("192.0.2.20"), ip("192.0.2.20"), 80}};
  ASSERT_TRUE(backend_->apply(a));
  ASSERT_TRUE(backend_->apply(b));
  log_.sent.clear();
  ASSERT_TRUE(backend_->remove("no such service"));
  EXPECT_TRUE(log_.sent.empty());
  ASSERT_TRUE(backend_->remove(a.name));
  Service settings = a;
  settings.destinations.clear();
  EXPECT_EQ(log_.sent, std::vector<Bytes>{svc(ipvs::Command::DelService, settings)});
  log_.sent.clear();
  ASSERT_TRUE(backend_->close());
  settings = b;
  settings.destinations.clear();
  EXPECT_EQ(log_.sent, std::vector<Bytes>{svc(ipvs::Command::DelService, settings,
                                              {Family::V4, ip("192.0.2.20"), 80, 0})});
}

TEST(IpvsBackend, ApplyBeforeOpenFails) {
  Log log;
  auto backend = make_ipvs_backend(std::make_unique<FakeChannel>(log));
  EXPECT_FALSE(backend->apply(service()));
}

// This kernel has no IPVS (issue 6): the real back end must say so, not fail obscurely.
// /proc/net/ip_vs exists exactly when the ip_vs module is loaded: an independent witness.
TEST(IpvsBackend, MissingIpvsIsReportedClearly) {
  if (std::filesystem::exists("/proc/net/ip_vs")) {
    EXPECT_TRUE(ipvs_available());
    GTEST_SKIP() << "this kernel has IPVS";
  }
  EXPECT_FALSE(ipvs_available());
  auto backend = make_ipvs_backend();
  const auto opened = backend->open();
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().message,
            "IPVS is not available in this kernel (the IPVS generic netlink family does not "
            "exist; load ip_vs)");
  EXPECT_EQ(default_backend_kind(), BackendKind::Nftables);
  EXPECT_EQ(make_backend(default_backend_kind())->name(), "nftables");
  EXPECT_EQ(make_backend(BackendKind::Ipvs)->name(), "ipvs");
}

}  // namespace
}  // namespace halo::lvs
