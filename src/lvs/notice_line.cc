#include "lvs/notice_line.h"

namespace halo::lvs {}  // namespace halo::lvs
