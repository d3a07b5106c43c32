#include "net/ndisc.h"

#include <gtest/gtest.h>
