// The process-events connector: the parser on hand-built datagrams (the kernel's layout from
// linux/cn_proc.h), and the real socket on the real host.
//
// The socket tests run in the root network namespace, on purpose and without NetnsSandbox:
// the connector delivers events only there. Opening it changes nothing in the network (it
// only listens); they skip when not root or not in the initial namespace.
#include "track/process_events.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <vector>

namespace halo::track {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kEventData = offsetof(proc_event, event_data);

// One netlink message from the connector: nlmsghdr, cn_msg, proc_event (`body` bytes of
// event_data). `cn_len` overrides cn_msg.len; `idx` the connector index.
Bytes message(std::uint32_t what, const void* body, std::size_t body_size,
              std::optional<std::uint16_t> cn_len = std::nullopt, std::uint32_t idx = CN_IDX_PROC) {
  Bytes event(kEventData + body_size, 0);
  std::memcpy(event.data(), &what, sizeof what);
  std::memcpy(event.data() + kEventData, body, body_size);
  cn_msg cn{};
  cn.id.idx = idx;
  cn.id.val = CN_VAL_PROC;
  cn.len = cn_len.value_or(static_cast<std::uint16_t>(event.size()));
  nlmsghdr h{};
  h.nlmsg_len = static_cast<std::uint32_t>(NLMSG_HDRLEN + sizeof cn + event.size());
  h.nlmsg_type = NLMSG_DONE;
  Bytes out(NLMSG_ALIGN(h.nlmsg_len), 0);
  std::memcpy(out.data(), &h, sizeof h);
  std::memcpy(out.data() + NLMSG_HDRLEN, &cn, sizeof cn);
  std::memcpy(out.data() + NLMSG_HDRLEN + sizeof cn, event.data(), event.size());
  return out;
}

Bytes fork_message(pid_t parent_pid, pid_t parent_tgid, pid_t child_pid, pid_t child_tgid) {
  const pid_t f[4] = {parent_pid, parent_tgid, child_pid, child_tgid};
  return message(proc_event::PROC_EVENT_FORK, f, sizeof f);
}

Bytes two_ids(std::uint32_t what, pid_t pid, pid_t tgid, std::size_t extra = 0) {
  std::vector<std::uint8_t> body(2 * sizeof(pid_t) + extra, 0);
  std::memcpy(body.data(), &pid, sizeof pid);
  std::memcpy(body.data() + sizeof pid, &tgid, sizeof tgid);
  return message(what, body.data(), body.size());
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

ProcessEvent event(ProcessEvent::Kind kind, pid_t pid, pid_t tgid, pid_t ppid = 0,
                   pid_t ptgid = 0) {
  return ProcessEvent{kind, pid, tgid, ppid, ptgid};
}

TEST(ProcessEvents, DecodesForkExecCommExit) {
  const auto datagram = concat({
      fork_message(10, 10, 11, 11), two_ids(proc_event::PROC_EVENT_EXEC, 11, 11),
      two_ids(proc_event::PROC_EVENT_COMM, 11, 11, 16),  // with the comm[16]
      two_ids(proc_event::PROC_EVENT_EXIT, 11, 11, 16),  // with exit code, signal, parent
  });
  std::uint64_t malformed = 0;
  const auto events = parse_process_events(datagram, &malformed);
  EXPECT_EQ(malformed, 0u);
  using K = ProcessEvent::Kind;
  EXPECT_EQ(events,
            (std::vector<ProcessEvent>{event(K::Fork, 11, 11, 10, 10), event(K::Exec, 11, 11),
                                       event(K::Comm, 11, 11), event(K::Exit, 11, 11)}));
}

TEST(ProcessEvents, ThreadEventsKeepTheirIds) {
  std::uint64_t malformed = 0;
  const auto events = parse_process_events(fork_message(10, 10, 12, 10), &malformed);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].pid, 12);
  EXPECT_EQ(events[0].tgid, 10);
}

