#include "notify/notifier.h"

// Placeholder: implemented on its own branch this session.
