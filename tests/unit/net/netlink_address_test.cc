#include "net/netlink_address.h"

#include <gtest/gtest.h>