TEST(ProcessEvents, SkipsEventsHaloDoesNotFollow) {
  const std::uint32_t ack = 0;
  const auto datagram = concat({
      message(proc_event::PROC_EVENT_NONE, &ack, sizeof ack),  // the listen acknowledgement
      two_ids(proc_event::PROC_EVENT_UID, 5, 5, 8),
      two_ids(proc_event::PROC_EVENT_GID, 5, 5, 8),
      two_ids(proc_event::PROC_EVENT_SID, 5, 5),
      two_ids(proc_event::PROC_EVENT_PTRACE, 5, 5, 8),
      two_ids(proc_event::PROC_EVENT_COREDUMP, 5, 5, 8),
      two_ids(proc_event::PROC_EVENT_EXEC, 5, 5, 0),
  });
  std::uint64_t malformed = 0;
  const auto events = parse_process_events(datagram, &malformed);
  EXPECT_EQ(malformed, 0u);
  EXPECT_EQ(events, (std::vector<ProcessEvent>{event(ProcessEvent::Kind::Exec, 5, 5)}));
}

TEST(ProcessEvents, SkipsOtherConnectorUsersAndNoops) {
  const pid_t ids[2] = {5, 5};
  const auto other = message(proc_event::PROC_EVENT_EXEC, ids, sizeof ids, std::nullopt, 7);
  nlmsghdr noop{};
  noop.nlmsg_len = NLMSG_HDRLEN;
  noop.nlmsg_type = NLMSG_NOOP;
  Bytes noop_bytes(NLMSG_HDRLEN);
  std::memcpy(noop_bytes.data(), &noop, sizeof noop);
  std::uint64_t malformed = 0;
  EXPECT_TRUE(parse_process_events(concat({other, noop_bytes}), &malformed).empty());
  EXPECT_EQ(malformed, 0u);
}

TEST(ProcessEvents, CountsMalformedMessages) {
  using K = ProcessEvent::Kind;
  const auto good = two_ids(proc_event::PROC_EVENT_EXEC, 7, 7);
  std::uint64_t malformed = 0;

  // A fork event too short for its ids.
  const pid_t half[2] = {1, 1};
  auto events = parse_process_events(
      concat({message(proc_event::PROC_EVENT_FORK, half, sizeof half), good}), &malformed);
  EXPECT_EQ(malformed, 1u);
  EXPECT_EQ(events, (std::vector<ProcessEvent>{event(K::Exec, 7, 7)}));

  // cn_msg.len larger than the message.
  malformed = 0;
  events = parse_process_events(
      concat({message(proc_event::PROC_EVENT_EXEC, half, sizeof half, 200), good}), &malformed);
  EXPECT_EQ(malformed, 1u);
  EXPECT_EQ(events.size(), 1u);

  // A message too short for a cn_msg.
  malformed = 0;
  nlmsghdr tiny{};
  tiny.nlmsg_len = NLMSG_HDRLEN + 4;
  tiny.nlmsg_type = NLMSG_DONE;
  Bytes tiny_bytes(NLMSG_HDRLEN + 4, 0);
  std::memcpy(tiny_bytes.data(), &tiny, sizeof tiny);
  events = parse_process_events(concat({tiny_bytes, good}), &malformed);
  EXPECT_EQ(malformed, 1u);
  EXPECT_EQ(events.size(), 1u);

  // nlmsg_len past the end of the datagram: the rest cannot be trusted.
  malformed = 0;
  auto cut = good;
  cut.resize(cut.size() - 4);
  events = parse_process_events(cut, &malformed);
  EXPECT_EQ(malformed, 1u);
  EXPECT_TRUE(events.empty());

  // Trailing bytes that do not make a message.
  malformed = 0;
  auto trailing = good;
  trailing.push_back(0);
  events = parse_process_events(trailing, &malformed);
  EXPECT_EQ(malformed, 1u);
  EXPECT_EQ(events.size(), 1u);

  // Nothing at all, and random bytes: no crash, no event read out of bounds.
  malformed = 0;
  EXPECT_TRUE(parse_process_events({}, &malformed).empty());
  EXPECT_EQ(malformed, 0u);
  for (std::size_t n = 0; n < good.size(); ++n) {
    std::span<const std::uint8_t> prefix(good.data(), n);
    (void)parse_process_events(prefix, &malformed);
  }
}

