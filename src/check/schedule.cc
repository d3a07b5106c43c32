#include "check/schedule.h"

namespace halo::check {}  // namespace halo::check
