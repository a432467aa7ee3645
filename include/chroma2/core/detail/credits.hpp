// SPDX-License-Identifier: BSD-3-Clause
// Credit claims: a counter holds how many things (ring slots, ring items, inbox entries, output
// entries, primary slots) may still be taken, and a claimer takes up to k of them. One helper for
// the ring and the worker, so the read-first rule below cannot drift between them.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/detail/padded_counter.hpp"

#include <cstdint>

namespace chroma2::detail {

// Takes up to k credits from c and returns how many it got (never more than c held, so the sum
// of grants never exceeds what was given). It reads first and asks only for what it saw, so an
// empty counter costs one load and no atomic, and concurrent claimers rarely overshoot; any
// overshoot goes straight back. (A blind fetch_sub of k by thousands of claimers keeps the
// counter below zero and starves them all: measured as a livelock on a full GPU grid.)
//
// Memory order: credits are counts, not data. What a grant lets the claimer read is published
// through another word that the claimer reads with acquire — a ring slot's sequence word, or the
// worker's copies of the host's doorbells (`published`, `drained`), which a claimer waits on for
// the positions it got, because the poll that covers them may be later than the one whose
// credits it took. So relaxed is right for every caller today; the parameter exists for a caller
// whose credits are themselves the publication (then pass acquire, and release to give_credits).
CHROMA2_HD inline std::uint32_t take_credits(PaddedCounter& c, std::uint32_t k,
                                             memory_order_type order = memory_order::relaxed) {
  atomic_ref<std::int64_t> a(c.value);
  const std::int64_t seen = a.load(memory_order::relaxed);
  if (seen <= 0 || k == 0) return 0;
  const std::int64_t ask = seen < static_cast<std::int64_t>(k) ? seen : k;
  const std::int64_t old = a.fetch_sub(ask, order);
  const std::int64_t granted = old <= 0 ? 0 : (old >= ask ? ask : old);
  if (granted < ask) a.fetch_add(ask - granted, memory_order::relaxed);
  return static_cast<std::uint32_t>(granted);
}

// The part of `seen` waiting things that one claim asks for: a 1/share part of them, at least
// `least`, never more than `most` or than there are. While plenty is there a claimer takes
// `most`, but the last few are shared out among many claimers rather than taken whole by the
// first ones (the worker's claims of new photons: a small event's photons spread over many warps,
// each running its share in parallel, instead of a few warps running 128 each one lane-load after
// another).
CHROMA2_HD constexpr std::uint64_t share_of(std::uint64_t seen, std::uint32_t share,
                                            std::uint32_t least, std::uint32_t most) {
  std::uint64_t part = seen / share > least ? seen / share : least;
  if (part > most) part = most;
  return part < seen ? part : seen;
}

// take_credits asking for the share_of what c holds.
CHROMA2_HD inline std::uint32_t take_share(PaddedCounter& c, std::uint32_t k, std::uint32_t share,
                                           std::uint32_t least) {
  const std::int64_t seen = atomic_ref<std::int64_t>(c.value).load(memory_order::relaxed);
  if (seen <= 0) return 0;
  return take_credits(
      c, static_cast<std::uint32_t>(share_of(static_cast<std::uint64_t>(seen), share, least, k)));
}

// Gives k credits (back) to c.
CHROMA2_HD inline void give_credits(PaddedCounter& c, std::uint32_t k,
                                    memory_order_type order = memory_order::relaxed) {
  if (k) atomic_ref<std::int64_t>(c.value).fetch_add(k, order);
}

}  // namespace chroma2::detail