// The initial network namespace's fixed inode number (PROC_NET_INIT_INO, linux/proc_ns.h).
bool in_initial_netns() {
  struct stat st {};
  return stat("/proc/self/ns/net", &st) == 0 && st.st_ino == 0xEFFFFFF9U;
}

TEST(ProcessEventSocket, SeesAChildForkExecAndExit) {
  if (geteuid() != 0) GTEST_SKIP() << "the process-events connector needs CAP_NET_ADMIN";
  if (!in_initial_netns()) GTEST_SKIP() << "not in the initial network namespace";
  auto fd = open_process_connector();
  ASSERT_TRUE(fd) << fd.error().message;
  boost::asio::io_context io;
  ProcessEventSocket socket(io, std::move(*fd));
  pid_t child = -1;
  std::vector<ProcessEvent> all;
  socket.start([&](const ProcessEvent& e) { all.push_back(e); }, [] {});

  char arg0[] = "true";
  char* argv[] = {arg0, nullptr};
  ASSERT_EQ(posix_spawn(&child, "/bin/true", nullptr, nullptr, argv, environ), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool exited = false;
  while (!exited && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(20));
    for (const auto& e : all) {
      if (e.tgid == child && e.kind == ProcessEvent::Kind::Exit) exited = true;
    }
  }
  std::vector<ProcessEvent> mine;
  for (const auto& e : all) {
    if (e.tgid == child) mine.push_back(e);
  }
  using K = ProcessEvent::Kind;
  ASSERT_GE(mine.size(), 3u);
  EXPECT_EQ(mine.front().kind, K::Fork);
  EXPECT_EQ(mine.front().parent_tgid, getpid());
  EXPECT_EQ(mine.back().kind, K::Exit);
  bool saw_exec = false;
  for (const auto& e : mine) saw_exec = saw_exec || e.kind == K::Exec;
  EXPECT_TRUE(saw_exec);
  EXPECT_EQ(socket.malformed(), 0u);
}

// A full receive buffer loses events; the next receive says ENOBUFS and the owner is told.
TEST(ProcessEventSocket, ReportsAnOverrun) {
  if (geteuid() != 0) GTEST_SKIP() << "the process-events connector needs CAP_NET_ADMIN";
  if (!in_initial_netns()) GTEST_SKIP() << "not in the initial network namespace";
  auto fd = open_process_connector();
  ASSERT_TRUE(fd) << fd.error().message;
  const int tiny = 1;  // the kernel rounds it up to its minimum, a few events
  ASSERT_EQ(setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny), 0);
  boost::asio::io_context io;
  ProcessEventSocket socket(io, std::move(*fd));
  int overruns = 0;
  socket.start([](const ProcessEvent&) {}, [&] { ++overruns; });
  // Events pile up while the loop does not run.
  for (int i = 0; i < 50; ++i) {
    pid_t child = -1;
    char arg0[] = "true";
    char* argv[] = {arg0, nullptr};
    ASSERT_EQ(posix_spawn(&child, "/bin/true", nullptr, nullptr, argv, environ), 0);
    waitpid(child, nullptr, 0);
  }
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_GE(overruns, 1);
  EXPECT_GE(socket.overruns(), static_cast<std::uint64_t>(overruns));  // one call per drain
}

TEST(ProcessEventSocket, ReceiveBufferIsLarge) {
  if (geteuid() != 0) GTEST_SKIP() << "the process-events connector needs CAP_NET_ADMIN";
  auto fd = open_process_connector();
  ASSERT_TRUE(fd) << fd.error().message;
  int size = 0;
  socklen_t len = sizeof size;
  ASSERT_EQ(getsockopt(fd->get(), SOL_SOCKET, SO_RCVBUF, &size, &len), 0);
  EXPECT_GE(size, 8 * 1024 * 1024);  // the kernel reports twice what was asked
  const int flags = fcntl(fd->get(), F_GETFL);
  EXPECT_TRUE(flags & O_NONBLOCK);
  EXPECT_TRUE(fcntl(fd->get(), F_GETFD) & FD_CLOEXEC);
}

}  // namespace
}  // namespace halo::track
