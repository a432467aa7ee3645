// SPDX-License-Identifier: BSD-3-Clause
// TableStore<Space>: the one owner of the packed tables behind a MaterialSet or a SurfaceSet —
// every uniform table and inverse CDF in one float buffer, the CDFs' guides in one index buffer,
// the emission components in one array — so a set only lays out its own records. A set counts
// what it will place, allocates (one arena for the tables and, after them, the set's own records:
// one allocation per set), places (each place returns a ref into the arena), then uploads: one
// copy per array.
#pragma once

#include "chroma2/config/arena.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/physics/detail/emission.hpp"
#include "chroma2/physics/detail/inverse_cdf.hpp"
#include "chroma2/physics/uniform_table.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace chroma2::detail {

// An emission component as built on the host: its spectrum and delay tables, before placement.
struct BuiltComponent {
  InverseCdfTable spectrum;
  InverseCdfTable delay;  // empty: exponential
  float cumulative_share = 0;
  float time_constant_ns = 0;
  bool in_energy = false;
};

// Copies arrays one after the other into a staging vector and returns where each will live in a
// buffer of the same layout that starts at base (in any memory space).
template <class T>
struct Packer {
  std::vector<T> staging;
  T* base;
  const T* place(const std::vector<T>& v) {
    if (v.empty()) return nullptr;
    const std::size_t at = staging.size();
    staging.insert(staging.end(), v.begin(), v.end());
    return base + at;
  }
};

template <class Space>
class TableStore {
 public:
  // Counting, before allocate().
  void count(const UniformTable& t) { floats_needed_ += t.data.size(); }
  void count(const std::vector<BuiltComponent>& components) {
    for (const BuiltComponent& c : components)
      for (const InverseCdfTable* t : {&c.spectrum, &c.delay}) {
        floats_needed_ += t->key.size() + t->cdf.size() + t->density.size();
        guides_needed_ += t->guide.size();
      }
    components_needed_ += components.size();
  }

  // Allocates the arena `name`: the tables counted, then the pieces plan_records(ArenaPlan&) adds
  // for the set's own records, which the set then fills in the same order (copy_in()).
  template <class PlanRecords>
  void allocate(Stream stream, const char* name, PlanRecords&& plan_records) {
    ArenaPlan plan;
    plan.add<float>(floats_needed_).add<std::uint32_t>(guides_needed_);
    plan.add<EmissionComponentRef>(components_needed_);
    plan_records(plan);
    arena_ = Arena<Space>(plan, name, stream);
    floats_ = arena_.template piece<float>(floats_needed_);
    guides_ = arena_.template piece<std::uint32_t>(guides_needed_);
    components_ = arena_.template piece<EmissionComponentRef>(components_needed_);
    f_ = Packer<float>{{}, floats_.data()};
    g_ = Packer<std::uint32_t>{{}, guides_.data()};
    placed_.clear();
  }

  // Placing, after allocate(): refs into the space's buffers.
  UniformTableRef place(const UniformTable& t) { return t.bind(f_.place(t.data)); }
  // The components go to the array one after the other; returns the index of the first.
  std::uint32_t place(const std::vector<BuiltComponent>& components) {
    const auto first = static_cast<std::uint32_t>(placed_.size());
    for (const BuiltComponent& c : components)
      placed_.push_back({place(c.spectrum), place(c.delay), c.cumulative_share, c.time_constant_ns,
                         c.in_energy ? 1u : 0u});
    return first;
  }

  // Copies what was placed to the space and waits for it.
  void upload(Stream stream) {
    Space::copy_from_host(floats_.data(), f_.staging.data(), f_.staging.size() * sizeof(float),
                          stream);
    Space::copy_from_host(guides_.data(), g_.staging.data(),
                          g_.staging.size() * sizeof(std::uint32_t), stream);
    Space::copy_from_host(components_.data(), placed_.data(),
                          placed_.size() * sizeof(EmissionComponentRef), stream);
    Space::synchronize(stream);
  }

  // A piece holding the set's records, after allocate(), in the order they were planned (the
  // copy is issued on `stream`; upload() waits for it).
  template <class R>
  ArenaPiece<R> copy_in(const std::vector<R>& records, Stream stream) {
    return arena_.copy_in(std::span<const R>(records), stream);
  }

  const EmissionComponentRef* components() const { return components_.data(); }
  // Bytes of the arena: the tables and the set's records.
  std::size_t bytes() const { return arena_.capacity(); }

 private:
  InverseCdfRef place(const InverseCdfTable& t) {
    const float* k = f_.place(t.key);
    const float* c = f_.place(t.cdf);
    const float* d = f_.place(t.density);
    return t.bind(k, c, d, g_.place(t.guide));
  }

  std::size_t floats_needed_ = 0, guides_needed_ = 0, components_needed_ = 0;
  Arena<Space> arena_;
  ArenaPiece<float> floats_;
  ArenaPiece<std::uint32_t> guides_;
  ArenaPiece<EmissionComponentRef> components_;
  Packer<float> f_{{}, nullptr};
  Packer<std::uint32_t> g_{{}, nullptr};
  std::vector<EmissionComponentRef> placed_;
};

}  // namespace chroma2::detail
