// SPDX-License-Identifier: BSD-3-Clause
// Execution-space macros: one spelling for code that runs on the host and on the device.
// Under nvcc CHROMA2_HD means __host__ __device__; under a plain C++ compiler it is empty, so the
// CPU library needs no CUDA header at all.
#pragma once

#if defined(__CUDACC__)
#define CHROMA2_HD __host__ __device__
#define CHROMA2_DEVICE __device__
#define CHROMA2_FORCEINLINE __forceinline__
#define CHROMA2_NOINLINE __noinline__
// True in translation units compiled by nvcc: the CUDA runtime is available and device owners
// exist.
#define CHROMA2_HAS_CUDA_RUNTIME 1
#else
#define CHROMA2_HD
#define CHROMA2_DEVICE
#define CHROMA2_FORCEINLINE inline __attribute__((always_inline))
#define CHROMA2_NOINLINE __attribute__((noinline))
#define CHROMA2_HAS_CUDA_RUNTIME 0
#endif

// True only in the device pass of nvcc (code that may use warp intrinsics).
#if defined(__CUDA_ARCH__)
#define CHROMA2_DEVICE_PASS 1
#else
#define CHROMA2_DEVICE_PASS 0
#endif
