// SPDX-License-Identifier: BSD-3-Clause
// What chroma2-sim writes: record tables (hits, final photons, channels, step points) in three
// formats with the same columns — NumPy structured arrays (.npy, little-endian, packed), CSV with
// a header line, and HDF5 compound datasets (.h5) — and summary.json. A RecordTable is the common
// form: named columns of 1 or 3 numbers of one type each, rows packed as the .npy dtype says.
#pragma once

#include "chroma2/core/hit_record.hpp"
#include "chroma2/core/photon.hpp"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace chroma2::sim {

struct Column {
  std::string name;
  char kind;  // 'i' signed, 'u' unsigned, 'f' floating point (NumPy's kind letters)
  int bytes;  // of one number: 1, 2, 4 or 8
  int count;  // numbers per row: 1 or 3 (a vector)
};

class RecordTable {
 public:
  RecordTable(std::string name, std::vector<Column> columns);
  const std::string& name() const { return name_; }  // "hits", "photons", ...
  const std::vector<Column>& columns() const { return columns_; }
  std::size_t row_bytes() const { return row_bytes_; }
  std::size_t size() const { return rows_; }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t offset(std::size_t column) const { return offsets_[column]; }

  // Appends one row; `values` point to each column's numbers in order (native layout).
  class Row {
   public:
    template <class T>
    Row& put(const T& v) {
      std::memcpy(at_, &v, sizeof v);
      at_ += sizeof v;
      return *this;
    }
    Row& put(Vec3 v) { return put(v.x).put(v.y).put(v.z); }

   private:
    friend class RecordTable;
    explicit Row(std::uint8_t* at) : at_(at) {}
    std::uint8_t* at_;
  };
  Row add_row();
  // The NumPy dtype description, e.g. "[('channel', '<i4'), ('position', '<f4', (3,))]".
  std::string numpy_descr() const;

 private:
  std::string name_;
  std::vector<Column> columns_;
  std::vector<std::size_t> offsets_;
  std::size_t row_bytes_ = 0, rows_ = 0;
  std::vector<std::uint8_t> bytes_;
};

// channel, time_ns, wavelength_nm, position (mm), direction, polarization, flags (history bits),
// event, photon_id; plus weight, steps, generation, primitive.
RecordTable hit_table(const std::vector<HitRecord>& hits);
// The hit columns for every final photon, with its terminal reason (TerminalReason's value).
RecordTable photon_table(const std::vector<Photon>& photons);
// channel, photoelectrons, first_time_ns (inf where none).
RecordTable channel_table(const std::vector<std::uint64_t>& photoelectrons,
                          const std::vector<float>& first_time);
// photon_id, point, position (mm), time_ns: the step points of each tracked photon in order.
RecordTable track_table(const std::vector<PhotonTrack>& tracks);

void write_npy(const RecordTable& t, const std::filesystem::path& file);
void write_csv(const RecordTable& t, const std::filesystem::path& file);
// One compound dataset named after the table (vectors as 3-element array members).
void write_h5(const RecordTable& t, const std::filesystem::path& file);

}  // namespace chroma2::sim
