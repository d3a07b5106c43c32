// Boost.JSON compiled into halo (its documented header-only mode: this one file includes the
// library's sources) instead of linking libboost_json and libboost_container: only
// `--dump-conf=json` uses it, and two shared libraries fewer are less resident memory for every
// running halod (design §6).
#include <boost/json/src.hpp>
