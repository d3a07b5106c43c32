#include "track/file_tracker.h"

// Placeholder: implemented on its own branch this session.
