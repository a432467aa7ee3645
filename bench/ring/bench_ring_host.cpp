// SPDX-License-Identifier: BSD-3-Clause
// DeviceRing throughput on the host backend: the same ring code driven by std::jthread producers
// and consumers (SoloGroup for thread claims, SerialGroup for 32-lane and 128-item claims) with
// 1..all threads, against the same per-item ticket queue, every run checked for exactly-once.
#include "bench/ring/bench_common.hpp"
#include "bench/ring/broker_queue.hpp"
#include "chroma2/core/device_ring.hpp"

#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <latch>
#include <string>
#include <thread>
#include <vector>

using namespace chroma2;
using namespace chroma2::bench;

namespace {

using Ring = DeviceRingRef<std::uint32_t>;

// What every worker of one run shares: the bitmap (one bit per value) and the pop count that ends
// the run (flushed only when a consumer finds the queue empty).
struct Shared {
  std::uint64_t items = 0;
  std::vector<std::uint32_t> bitmap;
  alignas(128) std::atomic<std::uint64_t> popped{0};
};

struct Seen {
  std::uint64_t checksum = 0, duplicates = 0, out_of_range = 0, count = 0;
};

// Marks popped values; consecutive values that share a bitmap word cost one atomic together.
void mark(Shared& sh, const std::uint32_t* v, std::uint32_t n, Seen& s) {
  std::uint32_t word = ~0u, bits = 0;
  auto flush = [&] {
    if (bits) {
      const std::uint32_t old =
          atomic_ref<std::uint32_t>(sh.bitmap[word]).fetch_or(bits, memory_order::relaxed);
      s.duplicates += std::popcount(old & bits);
    }
  };
  for (std::uint32_t i = 0; i < n; ++i) {
    if (v[i] >= sh.items) {
      ++s.out_of_range;
      continue;
    }
    const std::uint32_t w = v[i] >> 5, b = 1u << (v[i] & 31u);
    if (w != word) {
      flush();
      word = w;
      bits = 0;
    }
    if (bits & b) ++s.duplicates;
    bits |= b;
    s.checksum += v[i];
  }
  flush();
  s.count += n;
}

// One producer's values [next, end), pushed claim by claim; what did not fit is retried.
class Producer {
 public:
  Producer(std::uint64_t begin, std::uint64_t end) : next_(begin), end_(end) {}
  bool done() const { return next_ == end_ && first_ == last_ && !any_lane_; }

  // One claim; returns how many items went in.
  template <class Q>
  std::uint32_t step(const Q& q, Claim claim) {
    if (claim == Claim::warp32) return step_lanes(q);
    const std::uint32_t k = claim_items(claim);
    if (first_ == last_) {  // refill
      first_ = 0;
      last_ = static_cast<std::uint32_t>(end_ - next_ < k ? end_ - next_ : k);
      for (std::uint32_t j = 0; j < last_; ++j) buf_[j] = static_cast<std::uint32_t>(next_ + j);
      next_ += last_;
      if (last_ == 0) return 0;
    }
    std::uint32_t got;
    if constexpr (std::is_same_v<Q, BrokerQueueRef>) {
      got = q.enqueue(buf_[first_]) ? 1u : 0u;
    } else if (k == 1) {
      got = q.push(SoloGroup{}, buf_ + first_, 1);
    } else {
      got = q.push(SerialGroup{}, buf_ + first_, last_ - first_);
    }
    first_ += got;
    return got;
  }

 private:
  template <class Q>
  std::uint32_t step_lanes(const Q& q) {
    if constexpr (std::is_same_v<Q, BrokerQueueRef>) {
      return 0;  // the broker has only per-item operations
    } else {
      any_lane_ = false;
      for (int lane = 0; lane < SerialGroup::lanes; ++lane) {
        if (!has_[lane] && next_ < end_) {
          item_[lane] = static_cast<std::uint32_t>(next_++);
          has_[lane] = 1;
        }
        any_lane_ = any_lane_ || has_[lane];
      }
      if (!any_lane_) return 0;
      const std::uint32_t got = q.push_lanes(SerialGroup{}, item_, has_, accepted_);
      any_lane_ = false;
      for (int lane = 0; lane < SerialGroup::lanes; ++lane) {
        if (accepted_[lane]) has_[lane] = 0;
        any_lane_ = any_lane_ || has_[lane];
      }
      return got;
    }
  }

