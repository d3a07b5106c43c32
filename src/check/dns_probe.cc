#include "check/dns_probe.h"

namespace halo::check {}  // namespace halo::check
