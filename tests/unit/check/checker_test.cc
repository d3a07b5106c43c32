#include "check/checker.h"

#include <gtest/gtest.h>
