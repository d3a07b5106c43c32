#include "net/arp.h"
