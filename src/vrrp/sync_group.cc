#include "vrrp/sync_group.h"
