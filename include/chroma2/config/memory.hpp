// SPDX-License-Identifier: BSD-3-Clause
// Memory spaces and the resources that allocate in them. Owners take a space as a template
// parameter (Device, Host, Pinned) and allocate through that space's resource, which models
// chroma2::MemoryResource (core/concepts/memory_resource.hpp). Device and Pinned exist only in
// nvcc translation units; Host is always there, so the CPU library needs no CUDA header.
#pragma once

#include "chroma2/config/cuda_check.hpp"
#include "chroma2/config/error.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/stream.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>

namespace chroma2 {

// Every array that a kernel streams through is aligned to a full 128-byte cache line.
inline constexpr std::size_t cache_line_bytes = 128;

// Host memory (the host backend's "device" memory).
class HostResource {
 public:
  void* allocate(std::size_t bytes, std::size_t alignment, Stream = {}) const {
    if (bytes == 0) return nullptr;
    check_alignment(alignment);
    return ::operator new(bytes, std::align_val_t(alignment));
  }
  void deallocate(void* p, std::size_t, std::size_t alignment, Stream = {}) const {
    if (p) ::operator delete(p, std::align_val_t(alignment));
  }
  static void check_alignment(std::size_t alignment) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
      fail("invalid alignment " + std::to_string(alignment), "it must be a power of two",
           "pass a power-of-two alignment such as 128");
  }
};

#if CHROMA2_HAS_CUDA_RUNTIME
// Device global memory. cudaMalloc aligns to at least 256 bytes, which covers every alignment
// the library asks for (at most 256); larger requests are refused rather than silently ignored.
class DeviceResource {
 public:
  void* allocate(std::size_t bytes, std::size_t alignment, Stream = {}) const {
    if (bytes == 0) return nullptr;
    HostResource::check_alignment(alignment);
    if (alignment > 256)
      fail("device alignment " + std::to_string(alignment) + " not supported",
           "cudaMalloc guarantees 256 bytes", "ask for 256 or less");
    void* p = nullptr;
    CHROMA2_CUDA_TRY(cudaMalloc(&p, bytes));
    return p;
  }
  void deallocate(void* p, std::size_t, std::size_t, Stream = {}) const {
    if (p) cudaFree(p);
  }
};

// Page-locked host memory, mapped into the device address space (copies and doorbells).
class PinnedResource {
 public:
  void* allocate(std::size_t bytes, std::size_t alignment, Stream = {}) const {
    if (bytes == 0) return nullptr;
    HostResource::check_alignment(alignment);
    if (alignment > 4096)
      fail("pinned alignment " + std::to_string(alignment) + " not supported",
           "pinned allocations are page aligned", "ask for 4096 or less");
    void* p = nullptr;
    CHROMA2_CUDA_TRY(cudaHostAlloc(&p, bytes, cudaHostAllocMapped | cudaHostAllocPortable));
    return p;
  }
  void deallocate(void* p, std::size_t, std::size_t, Stream = {}) const {
    if (p) cudaFreeHost(p);
  }
};
#endif

// Memory spaces: tags that name where an owner's storage lives and how to copy to/from it.
struct Host {
  using resource_type = HostResource;
  static constexpr bool device_accessible = false;
  static void copy_to_host(void* dst, const void* src, std::size_t n, Stream = {}) {
    if (n) std::memcpy(dst, src, n);
  }
  static void copy_from_host(void* dst, const void* src, std::size_t n, Stream = {}) {
    if (n) std::memcpy(dst, src, n);
  }
  static void fill(void* dst, int byte, std::size_t n, Stream = {}) {
    if (n) std::memset(dst, byte, n);
  }
  static void synchronize(Stream) {}
};

#if CHROMA2_HAS_CUDA_RUNTIME
struct Device {
  using resource_type = DeviceResource;
  static constexpr bool device_accessible = true;
  static void copy_to_host(void* dst, const void* src, std::size_t n, Stream s = {}) {
    if (n) CHROMA2_CUDA_TRY(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToHost, s.cuda()));
  }
  static void copy_from_host(void* dst, const void* src, std::size_t n, Stream s = {}) {
    if (n) CHROMA2_CUDA_TRY(cudaMemcpyAsync(dst, src, n, cudaMemcpyHostToDevice, s.cuda()));
  }
  static void fill(void* dst, int byte, std::size_t n, Stream s = {}) {
    if (n) CHROMA2_CUDA_TRY(cudaMemsetAsync(dst, byte, n, s.cuda()));
  }
  static void synchronize(Stream s) { s.synchronize(); }
};

struct Pinned {
  using resource_type = PinnedResource;
  static constexpr bool device_accessible = true;
  static void copy_to_host(void* dst, const void* src, std::size_t n, Stream s = {}) {
    if (n) CHROMA2_CUDA_TRY(cudaMemcpyAsync(dst, src, n, cudaMemcpyDefault, s.cuda()));
  }
  static void copy_from_host(void* dst, const void* src, std::size_t n, Stream s = {}) {
    if (n) CHROMA2_CUDA_TRY(cudaMemcpyAsync(dst, src, n, cudaMemcpyDefault, s.cuda()));
  }
  static void fill(void* dst, int byte, std::size_t n, Stream s = {}) {
    s.synchronize();
    if (n) std::memset(dst, byte, n);
  }
  static void synchronize(Stream s) { s.synchronize(); }
};
#endif

// Whether the device can read memory at p: device or managed memory, or pinned host memory mapped
// into the device's address space (a null pointer reads nothing: true). Plain host memory, or a
// pointer the runtime cannot classify, is false; without the CUDA runtime there is no device.
inline bool device_can_read([[maybe_unused]] const void* p) {
#if CHROMA2_HAS_CUDA_RUNTIME
  if (!p) return true;
  cudaPointerAttributes a{};
  if (cudaPointerGetAttributes(&a, p) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky-less error the query left
    return false;
  }
  return a.type == cudaMemoryTypeDevice || a.type == cudaMemoryTypeManaged ||
         (a.type == cudaMemoryTypeHost && a.devicePointer != nullptr);
#else
  return false;
#endif
}

// A typed, RAII, move-only buffer in a memory space. The building block of every owner.
template <class T, class Space>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::size_t count, Stream stream = {}, std::size_t alignment = cache_line_bytes)
      : count_(count), alignment_(alignment), stream_(stream) {
    if (count > SIZE_MAX / sizeof(T))
      fail("buffer of " + std::to_string(count) + " elements is too large",
           "its size in bytes overflows", "ask for fewer elements");
    data_ = static_cast<T*>(resource_.allocate(count * sizeof(T), alignment, stream));
  }
  ~Buffer() { release(); }
  Buffer(Buffer&& o) noexcept { swap(o); }
  Buffer& operator=(Buffer&& o) noexcept {
    if (this != &o) {
      release();
      swap(o);
    }
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  T* data() const { return data_; }
  std::size_t size() const { return count_; }
  std::size_t bytes() const { return count_ * sizeof(T); }

 private:
  void release() {
    if (data_) resource_.deallocate(data_, count_ * sizeof(T), alignment_, stream_);
    data_ = nullptr;
    count_ = 0;
  }
  void swap(Buffer& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(count_, o.count_);
    std::swap(alignment_, o.alignment_);
    std::swap(stream_, o.stream_);
  }
  T* data_ = nullptr;
  std::size_t count_ = 0;
  std::size_t alignment_ = cache_line_bytes;
  Stream stream_{};
  [[no_unique_address]] typename Space::resource_type resource_{};
};

}  // namespace chroma2
