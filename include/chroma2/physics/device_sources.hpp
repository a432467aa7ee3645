// SPDX-License-Identifier: BSD-3-Clause
// The device expansion of a photon source: every photon of an event made in a kernel (one thread
// per photon) into a Buffer<Photon, Device>, the same photons as the host's expand() (see the
// stream rule in core/concepts/photon_source.hpp). Only in translation units compiled by nvcc.
#pragma once

#if defined(__CUDACC__)

#include "chroma2/config/cuda_check.hpp"
#include "chroma2/config/error.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/core/concepts/photon_source.hpp"
#include "chroma2/physics/detail/expand_kernel.hpp"
#include "chroma2/physics/sources.hpp"
#include "chroma2/physics/wavelength_spec.hpp"

#include <cstdint>
#include <limits>
#include <string>

namespace chroma2 {

namespace detail {

// Refuses a source whose tables or list the device cannot read (host memory that is neither
// pinned and mapped nor managed), which a kernel would fault on.
template <class S>
void require_device_readable(const S& source) {
  for_each_table(source, [](const void* p, const std::string& what) {
    if (!device_can_read(p))
      fail(what + " is in host memory the device cannot read", "the device expands the source",
           "build it with Space = Device (or expand on the host with expand())");
  });
}

}  // namespace detail

// Expands the source for `event` under run seed `seed` into `out` (device memory for at least
// source.count() photons), asynchronously on `stream`. Validates the source first where it has a
// validate(); tables and lists it points to must be in device-readable memory.
template <PhotonSource S, RngPolicy Policy = Philox4x32Policy>
void expand_on_device_into(const S& source, std::uint64_t seed, std::uint64_t event, Photon* out,
                           Stream stream = {}, Policy policy = {}) {
  if constexpr (ValidatedSource<S>) validate(source);
  detail::require_device_readable(source);
  const std::uint64_t n = source.count();
  if (n == 0) return;
  const std::uint64_t blocks =
      (n + detail::expand_block_threads - 1) / detail::expand_block_threads;
  if (blocks > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
    fail("a source of " + std::to_string(n) + " photons is too large to expand at once",
         "one thread per photon exceeds the grid's 2^31 - 1 blocks",
         "split it into several sources or events");
  detail::expand_source_kernel<<<static_cast<unsigned>(blocks), detail::expand_block_threads, 0,
                                 stream.cuda()>>>(source, n, seed, event, policy, out);
  CHROMA2_CUDA_CHECK_LAUNCH();
}

// The same into a new Buffer<Photon, Device> of source.count() photons, allocated and filled on
// `stream` (the caller synchronises before reading it on the host).
template <PhotonSource S, RngPolicy Policy = Philox4x32Policy>
Buffer<Photon, Device> expand_on_device(const S& source, std::uint64_t seed, std::uint64_t event,
                                        Stream stream = {}, Policy policy = {}) {
  if constexpr (ValidatedSource<S>) validate(source);
  Buffer<Photon, Device> out(static_cast<std::size_t>(source.count()), stream);
  expand_on_device_into(source, seed, event, out.data(), stream, policy);
  return out;
}

}  // namespace chroma2

#endif
