// SPDX-License-Identifier: BSD-3-Clause
// Record tables and their .npy, CSV and HDF5 writers (see outputs.hpp).
#include "tools/sim/outputs.hpp"

#include "chroma2/config/error.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

namespace chroma2::sim {

RecordTable::RecordTable(std::string name, std::vector<Column> columns)
    : name_(std::move(name)), columns_(std::move(columns)) {
  for (const Column& c : columns_) {
    offsets_.push_back(row_bytes_);
    row_bytes_ += static_cast<std::size_t>(c.bytes * c.count);
  }
}

RecordTable::Row RecordTable::add_row() {
  bytes_.resize(bytes_.size() + row_bytes_);
  ++rows_;
  return Row(bytes_.data() + bytes_.size() - row_bytes_);
}

std::string RecordTable::numpy_descr() const {
  std::string s = "[";
  for (std::size_t k = 0; k < columns_.size(); ++k) {
    const Column& c = columns_[k];
    const char order = c.bytes == 1 ? '|' : '<';
    s += fmt::format("('{}', '{}{}{}'{})", c.name, order, c.kind, c.bytes,
                     c.count == 1 ? std::string() : fmt::format(", ({},)", c.count));
    if (k + 1 < columns_.size()) s += ", ";
  }
  return s + "]";
}

namespace {

std::vector<Column> hit_columns() {
  return {{"channel", 'i', 4, 1},  {"time_ns", 'f', 4, 1},   {"wavelength_nm", 'f', 4, 1},
          {"position", 'f', 4, 3}, {"direction", 'f', 4, 3}, {"polarization", 'f', 4, 3},
          {"flags", 'u', 4, 1},    {"event", 'u', 8, 1},     {"photon_id", 'u', 8, 1},
          {"weight", 'f', 4, 1},   {"steps", 'u', 2, 1},     {"generation", 'u', 1, 1},
          {"primitive", 'u', 4, 1}};
}

[[noreturn]] void write_failed(const std::filesystem::path& file, const std::string& why) {
  fail("cannot write '" + file.string() + "'", why,
       "check that the output folder exists and is writable (--out DIR)");
}

std::unique_ptr<std::FILE, int (*)(std::FILE*)> open_for_writing(const std::filesystem::path& f) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> p(std::fopen(f.c_str(), "wb"), &std::fclose);
  if (!p) write_failed(f, "it could not be opened for writing");
  return p;
}

}  // namespace

RecordTable hit_table(const std::vector<HitRecord>& hits) {
  RecordTable t("hits", hit_columns());
  for (const HitRecord& h : hits)
    t.add_row()
        .put(h.channel)
        .put(h.time)
        .put(h.wavelength)
        .put(h.position)
        .put(h.direction)
        .put(h.polarisation)
        .put(h.history)
        .put(h.event)
        .put(h.id)
        .put(h.weight)
        .put(h.steps)
        .put(h.generation)
        .put(h.primitive);
  return t;
}

RecordTable photon_table(const std::vector<Photon>& photons) {
  auto columns = hit_columns();
  columns.push_back({"reason", 'u', 1, 1});
  RecordTable t("photons", std::move(columns));
  for (const Photon& p : photons)
    t.add_row()
        .put(p.channel)
        .put(p.time)
        .put(p.wavelength)
        .put(p.position + p.position_low)
        .put(p.direction)
        .put(p.polarisation)
        .put(p.history)
        .put(std::uint64_t{p.event})
        .put(p.id)
        .put(p.weight)
        .put(p.steps)
        .put(p.generation)
        .put(p.last_primitive)
        .put(static_cast<std::uint8_t>(p.reason));
  return t;
}

RecordTable channel_table(const std::vector<std::uint64_t>& photoelectrons,
                          const std::vector<float>& first_time) {
  RecordTable t(
      "channels",
      {{"channel", 'i', 4, 1}, {"photoelectrons", 'u', 8, 1}, {"first_time_ns", 'f', 4, 1}});
  for (std::size_t c = 0; c < photoelectrons.size(); ++c)
    t.add_row().put(static_cast<std::int32_t>(c)).put(photoelectrons[c]).put(first_time[c]);
  return t;
}

