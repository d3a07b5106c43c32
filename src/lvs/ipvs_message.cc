#include "lvs/ipvs_message.h"

namespace halo::lvs {}  // namespace halo::lvs
