#pragma once
/// @file puppies.h  Umbrella header: includes the whole public API.

#include "puppies/clock.h"
#include "puppies/engine.h"
#include "puppies/options.h"
#include "puppies/status.h"
#include "puppies/types.h"
#include "puppies/version.h"