RecordTable track_table(const std::vector<PhotonTrack>& tracks) {
  RecordTable t("tracks", {{"event", 'u', 8, 1},
                           {"photon_id", 'u', 8, 1},
                           {"point", 'u', 4, 1},
                           {"position", 'f', 4, 3},
                           {"time_ns", 'f', 4, 1}});
  for (const PhotonTrack& tr : tracks)
    for (std::uint32_t k = 0; k < tr.points.size(); ++k)
      t.add_row()
          .put(std::uint64_t{tr.photon.event})
          .put(tr.photon.id)
          .put(k)
          .put(tr.points[k].position)
          .put(tr.points[k].time);
  return t;
}

void write_npy(const RecordTable& t, const std::filesystem::path& file) {
  // Version 1.0 header: magic, version, little-endian header length, then a Python dict padded
  // with spaces and ended by a newline so the data starts on a multiple of 64 bytes.
  std::string header = "{'descr': " + t.numpy_descr() + ", 'fortran_order': False, 'shape': (" +
                       std::to_string(t.size()) + ",), }";
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535) write_failed(file, "the .npy header is too long for version 1.0");
  auto f = open_for_writing(file);
  const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  const std::uint16_t len = static_cast<std::uint16_t>(header.size());
  const unsigned char len_le[2] = {static_cast<unsigned char>(len & 0xff),
                                   static_cast<unsigned char>(len >> 8)};
  bool ok = std::fwrite(magic, 1, 8, f.get()) == 8 && std::fwrite(len_le, 1, 2, f.get()) == 2 &&
            std::fwrite(header.data(), 1, header.size(), f.get()) == header.size();
  const std::size_t bytes = t.size() * t.row_bytes();
  ok = ok && (bytes == 0 || std::fwrite(t.data(), 1, bytes, f.get()) == bytes);
  if (!ok || std::fflush(f.get()) != 0) write_failed(file, "the disk refused the data");
}

