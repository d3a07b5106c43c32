#include "check/udp_probe.h"

namespace halo::check {}  // namespace halo::check
