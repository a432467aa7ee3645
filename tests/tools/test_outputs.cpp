// SPDX-License-Identifier: BSD-3-Clause
// The tool's record files: the same rows in .npy (header parsed, bytes compared), CSV (parsed
// back) and HDF5 (read back through the HDF5 library, member by member), and clear errors when a
// file cannot be written.
#include "tools/sim/outputs.hpp"

#include "chroma2/config/error.hpp"

#include <hdf5.h>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <unistd.h>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

using namespace chroma2;
using namespace chroma2::sim;

namespace {

std::vector<HitRecord> sample_hits(std::size_t n) {
  std::vector<HitRecord> hits(n);
  for (std::size_t i = 0; i < n; ++i) {
    HitRecord& h = hits[i];
    h.position = {float(i), -2.5f * float(i), 1e4f};
    h.time = 0.125f * float(i);
    h.direction = {0, 0.6f, 0.8f};
    h.wavelength = 400.0f + float(i);
    h.polarisation = {1, 0, 0};
    h.channel = std::int32_t(i) - 1;
    h.id = (1ull << 40) + i;
    h.event = (1ull << 33) + 7;
    h.history = 4u | (1u << 31);
    h.primitive = 12345u + std::uint32_t(i);
    h.weight = 1;
    h.steps = std::uint16_t(3 + i);
    h.generation = std::uint8_t(i % 3);
  }
  return hits;
}

std::filesystem::path temp_dir() {
  auto p =
      std::filesystem::temp_directory_path() / ("chroma2-outputs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(p);
  return p;
}

std::vector<unsigned char> slurp(const std::filesystem::path& f) {
  std::ifstream in(f, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("hits in npy have the documented dtype and bytes", "[outputs]") {
  const auto dir = temp_dir();
  const auto hits = sample_hits(5);
  const RecordTable t = hit_table(hits);
  CHECK(t.row_bytes() == 4 + 4 + 4 + 12 + 12 + 12 + 4 + 8 + 8 + 4 + 2 + 1 + 4);
  write_npy(t, dir / "hits.npy");
  const auto b = slurp(dir / "hits.npy");
  REQUIRE(b.size() > 10);
  CHECK(std::memcmp(b.data(), "\x93NUMPY\x01\x00", 8) == 0);
  const std::size_t header = b[8] | (b[9] << 8);
  CHECK((10 + header) % 64 == 0);
  const std::string h(b.begin() + 10, b.begin() + 10 + std::ptrdiff_t(header));
  CHECK(h.back() == '\n');
  CHECK(h.rfind("{'descr': [('channel', '<i4'), ('time_ns', '<f4'), ('wavelength_nm', '<f4'), "
                "('position', '<f4', (3,)), ('direction', '<f4', (3,)), ('polarization', '<f4', "
                "(3,)), ('flags', '<u4'), ('event', '<u8'), ('photon_id', '<u8'), ('weight', "
                "'<f4'), ('steps', '<u2'), ('generation', '|u1'), ('primitive', '<u4')], "
                "'fortran_order': False, 'shape': (5,), }",
                0) == 0);
  REQUIRE(b.size() == 10 + header + 5 * t.row_bytes());
  // row 3, field by field at the dtype's packed offsets
  const unsigned char* row = b.data() + 10 + header + 3 * t.row_bytes();
  std::int32_t channel;
  float time, pos[3];
  std::uint64_t event, id;
  std::memcpy(&channel, row, 4);
  std::memcpy(&time, row + 4, 4);
  std::memcpy(pos, row + 12, 12);
  std::memcpy(&event, row + 52, 8);
  std::memcpy(&id, row + 60, 8);
  CHECK(channel == 2);
  CHECK(time == 0.375f);
  CHECK(pos[1] == -7.5f);
  CHECK(event == (1ull << 33) + 7);
  CHECK(id == (1ull << 40) + 3);
}

TEST_CASE("hits in csv parse back to the same values", "[outputs]") {
  const auto dir = temp_dir();
  write_csv(hit_table(sample_hits(4)), dir / "hits.csv");
  std::ifstream in(dir / "hits.csv");
  std::string line;
  std::getline(in, line);
  CHECK(line ==
        "channel,time_ns,wavelength_nm,position_x,position_y,position_z,direction_x,direction_y,"
        "direction_z,polarization_x,polarization_y,polarization_z,flags,event,photon_id,weight,"
        "steps,generation,primitive");
  std::vector<std::string> rows;
  while (std::getline(in, line)) rows.push_back(line);
  REQUIRE(rows.size() == 4);
  CHECK(rows[2] ==
        "1,0.25,402,2,-5,10000,0,0.6,0.8,1,0,0,2147483652,"
        "8589934599,1099511627778,1,5,2,12347");
}

TEST_CASE("hits in hdf5 read back member by member", "[outputs]") {
  const auto dir = temp_dir();
  const auto hits = sample_hits(6);
  write_h5(hit_table(hits), dir / "hits.h5");
  const hid_t f = H5Fopen((dir / "hits.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t set = H5Dopen2(f, "hits", H5P_DEFAULT);
  REQUIRE(set >= 0);
  const hid_t space = H5Dget_space(set);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  CHECK(n == 6);
  // read two members into a struct of our own layout, as a user would
  struct Mine {
    double time;
    std::uint64_t event;
    float position[3];
  };
  const hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(Mine));
  H5Tinsert(mem, "time_ns", HOFFSET(Mine, time), H5T_NATIVE_DOUBLE);
  H5Tinsert(mem, "event", HOFFSET(Mine, event), H5T_NATIVE_UINT64);
  const hsize_t three[1] = {3};
  const hid_t vec = H5Tarray_create2(H5T_NATIVE_FLOAT, 1, three);
  H5Tinsert(mem, "position", HOFFSET(Mine, position), vec);
  std::vector<Mine> back(6);
  REQUIRE(H5Dread(set, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()) >= 0);
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(back[i].time == double(hits[i].time));
    CHECK(back[i].event == hits[i].event);
    CHECK(back[i].position[1] == hits[i].position.y);
  }
  H5Tclose(vec);
  H5Tclose(mem);
  H5Sclose(space);
  H5Dclose(set);
  H5Fclose(f);
}

TEST_CASE("an empty table is a valid file in every format", "[outputs]") {
  const auto dir = temp_dir();
  const RecordTable t = hit_table({});
  write_npy(t, dir / "e.npy");
  write_csv(t, dir / "e.csv");
  write_h5(t, dir / "e.h5");
  CHECK(slurp(dir / "e.npy").size() % 64 == 0);
  const hid_t f = H5Fopen((dir / "e.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  H5Fclose(f);
}

TEST_CASE("channels and tracks tables", "[outputs]") {
  const RecordTable c = channel_table({3, 0}, {1.5f, INFINITY});
  CHECK(c.size() == 2);
  CHECK(c.numpy_descr() ==
        "[('channel', '<i4'), ('photoelectrons', '<u8'), ('first_time_ns', '<f4')]");
  std::vector<PhotonTrack> tracks(2);
  tracks[0].points = {{{0, 0, 0}, 0}, {{1, 0, 0}, 1}};
  tracks[1].points = {{{0, 0, 0}, 0}};
  CHECK(track_table(tracks).size() == 3);
  const auto dir = temp_dir();
  write_csv(c, dir / "c.csv");
  std::ifstream in(dir / "c.csv");
  std::string header, a, b;
  std::getline(in, header);
  std::getline(in, a);
  std::getline(in, b);
  CHECK(a == "0,3,1.5");
  CHECK(b == "1,0,inf");
}

TEST_CASE("an output that cannot be written names the file", "[outputs]") {
  const RecordTable t = hit_table(sample_hits(1));
  for (auto write : {&write_npy, &write_csv, &write_h5}) {
    try {
      write(t, "/no/such/folder/hits.x");
      FAIL("no error");
    } catch (const Error& e) {
      CHECK_THAT(std::string(e.what()),
                 Catch::Matchers::StartsWith("cannot write '/no/such/folder/hits.x' ("));
      CHECK_THAT(std::string(e.what()),
                 Catch::Matchers::EndsWith("\u2014 check that the output folder exists and is "
                                           "writable (--out DIR)"));
    }
  }
}