  std::uint64_t next_, end_;
  std::uint32_t buf_[128];
  std::uint32_t first_ = 0, last_ = 0;  // buf_[first_, last_) still to push
  SerialGroup::LaneArray<std::uint32_t> item_{}, has_{}, accepted_{};
  bool any_lane_ = false;
};

// Pops one claim and marks what came out; returns how many.
template <class Q>
std::uint32_t consume_step(const Q& q, Claim claim, Shared& sh, Seen& s) {
  std::uint32_t buf[128];
  std::uint32_t got = 0;
  if constexpr (std::is_same_v<Q, BrokerQueueRef>) {
    got = q.dequeue(buf[0]) ? 1u : 0u;
  } else if (claim == Claim::thread) {
    got = q.pop(SoloGroup{}, buf, 1);
  } else if (claim == Claim::warp32) {
    SerialGroup::LaneArray<std::uint32_t> out{};
    got = q.pop_lanes(SerialGroup{}, out);
    for (std::uint32_t j = 0; j < got; ++j) buf[j] = out[static_cast<int>(j)];
  } else {
    got = q.pop(SerialGroup{}, buf, 128);
  }
  if (got) mark(sh, buf, got, s);
  return got;
}

// One timed run with `threads` workers; returns seconds and adds to `total`.
template <class Q>
double run_once(const Q& q, Claim claim, int threads, Shared& sh, Seen& total) {
  const std::uint64_t n = sh.items;
  std::vector<Seen> seen(static_cast<std::size_t>(threads));
  // Workers check in, then all start together when the clock starts.
  std::latch ready(threads), go(1);
  auto start_line = [&] {
    ready.count_down();
    go.wait();
  };
  std::chrono::steady_clock::time_point t0;
  {
    std::vector<std::jthread> pool;
    if (threads == 1) {
      pool.emplace_back([&] {  // one thread alternates a push claim and a pop claim
        Producer p(0, n);
        start_line();
        while (seen[0].count < n) {
          if (!p.done()) p.step(q, claim);
          consume_step(q, claim, sh, seen[0]);
        }
        sh.popped.fetch_add(seen[0].count, std::memory_order_relaxed);
      });
    } else {
      const int producers = threads / 2;
      for (int i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
          detail::Backoff backoff = detail::claim_backoff();
          if (i < producers) {
            Producer p(i * n / producers, (i + 1) * n / producers);
            start_line();
            while (!p.done()) {
              if (p.step(q, claim))
                backoff.reset();
              else
                backoff.pause();
            }
            return;
          }
          Seen& s = seen[static_cast<std::size_t>(i)];
          std::uint64_t unflushed = 0;
          start_line();
          for (;;) {
            const std::uint32_t got = consume_step(q, claim, sh, s);
            if (got) {
              unflushed += got;
              backoff.reset();
              continue;
            }
            sh.popped.fetch_add(unflushed, std::memory_order_relaxed);
            unflushed = 0;
            if (sh.popped.load(std::memory_order_relaxed) >= n) break;
            backoff.pause();
          }
        });
      }
    }
    ready.wait();
    t0 = std::chrono::steady_clock::now();
    go.count_down();
  }  // joins
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const Seen& x : seen) {
    total.checksum += x.checksum;
    total.duplicates += x.duplicates;
    total.out_of_range += x.out_of_range;
  }
  return s;
}

std::string cpu_name() {
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "host CPU";
}

bool g_failed = false;

