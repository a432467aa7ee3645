// SPDX-License-Identifier: BSD-3-Clause
// PhotonPage: structure-of-arrays photon state. The owner (host-only, RAII, move-only) allocates
// one block in a memory space; PhotonPageRef (trivially copyable) is what kernels see; PhotonRef
// is a proxy to one slot. The storage layout is a policy: layout::Split keeps one array per scalar
// field, layout::Packed keeps six 16-byte records per photon so a step loads position+time,
// direction+wavelength, polarisation+weight, ... with single 16-byte loads. Every array starts on a
// 128-byte boundary. State per photon: 96 bytes in either layout.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/config/expect.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/core/photon.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace chroma2 {

namespace layout {

// One array per scalar field: 24 arrays.
struct Split {
  static constexpr int array_count = 24;
  static constexpr std::size_t element_bytes[array_count] = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
                                                             8, 4, 4, 4, 4, 4, 2, 2, 4, 4, 4, 4};
  void* a[array_count];

  template <class T>
  CHROMA2_HD T* at(int k) const {
    return static_cast<T*>(a[k]);
  }
  CHROMA2_HD float& px(std::uint32_t i) const { return at<float>(0)[i]; }
  CHROMA2_HD float& py(std::uint32_t i) const { return at<float>(1)[i]; }
  CHROMA2_HD float& pz(std::uint32_t i) const { return at<float>(2)[i]; }
  CHROMA2_HD float& time(std::uint32_t i) const { return at<float>(3)[i]; }
  CHROMA2_HD float& dx(std::uint32_t i) const { return at<float>(4)[i]; }
  CHROMA2_HD float& dy(std::uint32_t i) const { return at<float>(5)[i]; }
  CHROMA2_HD float& dz(std::uint32_t i) const { return at<float>(6)[i]; }
  CHROMA2_HD float& wavelength(std::uint32_t i) const { return at<float>(7)[i]; }
  CHROMA2_HD float& ex(std::uint32_t i) const { return at<float>(8)[i]; }
  CHROMA2_HD float& ey(std::uint32_t i) const { return at<float>(9)[i]; }
  CHROMA2_HD float& ez(std::uint32_t i) const { return at<float>(10)[i]; }
  CHROMA2_HD float& weight(std::uint32_t i) const { return at<float>(11)[i]; }
  CHROMA2_HD std::uint64_t& id(std::uint32_t i) const { return at<std::uint64_t>(12)[i]; }
  CHROMA2_HD std::uint32_t& event(std::uint32_t i) const { return at<std::uint32_t>(13)[i]; }
  CHROMA2_HD std::uint32_t& rng_counter(std::uint32_t i) const { return at<std::uint32_t>(14)[i]; }
  CHROMA2_HD std::int32_t& channel(std::uint32_t i) const { return at<std::int32_t>(15)[i]; }
  CHROMA2_HD std::uint32_t& last_primitive(std::uint32_t i) const {
    return at<std::uint32_t>(16)[i];
  }
  CHROMA2_HD std::uint32_t& history(std::uint32_t i) const { return at<std::uint32_t>(17)[i]; }
  CHROMA2_HD std::uint16_t& steps(std::uint32_t i) const { return at<std::uint16_t>(18)[i]; }
  // reason (low byte) and generation (high byte) share one 16-bit array
  CHROMA2_HD std::uint8_t& reason(std::uint32_t i) const {
    return reinterpret_cast<std::uint8_t*>(at<std::uint16_t>(19) + i)[0];
  }
  CHROMA2_HD std::uint8_t& generation(std::uint32_t i) const {
    return reinterpret_cast<std::uint8_t*>(at<std::uint16_t>(19) + i)[1];
  }
  CHROMA2_HD std::int32_t& material(std::uint32_t i) const { return at<std::int32_t>(20)[i]; }
  CHROMA2_HD float& lx(std::uint32_t i) const { return at<float>(21)[i]; }
  CHROMA2_HD float& ly(std::uint32_t i) const { return at<float>(22)[i]; }
  CHROMA2_HD float& lz(std::uint32_t i) const { return at<float>(23)[i]; }

