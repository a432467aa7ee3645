// SPDX-License-Identifier: BSD-3-Clause
// The sources a persistent worker expands itself. A run (PersistentWorker::post_run) hands the
// worker one record for a whole event: either one request photon that every photon copies (a
// uniform source) or a source object from a compile-time list, RunSources<S...>, that the worker
// evaluates photon by photon, source_photon(source, id, seed, event number), as its groups take
// the photons in. Nothing then crosses the bus per photon, and no host thread expands.
//
// The list is a tuning's run_sources member (WorkerTuning: none; a Session's tuning: the
// library's point source and beam). A source in the list is a PhotonSource whose photon() is
// CHROMA2_HD, of at most run_source_bytes bytes and 16-byte alignment, and whose tables (a
// spectrum) lie where the worker can read them (device memory on the GPU). The record travels
// as bytes: kind 0 is the request, kind k > 0 the list's k-th type.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/photon_source.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace chroma2 {

// The bytes a run record holds for its source (an InboxRecord request, 80 B, fits too).
inline constexpr std::size_t run_source_bytes = 128;

template <class... Sources>
struct RunSources {
  static_assert((PhotonSource<Sources> && ...), "a run source models PhotonSource");
  static_assert(((sizeof(Sources) <= run_source_bytes) && ...),
                "a run source is at most run_source_bytes (128) bytes");
  static_assert(((alignof(Sources) <= 16) && ...), "a run source needs at most 16-byte alignment");

  static constexpr std::uint32_t size = sizeof...(Sources);

  // Whether S is in the list.
  template <class S>
  static constexpr bool contains = (std::is_same_v<S, Sources> || ...);

  // The kind of S: its position in the list plus one (0 is the request photon).
  template <class S>
  static constexpr std::uint32_t kind_of() {
    static_assert(contains<S>, "the source is not one of the worker's run sources");
    std::uint32_t k = 0, at = 0;
    ((++k, at = std::is_same_v<S, Sources> && at == 0 ? k : at), ...);
    return at;
  }

  // Calls f(source) with the source of kind `kind` (1 to size) read from `bytes` (aligned to 16).
  // Returns false for a kind outside the list.
  template <class F>
  CHROMA2_HD static bool visit([[maybe_unused]] std::uint32_t kind,
                               [[maybe_unused]] const void* bytes, [[maybe_unused]] F&& f) {
    [[maybe_unused]] std::uint32_t k = 0;
    bool found = false;
    ((found = found || (++k == kind && (call<Sources>(bytes, f), true))), ...);
    return found;
  }

 private:
  template <class S, class F>
  CHROMA2_HD static void call(const void* bytes, F& f) {
    S source;
    std::memcpy(static_cast<void*>(&source), bytes, sizeof(S));
    f(static_cast<const S&>(source));
  }
};

namespace detail {
template <class Tuning, class = void>
struct RunSourcesOf {
  using type = RunSources<>;
};
template <class Tuning>
struct RunSourcesOf<Tuning, std::void_t<typename Tuning::run_sources>> {
  using type = typename Tuning::run_sources;
};
}  // namespace detail

// A tuning's run sources (none when it names none).
template <class Tuning>
using run_sources_of = typename detail::RunSourcesOf<Tuning>::type;

}  // namespace chroma2
