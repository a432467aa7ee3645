// SPDX-License-Identifier: BSD-3-Clause
// NvtxRange: marks a stage of the session (feeding an event, draining, completing) as an NVTX
// range, so a profiler's timeline shows the host stages beside the kernel and the copies. The NVTX
// headers ship with the CUDA toolkit; without them (a CPU-only build) a range is a no-op.
#pragma once

#include "chroma2/config/macros.hpp"

#if CHROMA2_HAS_CUDA_RUNTIME && __has_include(<nvtx3/nvToolsExt.h>)
#include <nvtx3/nvToolsExt.h>
#define CHROMA2_HAS_NVTX 1
#else
#define CHROMA2_HAS_NVTX 0
#endif

namespace chroma2::detail {

class NvtxRange {
 public:
  explicit NvtxRange(const char* name) {
#if CHROMA2_HAS_NVTX
    nvtxRangePushA(name);
#else
    (void)name;
#endif
  }
  ~NvtxRange() {
#if CHROMA2_HAS_NVTX
    nvtxRangePop();
#endif
  }
  NvtxRange(const NvtxRange&) = delete;
  NvtxRange& operator=(const NvtxRange&) = delete;
};

}  // namespace chroma2::detail
