#include "check/http_probe.h"

#include <gtest/gtest.h>
