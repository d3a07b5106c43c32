// What keepalived tells the outside world about a VRRP instance or sync group, and how it
// says it: the extra arguments of a `notify` script and the lines of a notify FIFO. Pure.
//
//   notify script: <notify command words...> INSTANCE|GROUP <name> <state> <priority>
//   FIFO line:     INSTANCE "VI_1" MASTER 100\n      GROUP "G1" BACKUP 0\n
//                  INSTANCE "VI_1" MASTER_PRIORITY 110\n   (priority change)
// exactly as keepalived 2.2.7 writes them (vrrp_notice.cc records what it was seen doing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace halo::notify {

struct VrrpNotice {
  enum class Subject : std::uint8_t { Instance, Group };
  // States (Master..Deleted) run the state's script and the generic `notify`; the events
  // after them only write a FIFO line (MasterRxLowerPri also runs notify_master_rx_lower_pri,
  // with no extra arguments). A priority change is MasterPriority when the instance is
  // MASTER and BackupPriority in any other state, like keepalived.
  enum class What : std::uint8_t {
    Master,
    Backup,
    Fault,
    Stop,
    Deleted,
    MasterRxLowerPri,
    MasterPriority,
    BackupPriority,
  };

  Subject subject = Subject::Instance;
  std::string name;
  What what = What::Backup;
  int priority = 0;  // the instance's effective priority; 0 for groups

  friend bool operator==(const VrrpNotice&, const VrrpNotice&) = default;
};

// "MASTER", "BACKUP", "FAULT", "STOP", "DELETED", "MASTER_RX_LOWER_PRI", "MASTER_PRIORITY",
// "BACKUP_PRIORITY", as keepalived writes them.
std::string_view to_string(VrrpNotice::What what);

// Master, Backup, Fault, Stop, Deleted: a state the scripts are told about.
bool is_state(VrrpNotice::What what);

// The words appended to a generic `notify` script's command: INSTANCE|GROUP, the name
// (unquoted), the state and the priority (0 for a group). Empty for events that do not run
// the generic script (is_state() false).
std::vector<std::string> notify_arguments(const VrrpNotice& notice);

// The FIFO line, newline included, nothing after it.
std::string fifo_line(const VrrpNotice& notice);

}  // namespace halo::notify
