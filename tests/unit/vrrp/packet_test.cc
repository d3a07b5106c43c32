#include "vrrp/packet.h"

#include <gtest/gtest.h>
