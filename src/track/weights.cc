#include "track/weights.h"

// Placeholder: implemented on its own branch this session.
