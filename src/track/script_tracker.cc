#include "track/script_tracker.h"

// Placeholder: implemented on its own branch this session.
