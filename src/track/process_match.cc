#include "track/process_match.h"

// Placeholder: implemented on its own branch this session.
