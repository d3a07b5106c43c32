#include "lvs/notice_line.h"

#include <gtest/gtest.h>
