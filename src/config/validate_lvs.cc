// Whole-configuration checks of the lvs area (see validate.h).
#include "config/validate.h"

namespace halo::config {

void validate_lvs(const Config&, const ValidateOptions&, Diagnostics&) {}

}  // namespace halo::config