  CHROMA2_HD Photon load(std::uint32_t i) const {
    Photon p;
    p.position = {px(i), py(i), pz(i)};
    p.time = time(i);
    p.direction = {dx(i), dy(i), dz(i)};
    p.wavelength = wavelength(i);
    p.polarisation = {ex(i), ey(i), ez(i)};
    p.weight = weight(i);
    p.id = id(i);
    p.event = event(i);
    p.rng_counter = rng_counter(i);
    p.channel = channel(i);
    p.last_primitive = last_primitive(i);
    p.history = history(i);
    p.steps = steps(i);
    p.reason = static_cast<TerminalReason>(reason(i));
    p.generation = generation(i);
    p.material = material(i);
    p.position_low = {lx(i), ly(i), lz(i)};
    return p;
  }
  CHROMA2_HD void store(std::uint32_t i, const Photon& p) const {
    px(i) = p.position.x, py(i) = p.position.y, pz(i) = p.position.z, time(i) = p.time;
    dx(i) = p.direction.x, dy(i) = p.direction.y, dz(i) = p.direction.z,
    wavelength(i) = p.wavelength;
    ex(i) = p.polarisation.x, ey(i) = p.polarisation.y, ez(i) = p.polarisation.z,
    weight(i) = p.weight;
    id(i) = p.id, event(i) = p.event, rng_counter(i) = p.rng_counter;
    channel(i) = p.channel, last_primitive(i) = p.last_primitive, history(i) = p.history;
    steps(i) = p.steps, reason(i) = static_cast<std::uint8_t>(p.reason),
    generation(i) = p.generation;
    material(i) = p.material;
    lx(i) = p.position_low.x, ly(i) = p.position_low.y, lz(i) = p.position_low.z;
  }
};

// Six 16-byte records per photon, in the order of Photon's fields (so a record copies as is).
struct Packed {
  struct alignas(16) Record4f {
    float x, y, z, w;
  };
  struct alignas(16) Ident {
    std::uint64_t id;
    std::uint32_t event, rng_counter;
  };
  struct alignas(16) Misc {
    std::int32_t channel;
    std::uint32_t last_primitive, history;
    std::uint16_t steps;
    std::uint8_t reason, generation;
  };
  struct alignas(16) Place {
    std::int32_t material;
    float lx, ly, lz;
  };
  static constexpr int array_count = 6;
  static constexpr std::size_t element_bytes[array_count] = {16, 16, 16, 16, 16, 16};
  void* a[array_count];

  CHROMA2_HD Record4f* position_time() const { return static_cast<Record4f*>(a[0]); }
  CHROMA2_HD Record4f* direction_wavelength() const { return static_cast<Record4f*>(a[1]); }
  CHROMA2_HD Record4f* polarisation_weight() const { return static_cast<Record4f*>(a[2]); }
  CHROMA2_HD Ident* ident() const { return static_cast<Ident*>(a[3]); }
  CHROMA2_HD Misc* misc() const { return static_cast<Misc*>(a[4]); }
  CHROMA2_HD Place* place() const { return static_cast<Place*>(a[5]); }

