#include "vrrp/sync_group.h"

#include <gtest/gtest.h>
