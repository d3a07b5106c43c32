#include "vrrp/fsm.h"
