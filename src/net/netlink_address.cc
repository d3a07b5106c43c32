#include "net/netlink_address.h"
