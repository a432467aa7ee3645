// SPDX-License-Identifier: BSD-3-Clause
// CopyTelemetry: the bytes a persistent worker moved between host and device through its copy
// streams (photons into the inbox, output entries out of it) and the host time spent on those
// copies (the copy engine's work and the wait for it; staging excluded). Beside the propagation
// time it tells how much copying was hidden.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace chroma2 {

struct CopyTelemetry {
  std::uint64_t in_bytes = 0;   // photons copied into the inbox
  std::uint64_t in_ns = 0;      // host time copying them (from pinned staging)
  std::uint64_t out_bytes = 0;  // output entries copied out
  std::uint64_t out_ns = 0;     // host time copying them
  std::uint64_t in_copies = 0, out_copies = 0;
};

namespace detail {
// Counters a feeding thread and a draining thread add to while another reads them.
class CopyClock {
 public:
  void add_in(std::uint64_t bytes, std::chrono::steady_clock::duration d) {
    in_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    in_ns_.fetch_add(ns(d), std::memory_order_relaxed);
    in_copies_.fetch_add(1, std::memory_order_relaxed);
  }
  void add_out(std::uint64_t bytes, std::chrono::steady_clock::duration d) {
    out_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    out_ns_.fetch_add(ns(d), std::memory_order_relaxed);
    out_copies_.fetch_add(1, std::memory_order_relaxed);
  }
  CopyTelemetry read() const {
    return {
        in_bytes_.load(std::memory_order_relaxed),  in_ns_.load(std::memory_order_relaxed),
        out_bytes_.load(std::memory_order_relaxed), out_ns_.load(std::memory_order_relaxed),
        in_copies_.load(std::memory_order_relaxed), out_copies_.load(std::memory_order_relaxed)};
  }
  CopyClock() = default;
  CopyClock(CopyClock&& o) noexcept { *this = o.read(); }  // a worker moves before it runs

 private:
  CopyClock& operator=(const CopyTelemetry& t) {
    in_bytes_ = t.in_bytes, in_ns_ = t.in_ns, out_bytes_ = t.out_bytes, out_ns_ = t.out_ns;
    in_copies_ = t.in_copies, out_copies_ = t.out_copies;
    return *this;
  }
  static std::uint64_t ns(std::chrono::steady_clock::duration d) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
  }
  std::atomic<std::uint64_t> in_bytes_{0}, in_ns_{0}, out_bytes_{0}, out_ns_{0}, in_copies_{0},
      out_copies_{0};
};
}  // namespace detail

}  // namespace chroma2
