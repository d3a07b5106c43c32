#include "notify/notify_fifo.h"

// Placeholder: implemented on its own branch this session.
