#include "check/misc_probe.h"

#include <gtest/gtest.h>
