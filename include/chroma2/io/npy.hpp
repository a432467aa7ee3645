// SPDX-License-Identifier: BSD-3-Clause
// A small reader for NumPy .npy files (format versions 1-3, little-endian float32, float64, int32,
// int64, C order): what the demo detectors and tables are stored in. Every malformed file gives a
// chroma2::Error naming the file, the byte offset, what was expected and what was found.
#pragma once

#include "chroma2/config/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace chroma2 {

struct NpyArray {
  std::string dtype;               // "<f4", "<f8", "<i4" or "<i8"
  std::vector<std::size_t> shape;  // C order
  std::vector<unsigned char> data;
  std::string file;  // where it was read from, for messages

  std::size_t count() const {
    std::size_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
  // The values converted to T (float, double, int32 ...). A value T cannot hold gives an Error
  // rather than an undefined or silently changed result: for an integer T, a NaN, an infinity, a
  // fraction or a value out of T's range; for a floating-point T, a finite value beyond its range.
  template <class T>
  std::vector<T> as() const {
    if (dtype.size() != 3 || data.size() != count() * item_size())
      fail("NpyArray of dtype '" + dtype + "' has " + std::to_string(data.size()) +
               " data bytes for " + std::to_string(count()) + " values",
           "dtype, shape and data disagree", "fill it with read_npy");
    std::vector<T> out(count());
    for (std::size_t i = 0; i < out.size(); ++i) {
      const unsigned char* p = data.data() + i * item_size();
      if (dtype == "<f4")
        out[i] = convert<T>(load<float>(p), i);
      else if (dtype == "<f8")
        out[i] = convert<T>(load<double>(p), i);
      else if (dtype == "<i4")
        out[i] = convert<T>(load<std::int32_t>(p), i);
      else
        out[i] = convert<T>(load<std::int64_t>(p), i);
    }
    return out;
  }
  std::size_t item_size() const { return dtype.size() == 3 && dtype[2] == '4' ? 4 : 8; }

 private:
  template <class U>
  static U load(const unsigned char* p) {
    U u;
    std::memcpy(&u, p, sizeof(U));
    return u;
  }
  template <class T>
  static std::string type_name() {
    if constexpr (std::is_floating_point_v<T>)
      return sizeof(T) == 4 ? "float32" : sizeof(T) == 8 ? "float64" : "long double";
    else
      return (std::is_signed_v<T> ? "int" : "uint") + std::to_string(8 * sizeof(T));
  }
  template <class T, class U>
  T convert(U u, std::size_t i) const {
    bool fits = true;
    if constexpr (std::is_integral_v<T> && std::is_floating_point_v<U>) {
      // T's range is [lo, hi): both ends are powers of two, exact in U
      const U hi = std::ldexp(U(1), std::numeric_limits<T>::digits);
      const U lo = std::is_signed_v<T> ? -hi : U(0);
      fits = std::isfinite(u) && u == std::trunc(u) && u >= lo && u < hi;
    } else if constexpr (std::is_integral_v<T>) {
      fits = std::in_range<T>(u);
    } else if constexpr (std::is_floating_point_v<U> && sizeof(U) > sizeof(T)) {
      fits = !std::isfinite(u) || std::fabs(u) <= std::numeric_limits<T>::max();
    }
    if (!fits) {
      char text[64];
      const std::string value(text, std::to_chars(text, text + sizeof text, u).ptr);
      fail(".npy file '" + file + "' value " + std::to_string(i) + " (" + value + " of dtype " +
               dtype + ") does not fit the " + type_name<T>() + " it is read as",
           std::is_integral_v<T> ? "an integer type holds only whole numbers within its range"
                                 : "it is beyond that type's range",
           "check that this is the right file, or rewrite it with values of the right type");
    }
    return static_cast<T>(u);
  }
};

namespace detail {
[[noreturn]] inline void npy_fail(const std::filesystem::path& f, std::size_t offset,
                                  const std::string& expected, const std::string& found) {
  fail(".npy file '" + f.string() + "' is malformed at byte " + std::to_string(offset),
       "expected " + expected + ", found " + found,
       "rewrite it with numpy.save (little-endian, C order)");
}

// The value of 'key' in the header dictionary, as written (quoted string or tuple text).
inline std::string npy_field(const std::filesystem::path& f, const std::string& h,
                             const std::string& key, std::size_t base) {
  const auto k = h.find("'" + key + "'");
  if (k == std::string::npos)
    npy_fail(f, base, "the key '" + key + "' in the header", "'" + h + "'");
  auto c = h.find(':', k);
  if (c == std::string::npos) npy_fail(f, base + k, "':' after '" + key + "'", "none");
  ++c;
  while (c < h.size() && h[c] == ' ') ++c;
  if (c >= h.size()) npy_fail(f, base + c, "a value for '" + key + "'", "the end of the header");
  std::size_t e;
  if (h[c] == '\'') {
    e = h.find('\'', c + 1);
    if (e == std::string::npos) npy_fail(f, base + c, "a closing quote", "none");
    return h.substr(c + 1, e - c - 1);
  }
  if (h[c] == '(') {
    e = h.find(')', c);
    if (e == std::string::npos) npy_fail(f, base + c, "a closing ')'", "none");
    return h.substr(c, e - c + 1);
  }
  e = h.find_first_of(",}", c);
  return h.substr(c, e == std::string::npos ? std::string::npos : e - c);
}

// Parses the whole content of a .npy file held in memory; `file` only names it in messages.
inline NpyArray parse_npy(const std::filesystem::path& file,
                          const std::vector<unsigned char>& bytes) {
  if (bytes.size() < 10)
    detail::npy_fail(file, 0, "at least a 10-byte header",
                     std::to_string(bytes.size()) + " bytes in the whole file");
  if (std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    detail::npy_fail(file, 0, "the magic string \\x93NUMPY", "other bytes");
  const int major = bytes[6];
  if (major < 1 || major > 3)
    detail::npy_fail(file, 6, "format version 1, 2 or 3", "version " + std::to_string(major));
  std::size_t header_len, base;
  if (major == 1) {
    header_len = bytes[8] | (bytes[9] << 8);
    base = 10;
  } else {
    if (bytes.size() < 12)
      detail::npy_fail(file, 8, "a 4-byte header length", "the end of the file");
    header_len = bytes[8] | (bytes[9] << 8) | (std::size_t(bytes[10]) << 16) |
                 (std::size_t(bytes[11]) << 24);
    base = 12;
  }
  if (base + header_len > bytes.size())
    detail::npy_fail(file, base, "a header of " + std::to_string(header_len) + " bytes",
                     std::to_string(bytes.size() - base) + " bytes left");
  const std::string h(bytes.begin() + base, bytes.begin() + base + header_len);
  NpyArray a;
  a.dtype = detail::npy_field(file, h, "descr", base);
  if (a.dtype != "<f4" && a.dtype != "<f8" && a.dtype != "<i4" && a.dtype != "<i8")
    detail::npy_fail(file, base, "dtype <f4, <f8, <i4 or <i8", "'" + a.dtype + "'");
  std::string order = detail::npy_field(file, h, "fortran_order", base);
  while (!order.empty() && order.back() == ' ') order.pop_back();
  if (order != "False")
    detail::npy_fail(file, base, "fortran_order False (C order)", "'" + order + "'");
  const std::string shape = detail::npy_field(file, h, "shape", base);
  if (shape.empty() || shape.front() != '(')
    detail::npy_fail(file, base, "a shape tuple such as (2, 3)", "'" + shape + "'");
  // The dimensions, refusing any that overflow or whose data could not be addressed.
  const std::size_t most = std::numeric_limits<std::size_t>::max() / a.item_size();
  bool empty = false, too_many = false;
  std::size_t elements = 1;
  std::size_t i = 1;
  while (i < shape.size()) {
    while (i < shape.size() && (shape[i] == ' ' || shape[i] == ',')) ++i;
    if (i >= shape.size() || shape[i] == ')') break;
    std::size_t v = 0, digits = 0;
    for (; i < shape.size() && shape[i] >= '0' && shape[i] <= '9'; ++i, ++digits) {
      const std::size_t d = std::size_t(shape[i] - '0');
      if (v > (std::numeric_limits<std::size_t>::max() - d) / 10)
        detail::npy_fail(file, base, "dimensions below 2^64", "'" + shape + "'");
      v = v * 10 + d;
    }
    if (digits == 0) detail::npy_fail(file, base, "a shape of integers", "'" + shape + "'");
    a.shape.push_back(v);
    empty = empty || v == 0;
    if (!empty && !too_many) {
      too_many = v > most / elements;
      elements *= too_many ? 1 : v;
    }
  }
  const std::size_t data_at = base + header_len;
  if (too_many && !empty)
    detail::npy_fail(file, base, "a shape whose data can be addressed (below 2^64 bytes)",
                     "'" + shape + "' of " + a.dtype);
  const std::size_t want = a.count() * a.item_size();
  if (bytes.size() - data_at != want)
    detail::npy_fail(file, data_at,
                     std::to_string(want) + " data bytes for shape " + shape + " of " + a.dtype,
                     std::to_string(bytes.size() - data_at) + " bytes");
  a.data.assign(bytes.begin() + data_at, bytes.end());
  a.file = file.string();
  return a;
}
}  // namespace detail

inline NpyArray read_npy(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    fail("cannot open .npy file '" + file.string() + "'", "it does not exist or is unreadable",
         "check the path and the data folder setting (CHROMA2_DATA_DIR)");
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                         std::istreambuf_iterator<char>());
  return detail::parse_npy(file, bytes);
}

// Reads a .npy file and checks its shape: `shape` entries of 0 accept any size.
inline NpyArray read_npy(const std::filesystem::path& file, std::vector<std::size_t> shape) {
  NpyArray a = read_npy(file);
  bool ok = a.shape.size() == shape.size();
  for (std::size_t i = 0; ok && i < shape.size(); ++i) ok = shape[i] == 0 || shape[i] == a.shape[i];
  if (!ok) {
    auto str = [](const std::vector<std::size_t>& s) {
      std::string o = "(";
      for (auto v : s) o += (v ? std::to_string(v) : std::string("any")) + ",";
      return o + ")";
    };
    fail(".npy file '" + file.string() + "' has shape " + str(a.shape),
         "expected shape " + str(shape), "use the matching file");
  }
  return a;
}

}  // namespace chroma2