// Warm-up plus reps runs; each is verified. `reset` empties the queue, `drained` checks it.
template <class Q, class Reset, class Drained>
RingMeasurement measure(const std::string& label, const std::string& device, const Q& q,
                        Claim claim, int threads, std::uint64_t n, int reps, Reset reset,
                        Drained drained) {
  std::vector<double> times;
  for (int rep = -1; rep < reps; ++rep) {
    reset();
    Shared sh;
    sh.items = n;
    sh.bitmap.assign(n / 32 + 1, 0);
    Seen t;
    const double s = run_once(q, claim, threads, sh, t);
    std::uint64_t bits = 0;
    for (std::uint32_t w : sh.bitmap) bits += std::popcount(w);
    const std::uint64_t popped = sh.popped.load();
    const std::uint64_t want = n * (n - 1) / 2;
    const bool ok = popped == n && bits == n && t.duplicates == 0 && t.out_of_range == 0 &&
                    t.checksum == want && drained();
    if (!ok) {
      std::fprintf(stderr,
                   "FAILED: %s rep %d: popped %llu of %llu, distinct %llu, duplicates %llu, "
                   "out of range %llu, checksum %llu (want %llu)\n",
                   label.c_str(), rep, static_cast<unsigned long long>(popped),
                   static_cast<unsigned long long>(n), static_cast<unsigned long long>(bits),
                   static_cast<unsigned long long>(t.duplicates),
                   static_cast<unsigned long long>(t.out_of_range),
                   static_cast<unsigned long long>(t.checksum),
                   static_cast<unsigned long long>(want));
      g_failed = true;
    }
    if (rep >= 0) times.push_back(s);
  }
  return summarize("host", device, n, threads, times);
}

}  // namespace

int main(int argc, char** argv) try {
  RingBenchOptions defaults;
  defaults.items = std::uint64_t(1) << 24;
  const RingBenchOptions opt = parse_ring_options(argc, argv, false, defaults);
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int max_threads = opt.max_threads > 0 ? opt.max_threads : hw;
  std::vector<int> counts;
  for (int t = 1; t < max_threads; t *= 2) counts.push_back(t);
  counts.push_back(max_threads);
  const std::string device = cpu_name() + " (" + std::to_string(hw) + " hardware threads)";

  std::printf("device_ring host benchmark: %s\n", device.c_str());
  std::printf(
      "items per run: %llu (warp32, chunk128), %llu (thread claims, broker); reps %d "
      "(median), 1 warm-up; 1 thread alternates push and pop claims, T >= 2 threads "
      "split into T/2 producers and T - T/2 consumers\n",
      static_cast<unsigned long long>(opt.items),
      static_cast<unsigned long long>(opt.items_per_item), opt.reps);
  print_floors(opt, sizeof(std::uint32_t), 0, "");
  std::printf(
      "  (these floors are the GPU's, for reference; host rates are bounded by cache-line "
      "transfers between cores)\n");

  std::vector<RingMeasurement> rows;
  for (const std::uint64_t cap : opt.capacities) {
    BrokerQueue<Host> broker(static_cast<std::uint32_t>(cap));
    DeviceRing<std::uint32_t, Host> ring(cap);
    for (const int threads : counts) {
      const std::uint64_t per_item = opt.items_per_item;
      const std::string where =
          "/capacity " + std::to_string(cap) + "/threads " + std::to_string(threads);
      RingMeasurement b = measure(
          "broker/thread" + where, device, broker.ref(), Claim::thread, threads, per_item, opt.reps,
          [&] { broker.clear(); },
          [&] {
            const BrokerCounters c = broker.counters();
            return c.head.value == static_cast<std::uint32_t>(per_item) &&
                   c.tail.value == static_cast<std::uint32_t>(per_item) && c.count.value == 0;
          });
      b.queue = "broker";
      b.claim = "thread";
      b.capacity = cap;
      print_json(b);
      rows.push_back(b);
      for (Claim c : {Claim::thread, Claim::warp32, Claim::chunk128}) {
        const std::uint64_t n = c == Claim::thread ? per_item : opt.items;
        RingMeasurement m = measure(
            std::string("chroma2/") + claim_name(c) + where, device, ring.ref(), c, threads, n,
            opt.reps, [&] { ring.clear(); }, [&] { return ring.size() == 0; });
        m.queue = "chroma2";
        m.claim = claim_name(c);
        m.capacity = cap;
        m.ratio_vs_broker = m.items_per_s / b.items_per_s;
        print_json(m);
        rows.push_back(m);
      }
    }
  }
  return finish(rows, g_failed);
} catch (const std::exception& e) {
  std::fprintf(stderr, "FAILED: %s\n", e.what());
  return 1;
}
