#include "config/validate.h"

namespace halo::config {

void validate(const Config& config, const ValidateOptions& options, Diagnostics& diag) {
  validate_global(config, options, diag);
  validate_vrrp(config, options, diag);
  validate_lvs(config, options, diag);
}

}  // namespace halo::config
