#include "track/process_tracker.h"

// Placeholder: implemented on its own branch this session.
