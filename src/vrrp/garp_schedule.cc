#include "vrrp/garp_schedule.h"