  CHROMA2_HD float& px(std::uint32_t i) const { return position_time()[i].x; }
  CHROMA2_HD float& py(std::uint32_t i) const { return position_time()[i].y; }
  CHROMA2_HD float& pz(std::uint32_t i) const { return position_time()[i].z; }
  CHROMA2_HD float& time(std::uint32_t i) const { return position_time()[i].w; }
  CHROMA2_HD float& dx(std::uint32_t i) const { return direction_wavelength()[i].x; }
  CHROMA2_HD float& dy(std::uint32_t i) const { return direction_wavelength()[i].y; }
  CHROMA2_HD float& dz(std::uint32_t i) const { return direction_wavelength()[i].z; }
  CHROMA2_HD float& wavelength(std::uint32_t i) const { return direction_wavelength()[i].w; }
  CHROMA2_HD float& ex(std::uint32_t i) const { return polarisation_weight()[i].x; }
  CHROMA2_HD float& ey(std::uint32_t i) const { return polarisation_weight()[i].y; }
  CHROMA2_HD float& ez(std::uint32_t i) const { return polarisation_weight()[i].z; }
  CHROMA2_HD float& weight(std::uint32_t i) const { return polarisation_weight()[i].w; }
  CHROMA2_HD std::uint64_t& id(std::uint32_t i) const { return ident()[i].id; }
  CHROMA2_HD std::uint32_t& event(std::uint32_t i) const { return ident()[i].event; }
  CHROMA2_HD std::uint32_t& rng_counter(std::uint32_t i) const { return ident()[i].rng_counter; }
  CHROMA2_HD std::int32_t& channel(std::uint32_t i) const { return misc()[i].channel; }
  CHROMA2_HD std::uint32_t& last_primitive(std::uint32_t i) const {
    return misc()[i].last_primitive;
  }
  CHROMA2_HD std::uint32_t& history(std::uint32_t i) const { return misc()[i].history; }
  CHROMA2_HD std::uint16_t& steps(std::uint32_t i) const { return misc()[i].steps; }
  CHROMA2_HD std::uint8_t& reason(std::uint32_t i) const { return misc()[i].reason; }
  CHROMA2_HD std::uint8_t& generation(std::uint32_t i) const { return misc()[i].generation; }
  CHROMA2_HD std::int32_t& material(std::uint32_t i) const { return place()[i].material; }
  CHROMA2_HD float& lx(std::uint32_t i) const { return place()[i].lx; }
  CHROMA2_HD float& ly(std::uint32_t i) const { return place()[i].ly; }
  CHROMA2_HD float& lz(std::uint32_t i) const { return place()[i].lz; }

  CHROMA2_HD Photon load(std::uint32_t i) const {
    const Record4f a0 = position_time()[i], a1 = direction_wavelength()[i],
                   a2 = polarisation_weight()[i];
    const Ident a3 = ident()[i];
    const Misc a4 = misc()[i];
    const Place a5 = place()[i];
    Photon p;
    p.position = {a0.x, a0.y, a0.z};
    p.time = a0.w;
    p.direction = {a1.x, a1.y, a1.z};
    p.wavelength = a1.w;
    p.polarisation = {a2.x, a2.y, a2.z};
    p.weight = a2.w;
    p.id = a3.id;
    p.event = a3.event;
    p.rng_counter = a3.rng_counter;
    p.channel = a4.channel;
    p.last_primitive = a4.last_primitive;
    p.history = a4.history;
    p.steps = a4.steps;
    p.reason = static_cast<TerminalReason>(a4.reason);
    p.generation = a4.generation;
    p.material = a5.material;
    p.position_low = {a5.lx, a5.ly, a5.lz};
    return p;
  }
  CHROMA2_HD void store(std::uint32_t i, const Photon& p) const {
    position_time()[i] = Record4f{p.position.x, p.position.y, p.position.z, p.time};
    direction_wavelength()[i] = Record4f{p.direction.x, p.direction.y, p.direction.z, p.wavelength};
    polarisation_weight()[i] =
        Record4f{p.polarisation.x, p.polarisation.y, p.polarisation.z, p.weight};
    ident()[i] = Ident{p.id, p.event, p.rng_counter};
    misc()[i] =
        Misc{p.channel,   p.last_primitive, p.history, p.steps, static_cast<std::uint8_t>(p.reason),
             p.generation};
    place()[i] = Place{p.material, p.position_low.x, p.position_low.y, p.position_low.z};
  }
};

}  // namespace layout

template <class L>
inline constexpr std::size_t photon_state_bytes = [] {
  std::size_t s = 0;
  for (std::size_t b : L::element_bytes) s += b;
  return s;
}();
static_assert(photon_state_bytes<layout::Split> == sizeof(Photon));
static_assert(photon_state_bytes<layout::Packed> == sizeof(Photon));

// A proxy to one slot of a page.
template <class Layout>
class PhotonRef {
 public:
  CHROMA2_HD PhotonRef(Layout s, std::uint32_t slot) : s_(s), i_(slot) {}
  CHROMA2_HD std::uint32_t slot() const { return i_; }

