#include "vrrp/garp_schedule.h"

#include <gtest/gtest.h>
