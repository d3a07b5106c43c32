#include "lvs/pool.h"

namespace halo::lvs {}  // namespace halo::lvs
