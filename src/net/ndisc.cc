#include "net/ndisc.h"
