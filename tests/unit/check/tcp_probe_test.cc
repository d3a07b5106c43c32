#include "check/tcp_probe.h"

#include <gtest/gtest.h>
