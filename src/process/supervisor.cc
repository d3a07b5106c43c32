#include "process/supervisor.h"

// Placeholder: implemented on its own branch this session.
