// Placeholder: filled on its own branch this session.
#include <gtest/gtest.h>