  CHROMA2_HD Photon load() const { return s_.load(i_); }
  CHROMA2_HD void store(const Photon& p) const { s_.store(i_, p); }

  CHROMA2_HD Vec3 position() const { return {s_.px(i_), s_.py(i_), s_.pz(i_)}; }
  CHROMA2_HD void set_position(Vec3 v) const { s_.px(i_) = v.x, s_.py(i_) = v.y, s_.pz(i_) = v.z; }
  CHROMA2_HD float time() const { return s_.time(i_); }
  CHROMA2_HD void set_time(float v) const { s_.time(i_) = v; }
  CHROMA2_HD Vec3 direction() const { return {s_.dx(i_), s_.dy(i_), s_.dz(i_)}; }
  CHROMA2_HD void set_direction(Vec3 v) const { s_.dx(i_) = v.x, s_.dy(i_) = v.y, s_.dz(i_) = v.z; }
  CHROMA2_HD float wavelength() const { return s_.wavelength(i_); }
  CHROMA2_HD void set_wavelength(float v) const { s_.wavelength(i_) = v; }
  CHROMA2_HD Vec3 polarisation() const { return {s_.ex(i_), s_.ey(i_), s_.ez(i_)}; }
  CHROMA2_HD void set_polarisation(Vec3 v) const {
    s_.ex(i_) = v.x, s_.ey(i_) = v.y, s_.ez(i_) = v.z;
  }
  CHROMA2_HD float weight() const { return s_.weight(i_); }
  CHROMA2_HD void set_weight(float v) const { s_.weight(i_) = v; }
  CHROMA2_HD std::uint64_t id() const { return s_.id(i_); }
  CHROMA2_HD void set_id(std::uint64_t v) const { s_.id(i_) = v; }
  CHROMA2_HD std::uint32_t event() const { return s_.event(i_); }
  CHROMA2_HD void set_event(std::uint32_t v) const { s_.event(i_) = v; }
  CHROMA2_HD std::uint32_t rng_counter() const { return s_.rng_counter(i_); }
  CHROMA2_HD void set_rng_counter(std::uint32_t v) const { s_.rng_counter(i_) = v; }
  CHROMA2_HD std::int32_t channel() const { return s_.channel(i_); }
  CHROMA2_HD std::uint32_t last_primitive() const { return s_.last_primitive(i_); }
  CHROMA2_HD void set_last_hit(std::int32_t channel, std::uint32_t primitive) const {
    s_.channel(i_) = channel, s_.last_primitive(i_) = primitive;
  }
  CHROMA2_HD std::uint32_t history() const { return s_.history(i_); }
  CHROMA2_HD void set_history(std::uint32_t v) const { s_.history(i_) = v; }
  CHROMA2_HD std::uint16_t steps() const { return s_.steps(i_); }
  CHROMA2_HD void set_steps(std::uint16_t v) const { s_.steps(i_) = v; }
  CHROMA2_HD TerminalReason reason() const { return static_cast<TerminalReason>(s_.reason(i_)); }
  CHROMA2_HD void set_reason(TerminalReason v) const {
    s_.reason(i_) = static_cast<std::uint8_t>(v);
  }
  CHROMA2_HD std::uint8_t generation() const { return s_.generation(i_); }
  CHROMA2_HD void set_generation(std::uint8_t v) const { s_.generation(i_) = v; }
  CHROMA2_HD std::int32_t material() const { return s_.material(i_); }
  CHROMA2_HD void set_material(std::int32_t v) const { s_.material(i_) = v; }
  CHROMA2_HD Vec3 position_low() const { return {s_.lx(i_), s_.ly(i_), s_.lz(i_)}; }
  CHROMA2_HD void set_position_low(Vec3 v) const {
    s_.lx(i_) = v.x, s_.ly(i_) = v.y, s_.lz(i_) = v.z;
  }

 private:
  Layout s_;
  std::uint32_t i_;
};

// What kernels see: trivially copyable, passed by value.
template <class Layout>
struct PhotonPageRef {
  Layout storage;
  std::uint32_t capacity;
  CHROMA2_HD PhotonRef<Layout> operator[](std::uint32_t slot) const {
    CHROMA2_EXPECT(slot < capacity, "a photon slot lies within its page");
    return {storage, slot};
  }
};

