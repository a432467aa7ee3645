// SPDX-License-Identifier: BSD-3-Clause
// A small reader for NumPy .npy files (format versions 1-3, little-endian float32, float64, int32,
// int64, C order): what the demo detectors and tables are stored in. Every malformed file gives a
// chroma2::Error naming the file, the byte offset, what was expected and what was found.
#pragma once

#include "chroma2/config/error.hpp"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace chroma2 {

struct NpyArray {
  std::string dtype;               // "<f4", "<f8", "<i4" or "<i8"
  std::vector<std::size_t> shape;  // C order
  std::vector<unsigned char> data;

  std::size_t count() const {
    std::size_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
  // The values converted to T (float, double, int32 ...).
  template <class T>
  std::vector<T> as() const {
    std::vector<T> out(count());
    for (std::size_t i = 0; i < out.size(); ++i) {
      const unsigned char* p = data.data() + i * item_size();
      if (dtype == "<f4")
        out[i] = static_cast<T>(load<float>(p));
      else if (dtype == "<f8")
        out[i] = static_cast<T>(load<double>(p));
      else if (dtype == "<i4")
        out[i] = static_cast<T>(load<std::int32_t>(p));
      else
        out[i] = static_cast<T>(load<std::int64_t>(p));
    }
    return out;
  }
  std::size_t item_size() const { return dtype[2] == '4' ? 4 : 8; }

 private:
  template <class U>
  static U load(const unsigned char* p) {
    U u;
    std::memcpy(&u, p, sizeof(U));
    return u;
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
}  // namespace detail

inline NpyArray read_npy(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    fail("cannot open .npy file '" + file.string() + "'", "it does not exist or is unreadable",
         "check the path and the data folder setting (CHROMA2_DATA_DIR)");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
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
  const std::string order = detail::npy_field(file, h, "fortran_order", base);
  if (order.find("False") == std::string::npos)
    detail::npy_fail(file, base, "fortran_order False (C order)", order);
  const std::string shape = detail::npy_field(file, h, "shape", base);
  std::size_t i = 1;
  while (i < shape.size()) {
    while (i < shape.size() && (shape[i] == ' ' || shape[i] == ',')) ++i;
    if (i >= shape.size() || shape[i] == ')') break;
    std::size_t v = 0, digits = 0;
    while (i < shape.size() && shape[i] >= '0' && shape[i] <= '9')
      v = v * 10 + (shape[i++] - '0'), ++digits;
    if (digits == 0) detail::npy_fail(file, base, "a shape of integers", "'" + shape + "'");
    a.shape.push_back(v);
  }
  const std::size_t data_at = base + header_len;
  const std::size_t want = a.count() * a.item_size();
  if (bytes.size() - data_at != want)
    detail::npy_fail(file, data_at,
                     std::to_string(want) + " data bytes for shape " + shape + " of " + a.dtype,
                     std::to_string(bytes.size() - data_at) + " bytes");
  a.data.assign(bytes.begin() + data_at, bytes.end());
  return a;
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
