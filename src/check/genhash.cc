#include "check/genhash.h"

namespace halo::check {}  // namespace halo::check
