#include "check/smtp_probe.h"

namespace halo::check {}  // namespace halo::check
