#include "check/genhash.h"

#include <gtest/gtest.h>
