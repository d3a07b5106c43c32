#include "check/udp_probe.h"

#include <gtest/gtest.h>
