// VRRP packet codec (RFC 3768 VRRPv2, RFC 5798 VRRPv3): build and parse, no I/O.
#pragma once
