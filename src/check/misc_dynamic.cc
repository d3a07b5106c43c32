#include "check/misc_dynamic.h"

namespace halo::check {}  // namespace halo::check
