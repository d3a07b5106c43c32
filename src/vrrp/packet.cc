#include "vrrp/packet.h"
