// SPDX-License-Identifier: BSD-3-Clause
// Group: the unit that cooperates on a chunk of work. On the device it is a warp (32 lanes, one
// thread each); on the host it is one thread that plays all 32 lanes in turn. Cooperative code is
// written once against this interface: per-lane values live in a LaneArray, `for_lanes` visits
// the lanes this thread plays, and the collective operations (sum, exclusive scan, broadcast from
// the leader) combine them. On the device a LaneArray holds one value; on the host it holds 32.
#pragma once

#include "chroma2/config/macros.hpp"

#include <cstdint>

namespace chroma2 {

inline constexpr int group_lanes = 32;

// A lone thread acting as a group of one lane: thread-level operations are the group code with
// this group, so they have no second implementation. Usable on both backends, even divergent.
struct SoloGroup {
  static constexpr int lanes = 1;
  template <class T>
  struct LaneArray {
    T v;
    CHROMA2_HD T& operator[](int) { return v; }
    CHROMA2_HD const T& operator[](int) const { return v; }
  };
  template <class F>
  CHROMA2_HD void for_lanes(F&& f) const {
    f(0);
  }
  template <class T>
  CHROMA2_HD T sum(const LaneArray<T>& a) const {
    return a.v;
  }
  template <class T>
  CHROMA2_HD T exclusive_scan(const LaneArray<T>& in, LaneArray<T>& out) const {
    out.v = T{};
    return in.v;
  }
  template <class T>
  CHROMA2_HD std::uint32_t count_nonzero(const LaneArray<T>& a) const {
    return a.v != T{} ? 1u : 0u;
  }
  template <class F>
  CHROMA2_HD auto leader(F&& f) const {
    return f();
  }
  CHROMA2_HD void sync() const {}
};

// Host group: one thread, 32 lanes played one after another.
struct SerialGroup {
  static constexpr int lanes = group_lanes;
  template <class T>
  struct LaneArray {
    T v[lanes];
    CHROMA2_HD T& operator[](int lane) { return v[lane]; }
    CHROMA2_HD const T& operator[](int lane) const { return v[lane]; }
  };
  template <class F>
  CHROMA2_HD void for_lanes(F&& f) const {
    for (int lane = 0; lane < lanes; ++lane) f(lane);
  }
  template <class T>
  CHROMA2_HD T sum(const LaneArray<T>& a) const {
    T s{};
    for (int lane = 0; lane < lanes; ++lane) s += a[lane];
    return s;
  }
  // Lanes whose value is not zero.
  template <class T>
  CHROMA2_HD std::uint32_t count_nonzero(const LaneArray<T>& a) const {
    std::uint32_t c = 0;
    for (int lane = 0; lane < lanes; ++lane) c += a[lane] != T{} ? 1u : 0u;
    return c;
  }
  // Exclusive prefix sum, lane by lane; returns the total.
  template <class T>
  CHROMA2_HD T exclusive_scan(const LaneArray<T>& in, LaneArray<T>& out) const {
    T run{};
    for (int lane = 0; lane < lanes; ++lane) {
      out[lane] = run;
      run += in[lane];
    }
    return run;
  }
  // Runs f once for the whole group and hands its result to every lane.
  template <class F>
  CHROMA2_HD auto leader(F&& f) const {
    return f();
  }
  CHROMA2_HD void sync() const {}
};

#if defined(__CUDACC__)
// Device group: one full, converged warp. Every lane must call each collective.
struct WarpGroup {
  static constexpr int lanes = group_lanes;
  template <class T>
  struct LaneArray {
    T v;
    __device__ T& operator[](int) { return v; }
    __device__ const T& operator[](int) const { return v; }
  };
  __device__ static int lane_id() { return static_cast<int>(threadIdx.x % 32u); }
  template <class F>
  __device__ void for_lanes(F&& f) const {
    f(lane_id());
  }
  template <class T>
  __device__ T sum(const LaneArray<T>& a) const {
    T s = a.v;
    for (int off = 16; off > 0; off >>= 1) s += __shfl_xor_sync(0xffffffffu, s, off);
    return s;
  }
  template <class T>
  __device__ std::uint32_t count_nonzero(const LaneArray<T>& a) const {
    return static_cast<std::uint32_t>(__popc(__ballot_sync(0xffffffffu, a.v != T{})));
  }
  template <class T>
  __device__ T exclusive_scan(const LaneArray<T>& in, LaneArray<T>& out) const {
    const int lane = lane_id();
    T x = in.v;
    for (int off = 1; off < 32; off <<= 1) {
      T y = __shfl_up_sync(0xffffffffu, x, off);
      if (lane >= off) x += y;
    }
    out.v = x - in.v;
    return __shfl_sync(0xffffffffu, x, 31);
  }
  template <class F>
  __device__ auto leader(F&& f) const {
    decltype(f()) r{};
    if (lane_id() == 0) r = f();
    return broadcast(r);
  }
  template <class T>
  __device__ static T broadcast(T v) {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8, "broadcast moves 4- or 8-byte values");
    if constexpr (sizeof(T) == 4) {
      unsigned u;
      memcpy(&u, &v, 4);
      u = __shfl_sync(0xffffffffu, u, 0);
      memcpy(&v, &u, 4);
    } else {
      unsigned long long u;
      memcpy(&u, &v, 8);
      u = __shfl_sync(0xffffffffu, u, 0);
      memcpy(&v, &u, 8);
    }
    return v;
  }
  __device__ void sync() const { __syncwarp(); }
};
#endif

}  // namespace chroma2
