// SPDX-License-Identifier: BSD-3-Clause
// Bounded spinning for the short waits of the lock-free queues: on the device a growing
// __nanosleep, on the host a few busy spins and then a yield so a preempted peer can run.
#pragma once

#include "chroma2/config/macros.hpp"

#if !defined(__CUDA_ARCH__)
#include <thread>
#endif

namespace chroma2::detail {

class Backoff {
 public:
  CHROMA2_HD void pause() {
#if defined(__CUDA_ARCH__)
    __nanosleep(8u << (state_ < 5 ? state_ : 5));
    ++state_;
#else
    if (++state_ > 16) std::this_thread::yield();
#endif
  }

 private:
  unsigned state_ = 0;  // spins so far
};

}  // namespace chroma2::detail
