// What keepalived tells the outside world about a VRRP instance or sync group, and how it
// says it: the extra arguments of a `notify` script and the lines of a notify FIFO. Pure.
//
//   notify script: <notify command words...> INSTANCE|GROUP <name> <state> <priority>
//   FIFO line:     INSTANCE "VI_1" MASTER 100\n      GROUP "G1" BACKUP 0\n   (exactly as
//                  keepalived 2.2.7 writes them; the tests compare with a real keepalived)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace halo::notify {

struct VrrpNotice {
  enum class Subject : std::uint8_t { Instance, Group };
  // The notified states. MasterRxLowerPri is notify_master_rx_lower_pri's event; Priority a
  // priority change (vrrp_notify_priority_changes / notify_priority_changes).
  enum class What : std::uint8_t {
    Master,
    Backup,
    Fault,
    Stop,
    Deleted,
    MasterRxLowerPri,
    Priority
  };

  Subject subject = Subject::Instance;
  std::string name;
  What what = What::Backup;
  int priority = 0;  // the instance's effective priority; 0 for groups

  friend bool operator==(const VrrpNotice&, const VrrpNotice&) = default;
};

std::string_view to_string(VrrpNotice::What what);  // "MASTER", "BACKUP", ... as keepalived

// The words appended to a generic `notify` script's command.
std::vector<std::string> notify_arguments(const VrrpNotice& notice);

// The FIFO line, newline included.
std::string fifo_line(const VrrpNotice& notice);

}  // namespace halo::notify
