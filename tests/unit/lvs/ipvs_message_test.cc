#include "lvs/ipvs_message.h"

#include <gtest/gtest.h>
