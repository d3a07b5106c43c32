// The notify words and FIFO lines, compared with what a real keepalived 2.2.7 produced (see
// the comment at the top of src/notify/vrrp_notice.cc for the scenario).
#include "notify/vrrp_notice.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace halo::notify {
namespace {

using What = VrrpNotice::What;
using Subject = VrrpNotice::Subject;
using Words = std::vector<std::string>;

VrrpNotice instance(std::string name, What what, int priority) {
  return VrrpNotice{Subject::Instance, std::move(name), what, priority};
}

VrrpNotice group(std::string name, What what) {
  return VrrpNotice{Subject::Group, std::move(name), what, 0};
}

TEST(VrrpNoticeTest, InstanceNotifyArgumentsAsKeepalived) {
  EXPECT_EQ(notify_arguments(instance("VI_2", What::Backup, 120)),
            (Words{"INSTANCE", "VI_2", "BACKUP", "120"}));
  EXPECT_EQ(notify_arguments(instance("VI_1", What::Master, 150)),
            (Words{"INSTANCE", "VI_1", "MASTER", "150"}));
  EXPECT_EQ(notify_arguments(instance("VI_3", What::Fault, 85)),
            (Words{"INSTANCE", "VI_3", "FAULT", "85"}));
  EXPECT_EQ(notify_arguments(instance("VI_3", What::Stop, 115)),
            (Words{"INSTANCE", "VI_3", "STOP", "115"}));
  EXPECT_EQ(notify_arguments(instance("VI_2", What::Deleted, 120)),
            (Words{"INSTANCE", "VI_2", "DELETED", "120"}));
}

TEST(VrrpNoticeTest, GroupNotifyArgumentsCarryPriorityZero) {
  EXPECT_EQ(notify_arguments(group("G1", What::Backup)), (Words{"GROUP", "G1", "BACKUP", "0"}));
  EXPECT_EQ(notify_arguments(group("G1", What::Master)), (Words{"GROUP", "G1", "MASTER", "0"}));
  EXPECT_EQ(notify_arguments(group("G1", What::Fault)), (Words{"GROUP", "G1", "FAULT", "0"}));
  EXPECT_EQ(notify_arguments(group("G1", What::Stop)), (Words{"GROUP", "G1", "STOP", "0"}));
  // A group's priority is 0 whatever the caller put in.
  VrrpNotice odd = group("G1", What::Master);
  odd.priority = 77;
  EXPECT_EQ(notify_arguments(odd), (Words{"GROUP", "G1", "MASTER", "0"}));
}

TEST(VrrpNoticeTest, NameIsPassedUnquotedAsOneWord) {
  EXPECT_EQ(notify_arguments(instance("a b", What::Master, 1)),
            (Words{"INSTANCE", "a b", "MASTER", "1"}));
}

TEST(VrrpNoticeTest, EventsRunNoGenericNotify) {
  EXPECT_TRUE(notify_arguments(instance("VI_3", What::MasterRxLowerPri, 85)).empty());
  EXPECT_TRUE(notify_arguments(instance("VI_3", What::MasterPriority, 110)).empty());
  EXPECT_TRUE(notify_arguments(instance("VI_3", What::BackupPriority, 110)).empty());
  EXPECT_FALSE(is_state(What::MasterRxLowerPri));
  EXPECT_TRUE(is_state(What::Deleted));
}

TEST(VrrpNoticeTest, FifoLinesByteForByteAsKeepalived) {
  // The bytes a `cat` of keepalived's notify_fifo recorded.
  EXPECT_EQ(fifo_line(group("G1", What::Backup)), "GROUP \"G1\" BACKUP 0\n");
  EXPECT_EQ(fifo_line(instance("VI_1", What::Backup, 150)), "INSTANCE \"VI_1\" BACKUP 150\n");
  EXPECT_EQ(fifo_line(instance("VI_2", What::Master, 120)), "INSTANCE \"VI_2\" MASTER 120\n");
  EXPECT_EQ(fifo_line(group("G1", What::Master)), "GROUP \"G1\" MASTER 0\n");
  EXPECT_EQ(fifo_line(instance("VI_3", What::MasterPriority, 110)),
            "INSTANCE \"VI_3\" MASTER_PRIORITY 110\n");
  EXPECT_EQ(fifo_line(instance("VI_3", What::BackupPriority, 110)),
            "INSTANCE \"VI_3\" BACKUP_PRIORITY 110\n");
  EXPECT_EQ(fifo_line(instance("VI_3", What::MasterRxLowerPri, 85)),
            "INSTANCE \"VI_3\" MASTER_RX_LOWER_PRI 85\n");
  EXPECT_EQ(fifo_line(instance("VI_1", What::Fault, 150)), "INSTANCE \"VI_1\" FAULT 150\n");
  EXPECT_EQ(fifo_line(group("G1", What::Fault)), "GROUP \"G1\" FAULT 0\n");
  EXPECT_EQ(fifo_line(instance("VI_1", What::Stop, 150)), "INSTANCE \"VI_1\" STOP 150\n");
  EXPECT_EQ(fifo_line(group("G1", What::Stop)), "GROUP \"G1\" STOP 0\n");
  EXPECT_EQ(fifo_line(instance("VI_2", What::Deleted, 120)), "INSTANCE \"VI_2\" DELETED 120\n");
}

TEST(VrrpNoticeTest, StateNames) {
  EXPECT_EQ(to_string(What::Master), "MASTER");
  EXPECT_EQ(to_string(What::Backup), "BACKUP");
  EXPECT_EQ(to_string(What::Fault), "FAULT");
  EXPECT_EQ(to_string(What::Stop), "STOP");
  EXPECT_EQ(to_string(What::Deleted), "DELETED");
  EXPECT_EQ(to_string(What::MasterRxLowerPri), "MASTER_RX_LOWER_PRI");
  EXPECT_EQ(to_string(What::MasterPriority), "MASTER_PRIORITY");
  EXPECT_EQ(to_string(What::BackupPriority), "BACKUP_PRIORITY");
}

}  // namespace
}  // namespace halo::notify
