// SPDX-License-Identifier: BSD-3-Clause
// MemoryResource: what an owner needs from an allocator. Deliberately small (no cuda::mr): allocate
// and deallocate with an alignment and a stream, nothing more.
#pragma once

#include "chroma2/config/stream.hpp"

#include <concepts>
#include <cstddef>

namespace chroma2 {

template <class R>
concept MemoryResource = std::default_initializable<R> &&
    requires(const R r, void* p, std::size_t bytes, std::size_t align, Stream s) {
  { r.allocate(bytes, align, s) } -> std::same_as<void*>;
  { r.deallocate(p, bytes, align, s) } -> std::same_as<void>;
};

}  // namespace chroma2
