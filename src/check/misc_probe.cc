#include "check/misc_probe.h"

namespace halo::check {}  // namespace halo::check
