// The VRRP protocol state machine (RFC 5798 §6.4): pure, time injected.
#pragma once
