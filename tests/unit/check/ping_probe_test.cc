#include "check/ping_probe.h"

#include <gtest/gtest.h>
