#include "track/process_quorum.h"

// Placeholder: implemented on its own branch this session.
