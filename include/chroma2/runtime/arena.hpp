// SPDX-License-Identifier: BSD-3-Clause
// The runtime's two arenas (config/arena.hpp): DeviceArena, device memory for what lives as long
// as a session (the worker's per-event-slot tables: counts, tallies, summaries, event numbers),
// and StagingArena, pinned host memory for data in transit (photons on their way into the inbox,
// output records on their way out, the constants that reset a slot). Each is one allocation made
// when the worker is built; nothing is allocated while it runs. On the host backend both are
// plain host memory.
#pragma once

#include "chroma2/config/arena.hpp"
#include "chroma2/config/memory.hpp"

namespace chroma2 {

#if CHROMA2_HAS_CUDA_RUNTIME
using DeviceArena = Arena<Device>;
using StagingArena = Arena<Pinned>;
#endif
using HostArena = Arena<Host>;

}  // namespace chroma2
