#include "vrrp/fsm.h"

#include <gtest/gtest.h>
