#include "lvs/nft_backend.h"

#include <gtest/gtest.h>
