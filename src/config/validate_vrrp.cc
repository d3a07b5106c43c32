// Whole-configuration checks of the vrrp area (see validate.h).
#include "config/validate.h"

namespace halo::config {

void validate_vrrp(const Config&, const ValidateOptions&, Diagnostics&) {}

}  // namespace halo::config
