// Boost.JSON compiled into halo (its documented header-only mode: this one file includes the
// library's sources) instead of linking libboost_json and libboost_container: two shared
// libraries fewer are less resident memory for every running halod (design §6). The dumps, the
// control socket and haloctl all use it.
#include <boost/json/src.hpp>
