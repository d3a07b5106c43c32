#include "process/credentials.h"

// Placeholder: implemented on its own branch this session.
