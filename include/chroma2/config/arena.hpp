// SPDX-License-Identifier: BSD-3-Clause
// Arena<Space>: one allocation in a memory space carved into aligned pieces by a bump pointer.
// Every piece lives as long as the arena: no per-piece free, no fragmentation, and one allocation
// call (cudaMalloc, cudaHostAlloc) instead of one per buffer, made before anything runs. An
// ArenaPlan adds up the pieces first, so the arena is exactly as large as what is taken from it.
// The runtime names its two uses (runtime/arena.hpp): DeviceArena, StagingArena; the owners of
// long-lived assets (a geometry, a set of material or surface tables, a spectrum) each keep
// theirs in one arena, as ArenaPieces.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

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

// A piece of an arena as the owner of both keeps it: where the elements are and how many. Moving
// it empties the source, so an owner that moves its arena away (Arena is move-only) leaves no view
// of it behind; an empty piece's data() is null.
template <class T>
class ArenaPiece {
 public:
  ArenaPiece() = default;
  explicit ArenaPiece(std::span<T> s) : data_(s.empty() ? nullptr : s.data()), size_(s.size()) {}
  ArenaPiece(ArenaPiece&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  ArenaPiece& operator=(ArenaPiece&& o) noexcept {
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    return *this;
  }
  ArenaPiece(const ArenaPiece&) = delete;
  ArenaPiece& operator=(const ArenaPiece&) = delete;

  T* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return size_ * sizeof(T); }
  std::span<T> span() const { return {data_, size_}; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
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

  // The same, kept as a piece by an owner.
  template <class T>
  ArenaPiece<T> piece(std::size_t count, std::size_t alignment = cache_line_bytes) {
    return ArenaPiece<T>(take<T>(count, alignment));
  }

  // A piece holding a copy of host data: the copy is issued on `stream`, not waited for.
  template <class T>
  ArenaPiece<std::remove_const_t<T>> copy_in(std::span<T> host, Stream stream = {}) {
    ArenaPiece<std::remove_const_t<T>> p = piece<std::remove_const_t<T>>(host.size());
    if (!host.empty()) Space::copy_from_host(p.data(), host.data(), host.size_bytes(), stream);
    return p;
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
