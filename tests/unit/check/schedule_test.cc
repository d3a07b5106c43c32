#include "check/schedule.h"

#include <gtest/gtest.h>
