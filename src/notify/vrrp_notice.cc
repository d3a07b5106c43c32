// The words and lines of VRRP notices, as keepalived 2.2.7 produces them.
//
// Seen from a real keepalived 2.2.7 (three instances, one sync group, a notify FIFO read by
// `cat`, a vrrp_notify_fifo_script, scripts that log "$@"):
// - `notify` gets INSTANCE <name> <state> <effective priority>, or GROUP <name> <state> 0;
//   states MASTER, BACKUP, FAULT, STOP, and DELETED for a removed instance with
//   notify_deleted. The name is unquoted. notify_master/backup/fault/stop, notify_deleted's
//   script and notify_master_rx_lower_pri get no extra words.
// - FIFO: `INSTANCE "VI_1" MASTER 150\n`, `GROUP "G1" BACKUP 0\n` (the 0 is written), each
//   line ending in one '\n' and nothing else. A priority change writes
//   `INSTANCE "VI_3" MASTER_PRIORITY 110\n` (BACKUP_PRIORITY when not master) and runs no
//   script; an advert of lower priority received as master writes MASTER_RX_LOWER_PRI.
// - Both notify_fifo and vrrp_notify_fifo get every VRRP line.
// - SIGTERM: STOP lines for the instances in configuration order, then the groups'
//   (`GROUP "G1" STOP 0`); the FIFO script is signalled before they are written and never
//   reads them (halo writes first: L3).
// - SIGHUP: FIFOs are closed and reopened and the FIFO script is restarted (SIGTERM);
//   fifo_write_vrrp_states_on_reload then writes only the GROUP lines, no INSTANCE line.
#include "notify/vrrp_notice.h"

#include <fmt/format.h>

namespace halo::notify {

std::string_view to_string(VrrpNotice::What what) {
  switch (what) {
    case VrrpNotice::What::Master:
      return "MASTER";
    case VrrpNotice::What::Backup:
      return "BACKUP";
    case VrrpNotice::What::Fault:
      return "FAULT";
    case VrrpNotice::What::Stop:
      return "STOP";
    case VrrpNotice::What::Deleted:
      return "DELETED";
    case VrrpNotice::What::MasterRxLowerPri:
      return "MASTER_RX_LOWER_PRI";
    case VrrpNotice::What::MasterPriority:
      return "MASTER_PRIORITY";
    case VrrpNotice::What::BackupPriority:
      return "BACKUP_PRIORITY";
  }
  return "{UNKNOWN}";
}

bool is_state(VrrpNotice::What what) {
  switch (what) {
    case VrrpNotice::What::Master:
    case VrrpNotice::What::Backup:
    case VrrpNotice::What::Fault:
    case VrrpNotice::What::Stop:
    case VrrpNotice::What::Deleted:
      return true;
    case VrrpNotice::What::MasterRxLowerPri:
    case VrrpNotice::What::MasterPriority:
    case VrrpNotice::What::BackupPriority:
      return false;
  }
  return false;
}

namespace {

std::string_view subject_word(VrrpNotice::Subject subject) {
  return subject == VrrpNotice::Subject::Group ? "GROUP" : "INSTANCE";
}

int reported_priority(const VrrpNotice& notice) {
  return notice.subject == VrrpNotice::Subject::Group ? 0 : notice.priority;
}

}  // namespace

std::vector<std::string> notify_arguments(const VrrpNotice& notice) {
  if (!is_state(notice.what)) return {};
  return {std::string(subject_word(notice.subject)), notice.name,
          std::string(to_string(notice.what)), std::to_string(reported_priority(notice))};
}

std::string fifo_line(const VrrpNotice& notice) {
  return fmt::format("{} \"{}\" {} {}\n", subject_word(notice.subject), notice.name,
                     to_string(notice.what), reported_priority(notice));
}

}  // namespace halo::notify
