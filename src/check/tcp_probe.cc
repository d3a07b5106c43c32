#include "check/tcp_probe.h"

namespace halo::check {}  // namespace halo::check
