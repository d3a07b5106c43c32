#include "check/misc_dynamic.h"

#include <gtest/gtest.h>
