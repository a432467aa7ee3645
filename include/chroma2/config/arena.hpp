// SPDX-License-Identifier: BSD-3-Clause
// Arena<Space>: one allocation in a memory space carved into aligned pieces by a bump pointer.
// Every piece lives as long as the arena: no per-piece free, no fragmentation, and one allocation
// call (cudaMalloc, cudaHostAlloc) instead of one per buffer, made before anything runs. An
// ArenaPlan adds up the pieces first, so the arena is exactly as large as what is taken from it.
// The runtime names its two uses (runtime/arena.hpp): DeviceArena, StagingArena.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace chroma2 {

namespace detail {
constexpr std::size_t align_up(std::size_t v, std::size_t alignment) {
  return (v + alignment - 1) / alignment * alignment;
}
}  // namespace detail

// The pieces an arena will hold, in the order they will be taken.
class ArenaPlan {
 public:
  template <class T>
  ArenaPlan& add(std::size_t count, std::size_t alignment = cache_line_bytes) {
    HostResource::check_alignment(alignment);
    if (count > (SIZE_MAX - bytes_ - alignment) / sizeof(T))
      fail("arena plan of " + std::to_string(count) + " elements is too large",
           "its size in bytes overflows", "ask for fewer elements");
    bytes_ = detail::align_up(bytes_, alignment) + count * sizeof(T);
    return *this;
  }
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t bytes_ = 0;
};

template <class Space>
class Arena {
 public:
  Arena() = default;
  Arena(std::size_t bytes, std::string name, Stream stream = {})
      : storage_(bytes, stream, 256), name_(std::move(name)) {}
  explicit Arena(const ArenaPlan& plan, std::string name, Stream stream = {})
      : Arena(plan.bytes(), std::move(name), stream) {}

  // The next `count` elements of T, aligned; throws chroma2::Error when they do not fit.
  template <class T>
  std::span<T> take(std::size_t count, std::size_t alignment = cache_line_bytes) {
    HostResource::check_alignment(alignment);
    const std::size_t at = detail::align_up(used_, alignment);
    if (count > (storage_.size() - std::min(at, storage_.size())) / sizeof(T))
      fail(name_ + " arena of " + std::to_string(storage_.size()) + " bytes cannot hold " +
               std::to_string(count) + " more elements of " + std::to_string(sizeof(T)) +
               " bytes (" + std::to_string(used_) + " bytes used)",
           "an arena is sized once, before anything runs",
           "size it from an ArenaPlan of everything taken from it");
    used_ = at + count * sizeof(T);
    return std::span<T>(reinterpret_cast<T*>(storage_.data() + at), count);
  }

  std::size_t used() const { return used_; }
  std::size_t capacity() const { return storage_.size(); }
  const std::string& name() const { return name_; }

 private:
  Buffer<std::byte, Space> storage_;
  std::size_t used_ = 0;
  std::string name_;
};

}  // namespace chroma2
