#include "lvs/backend.h"

namespace halo::lvs {}  // namespace halo::lvs
