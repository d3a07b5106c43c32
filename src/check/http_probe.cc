#include "check/http_probe.h"

namespace halo::check {}  // namespace halo::check
