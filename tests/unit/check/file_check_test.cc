#include "check/file_check.h"

#include <gtest/gtest.h>
