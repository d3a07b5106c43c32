#include "lvs/ipvs_backend.h"

namespace halo::lvs {}  // namespace halo::lvs
