#include "check/smtp_probe.h"

#include <gtest/gtest.h>
