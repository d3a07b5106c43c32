#include "check/ping_probe.h"

namespace halo::check {}  // namespace halo::check
