// SPDX-License-Identifier: BSD-3-Clause
// The whole library but io: include this one header to use chroma2.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/error.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/config/version.hpp"
#include "chroma2/core/group.hpp"
#include "chroma2/core/isotropic_init.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/photon_id.hpp"
#include "chroma2/core/photon_page.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/core/vec.hpp"
