#include "track/process_events.h"

// Placeholder: implemented on its own branch this session.
