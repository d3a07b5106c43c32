#include "notify/vrrp_notice.h"

// Placeholder: implemented on its own branch this session.