// The owner. Space is Host, or Device / Pinned in nvcc translation units.
template <class Layout = layout::Packed, class Space = Host>
class PhotonPage {
 public:
  using layout_type = Layout;
  using ref_type = PhotonPageRef<Layout>;

  explicit PhotonPage(std::uint32_t capacity, Stream stream = {}) : capacity_(capacity) {
    if (capacity == 0)
      fail("photon page capacity 0 is invalid", "a page must hold at least one photon",
           "ask for a positive capacity");
    std::size_t total = 0;
    for (int k = 0; k < Layout::array_count; ++k) {
      offsets_[k] = total;
      total += round_up(static_cast<std::size_t>(capacity) * Layout::element_bytes[k]);
    }
    block_ = Buffer<std::byte, Space>(total, stream, cache_line_bytes);
    for (int k = 0; k < Layout::array_count; ++k) storage_.a[k] = block_.data() + offsets_[k];
  }

  std::uint32_t capacity() const { return capacity_; }
  ref_type ref() const { return {storage_, capacity_}; }
  static constexpr std::size_t bytes_per_photon() { return photon_state_bytes<Layout>; }
  std::size_t bytes() const { return block_.bytes(); }
  const void* array(int k) const { return storage_.a[k]; }

  // Writes photons into slots [first, first + n), then returns (the copy is complete).
  void upload(std::span<const Photon> photons, std::uint32_t first = 0, Stream stream = {}) {
    check_range(first, photons.size(), "upload");
    if constexpr (std::is_same_v<Space, Host>) {
      for (std::size_t j = 0; j < photons.size(); ++j)
        storage_.store(first + static_cast<std::uint32_t>(j), photons[j]);
    } else {
      PhotonPage<Layout, Host> staging(static_cast<std::uint32_t>(photons.size()));
      staging.upload(photons);
      for (int k = 0; k < Layout::array_count; ++k) {
        const std::size_t e = Layout::element_bytes[k];
        Space::copy_from_host(static_cast<std::byte*>(storage_.a[k]) + first * e, staging.array(k),
                              photons.size() * e, stream);
      }
      Space::synchronize(stream);
    }
  }

  // Reads slots [first, first + out.size()) into out, then returns.
  void download(std::span<Photon> out, std::uint32_t first = 0, Stream stream = {}) const {
    check_range(first, out.size(), "download");
    if constexpr (std::is_same_v<Space, Host>) {
      for (std::size_t j = 0; j < out.size(); ++j)
        out[j] = storage_.load(first + static_cast<std::uint32_t>(j));
    } else {
      PhotonPage<Layout, Host> staging(static_cast<std::uint32_t>(out.size()));
      for (int k = 0; k < Layout::array_count; ++k) {
        const std::size_t e = Layout::element_bytes[k];
        Space::copy_to_host(const_cast<void*>(staging.array(k)),
                            static_cast<const std::byte*>(storage_.a[k]) + first * e,
                            out.size() * e, stream);
      }
      Space::synchronize(stream);
      staging.download(out);
    }
  }

  std::vector<Photon> download_all(Stream stream = {}) const {
    std::vector<Photon> out(capacity_);
    download(out, 0, stream);
    return out;
  }

 private:
  static std::size_t round_up(std::size_t b) {
    return (b + cache_line_bytes - 1) / cache_line_bytes * cache_line_bytes;
  }
  void check_range(std::uint32_t first, std::size_t n, const char* what) const {
    if (first > capacity_ || n > capacity_ - first)
      fail(std::string("photon page ") + what + " of " + std::to_string(n) + " photons at slot " +
               std::to_string(first) + " does not fit",
           "the page holds " + std::to_string(capacity_) + " photons",
           "use a larger page or a smaller batch");
  }

  std::uint32_t capacity_;
  std::size_t offsets_[Layout::array_count]{};
  Buffer<std::byte, Space> block_;
  Layout storage_{};
};

}  // namespace chroma2
