// Boost.JSON header-only: its implementation is compiled once, here, so the driver's own
// sources rebuild quickly.
#include <boost/json/src.hpp>
