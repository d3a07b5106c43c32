#include "check/dns_probe.h"

#include <gtest/gtest.h>
