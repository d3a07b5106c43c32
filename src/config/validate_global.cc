// Whole-configuration checks of the global area (see validate.h).
#include "config/validate.h"

namespace halo::config {

void validate_global(const Config&, const ValidateOptions&, Diagnostics&) {}

void check_script(const Script&, const Config&, Diagnostics&) {}

}  // namespace halo::config