namespace {
template <class T>
T load(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Appends one number: integers in full, floats in the shortest form that reads back to the same
// float32 (or float64) value, inf and nan spelt as NumPy and pandas read them.
void format_number(std::string& out, const Column& c, const std::uint8_t* p) {
  auto to = std::back_inserter(out);
  if (c.kind == 'f') {
    const double v = c.bytes == 4 ? double(load<float>(p)) : load<double>(p);
    if (std::isinf(v))
      out += v > 0 ? "inf" : "-inf";
    else if (std::isnan(v))
      out += "nan";
    else if (c.bytes == 4)
      fmt::format_to(to, "{}", load<float>(p));
    else
      fmt::format_to(to, "{}", v);
    return;
  }
  if (c.kind == 'i') {
    const std::int64_t v = c.bytes == 1   ? load<std::int8_t>(p)
                           : c.bytes == 2 ? load<std::int16_t>(p)
                           : c.bytes == 4 ? load<std::int32_t>(p)
                                          : load<std::int64_t>(p);
    fmt::format_to(to, "{}", v);
    return;
  }
  const std::uint64_t v = c.bytes == 1   ? load<std::uint8_t>(p)
                          : c.bytes == 2 ? load<std::uint16_t>(p)
                          : c.bytes == 4 ? load<std::uint32_t>(p)
                                         : load<std::uint64_t>(p);
  fmt::format_to(to, "{}", v);
}

// Rows [first, last) of the table as CSV lines, appended to `out`.
void format_rows(const RecordTable& t, std::size_t first, std::size_t last, std::string& out) {
  const auto& cols = t.columns();
  for (std::size_t r = first; r < last; ++r) {
    const std::uint8_t* row = t.data() + r * t.row_bytes();
    for (std::size_t k = 0; k < cols.size(); ++k)
      for (int j = 0; j < cols[k].count; ++j) {
        if (k || j) out += ',';
        format_number(out, cols[k], row + t.offset(k) + std::size_t(j * cols[k].bytes));
      }
    out += '\n';
  }
}
}  // namespace

// Rows are formatted in blocks on all hardware threads, a wave of blocks at a time, and written in
// order, so the file is the same whatever the thread count and memory stays bounded.
void write_csv(const RecordTable& t, const std::filesystem::path& file) {
  auto f = open_for_writing(file);
  std::string line;
  const auto& cols = t.columns();
  for (std::size_t k = 0; k < cols.size(); ++k) {
    if (cols[k].count == 1) {
      line += cols[k].name;
    } else {
      for (int j = 0; j < cols[k].count; ++j)
        line += (j ? "," : "") + cols[k].name + "_" + "xyz"[j];
    }
    line += k + 1 < cols.size() ? ',' : '\n';
  }
  bool ok = std::fwrite(line.data(), 1, line.size(), f.get()) == line.size();
  constexpr std::size_t block = 1u << 14;  // rows
  const std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> wave(threads);
  for (std::size_t first = 0; ok && first < t.size(); first += threads * block) {
    {
      std::vector<std::jthread> pool;
      for (std::size_t w = 0; w < threads; ++w)
        pool.emplace_back([&, w] {
          wave[w].clear();
          const std::size_t lo = std::min(t.size(), first + w * block);
          format_rows(t, lo, std::min(t.size(), lo + block), wave[w]);
        });
    }
    for (const std::string& part : wave)
      ok = ok && std::fwrite(part.data(), 1, part.size(), f.get()) == part.size();
  }
  if (!ok || std::fflush(f.get()) != 0) write_failed(file, "the disk refused the data");
}

namespace {
// Closes an HDF5 handle when it goes out of scope (not copyable: one owner per handle).
struct H5Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  H5Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() {
    if (id >= 0) close(id);
  }
};

hid_t h5_type_of(const Column& c) {
  if (c.kind == 'f') return c.bytes == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  if (c.kind == 'i')
    return c.bytes == 1   ? H5T_STD_I8LE
           : c.bytes == 2 ? H5T_STD_I16LE
           : c.bytes == 4 ? H5T_STD_I32LE
                          : H5T_STD_I64LE;
  return c.bytes == 1   ? H5T_STD_U8LE
         : c.bytes == 2 ? H5T_STD_U16LE
         : c.bytes == 4 ? H5T_STD_U32LE
                        : H5T_STD_U64LE;
}
}  // namespace

void write_h5(const RecordTable& t, const std::filesystem::path& file) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become chroma2::Error, not stderr text
  const H5Handle f{H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
  if (f.id < 0) write_failed(file, "HDF5 could not create the file");
  const H5Handle type{H5Tcreate(H5T_COMPOUND, t.row_bytes()), H5Tclose};
  std::vector<std::unique_ptr<H5Handle>> arrays;
  for (std::size_t k = 0; k < t.columns().size(); ++k) {
    const Column& c = t.columns()[k];
    hid_t member = h5_type_of(c);
    if (c.count > 1) {
      const hsize_t dims[1] = {static_cast<hsize_t>(c.count)};
      arrays.push_back(std::make_unique<H5Handle>(H5Tarray_create2(member, 1, dims), H5Tclose));
      member = arrays.back()->id;
    }
    if (H5Tinsert(type.id, c.name.c_str(), t.offset(k), member) < 0)
      write_failed(file, "HDF5 refused the column '" + c.name + "'");
  }
  const hsize_t dims[1] = {static_cast<hsize_t>(t.size())};
  const H5Handle space{H5Screate_simple(1, dims, nullptr), H5Sclose};
  const H5Handle set{
      H5Dcreate2(f.id, t.name().c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose};
  if (set.id < 0) write_failed(file, "HDF5 could not create the dataset '" + t.name() + "'");
  if (t.size() && H5Dwrite(set.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data()) < 0)
    write_failed(file, "HDF5 could not write the dataset '" + t.name() + "'");
}

}  // namespace chroma2::sim
