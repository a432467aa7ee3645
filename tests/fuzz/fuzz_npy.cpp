// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target for the .npy reader (chroma2/io/npy.hpp). Each input is the whole content of a .npy
// file, handed to detail::parse_npy, the in-memory parser behind read_npy; an array it accepts is
// then converted with NpyArray::as<T> to every type the library asks for (float, double, int32,
// int64), as the detector loaders do.
// A chroma2::Error is the expected answer to a bad file or to a value that does not fit the
// requested type, and is not a finding. A finding is any other exception (std::bad_alloc from a
// size taken on trust included), a crash, a hang, a sanitizer report, or an accepted array whose
// dtype, shape and data size disagree.
#include "chroma2/io/npy.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz_npy: the reader returned a bad array: %s\n", what);
  std::abort();
}

template <class T>
void convert(const chroma2::NpyArray& a) {
  try {
    if (a.as<T>().size() != a.count()) finding("as<T>() gave the wrong number of values");
  } catch (const chroma2::Error&) {
    // a value that does not fit T, refused clearly
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<unsigned char> bytes(data, data + size);
  chroma2::NpyArray a;
  try {
    a = chroma2::detail::parse_npy("fuzz.npy", bytes);
  } catch (const chroma2::Error&) {
    return 0;  // a clear refusal of a bad file: the expected outcome
  }
  if (a.dtype != "<f4" && a.dtype != "<f8" && a.dtype != "<i4" && a.dtype != "<i8")
    finding("an unsupported dtype was accepted");
  std::size_t count = 1;  // the shape's product, watching for wrap-around
  for (const std::size_t s : a.shape)
    if (s != 0 && count > SIZE_MAX / s)
      count = SIZE_MAX;
    else
      count *= s;
  if (count != a.count() || a.data.size() != count * a.item_size() || a.data.size() > size)
    finding("the data size disagrees with dtype and shape");
  convert<float>(a);
  convert<double>(a);
  convert<std::int32_t>(a);
  convert<std::int64_t>(a);
  return 0;
}
