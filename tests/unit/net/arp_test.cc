#include "net/arp.h"

#include <gtest/gtest.h>
