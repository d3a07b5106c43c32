#include "lvs/nft_backend.h"

namespace halo::lvs {}  // namespace halo::lvs
