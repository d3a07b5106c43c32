#include "check/checker.h"

namespace halo::check {}  // namespace halo::check
