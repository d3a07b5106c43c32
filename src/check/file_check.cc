#include "check/file_check.h"

namespace halo::check {}  // namespace halo::check
