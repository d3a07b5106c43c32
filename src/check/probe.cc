#include "check/probe.h"

namespace halo::check {}  // namespace halo::check
