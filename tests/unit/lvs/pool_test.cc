#include "lvs/pool.h"

#include <gtest/gtest.h>
