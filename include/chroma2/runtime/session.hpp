// SPDX-License-Identifier: BSD-3-Clause
// Session<Physics, Space>: the streaming event pipeline. One session per device (or per host
// backend) keeps one persistent worker running across events: events of any size are submitted
// from any number of threads and each gets a future; a feeding thread gives each event a recycled
// event slot and streams its photons into the worker's inbox (expanded from its source a chunk at a
// time, staged through pinned memory; a uniform source, such as a point source drawn at the first
// step, or a source of the tuning's run sources — the library's point source and beam — goes over
// as one run record that the worker expands itself), a collecting thread copies
// published output ranges out, sorts the records into their events, calls the events' callbacks,
// and resolves each future when its event is complete and every record of it has come back. The
// host never waits on a kernel.
//
//   chroma2::Session<Physics, chroma2::Device> session(physics, options);
//   auto done = session.submit(chroma2::EventDescriptor<chroma2::PointIsotropicSource>{
//       .number = 42, .source = source});
//   chroma2::EventResult r = done.get();  // r.hits, r.tally
//
// Event identity: the user's number keys the random streams and is written into every hit; the
// slot an event gets is not visible in any result, so replay does not depend on it. Failure: an
// exception in a callback goes to that event's future; an error of the device or of the session's
// own threads goes to every unfinished future and makes later submits throw; close() waits up to
// SessionOptions::close_timeout for events in flight, then fails the rest. docs/session.md.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/core/concepts/photon_source.hpp"
#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/physics/sources.hpp"
#include "chroma2/runtime/detail/nvtx.hpp"
#include "chroma2/runtime/detail/parallel_for.hpp"
#include "chroma2/runtime/detail/stream_store.hpp"
#include "chroma2/runtime/event_descriptor.hpp"
#include "chroma2/runtime/session_options.hpp"
#include "chroma2/runtime/session_telemetry.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace chroma2 {

// The worker's tuning in a session, for latency. On the GPU one warp does nothing but poll the
// host (dedicated_poller): slot resets, runs and inbox doorbells are taken within microseconds
// and the host's mirror of event counts is refreshed every few microseconds, however busy the
// other warps are (otherwise the polling warp polls between its own photons' steps, every
// housekeeping period of 64 iterations: a few hundred microseconds on a detector). Idle groups
// sleep at most 2 µs and look for new photons at least every 8 of their iterations (16 µs and 64
// by default), so a small event arriving at an idle GPU is taken within microseconds rather than
// a millisecond. (Housekeeping every 16 iterations instead of 64 was tried: no shorter latency,
// and half the rate on the default detector's long paths.)
//
// Run sources: an event whose source is a PointIsotropicSource or a BeamSource goes to the worker
// as one record, and the worker draws each photon where it is used (SessionOptions::source_runs).
// A tuning derived from this one may list its own sources as well (core/run_sources.hpp):
//   struct MyTuning : chroma2::SessionTuning {
//     using run_sources = chroma2::RunSources<chroma2::PointIsotropicSource,
//                                             chroma2::BeamSource, TrackSource>;
//   };
struct SessionTuning : WorkerTuning {
  static constexpr std::uint32_t mirror_period = 64;
  static constexpr unsigned idle_sleep_max_ns = 2048;
  static constexpr std::uint32_t refill_delay_max = 8;
  static constexpr bool dedicated_poller = true;
  using run_sources = RunSources<PointIsotropicSource, BeamSource>;
};

template <class PhysicsType, class Space = Host, class Layout = layout::Packed,
          RngPolicy Policy = Philox4x32Policy, class Tuning = SessionTuning>
class Session {
 public:
  using Worker = PersistentWorker<PhysicsType, Space, Layout, Policy, Tuning>;
  using clock = std::chrono::steady_clock;

  // Builds the worker (every buffer allocated here, none later), launches it and starts the
  // feeding and collecting threads.
  explicit Session(PhysicsType physics, SessionOptions options = {}, Policy policy = {})
      : options_(checked(options)),
        policy_(policy),
        worker_(physics, options.worker, policy),
        expanders_(feed_threads(options)) {
    free_slots_.reserve(options.worker.max_events);
    for (std::uint32_t s = options.worker.max_events; s-- > 0;) free_slots_.push_back(s);
    runs_.resize(options.worker.max_events);
    started_ = clock::now();
    worker_.start();
    feeder_ = std::thread([this] {
      guarded([this] { feed_loop(); });
      std::lock_guard lk(m_);
      feeder_done_ = true;
      cv_.notify_all();
    });
    collector_ = std::thread([this] {
      guarded([this] { collect_loop(); });
      abandon_runs();
    });
  }

  ~Session() {
    try {
      close();
    } catch (...) {
    }
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Submits an event whose primaries come from a source; blocks while SessionOptions::
  // queue_capacity events wait for a slot. Checks the descriptor first (tier, source) and throws
  // chroma2::Error if it is wrong or the session is closed. Any thread may submit.
  template <PhotonSource S>
  std::future<EventResult> submit(EventDescriptor<S> d) {
    return enqueue(make_job(std::move(d)), true).value();
  }
  std::future<EventResult> submit(PhotonListEvent e) {
    return enqueue(make_job(std::move(e)), true).value();
  }

  // The same without blocking: an empty optional if the queue is full.
  template <PhotonSource S>
  std::optional<std::future<EventResult>> try_submit(EventDescriptor<S> d) {
    return enqueue(make_job(std::move(d)), false);
  }
  std::optional<std::future<EventResult>> try_submit(PhotonListEvent e) {
    return enqueue(make_job(std::move(e)), false);
  }

  // Refuses new events, waits up to close_timeout for those submitted (their futures resolve),
  // fails those still unfinished then with a chroma2::Error, and stops the worker. Idempotent.
  void close() {
    {
      std::unique_lock lk(m_);
      if (closed_) return;
      closing_ = true;
      cv_.notify_all();
      const auto deadline = clock::now() + options_.close_timeout;
      cv_.wait_until(lk, deadline, [&] { return outstanding_ == 0 || failure_; });
      if (outstanding_ != 0) abort_ = true;
      cv_.notify_all();
    }
    if (feeder_.joinable()) feeder_.join();
    if (collector_.joinable()) collector_.join();
    {
      std::lock_guard lk(m_);
      closed_ = true;
    }
    fail_waiting(std::make_exception_ptr(
        Error("the session closed before this event started (the close timeout passed) — allow a "
              "longer SessionOptions::close_timeout")));
    wall_at_close_ = seconds_since_start();
    try {
      worker_.stop();
      telemetry_at_close_ = worker_.telemetry();  // exact once stopped
    } catch (const Error&) {
      std::lock_guard lk(m_);
      if (!failure_) throw;  // a failed session's futures already carry its error
    }
  }

  bool closed() const {
    std::lock_guard lk(m_);
    return closing_;
  }

  SessionTelemetry telemetry() const {
    SessionTelemetry t;
    {
      std::lock_guard lk(m_);
      t.events_submitted = events_submitted_;
      t.photons_submitted = photons_submitted_;
      t.busy_s = busy_s_ + (outstanding_ ? seconds(clock::now() - busy_since_) : 0.0);
      t.samples = samples_;
      t.wall_s = closed_ ? wall_at_close_ : seconds_since_start();
      t.worker = closed_ ? telemetry_at_close_ : worker_.telemetry();
    }
    t.events_completed = events_completed_.load();
    t.events_failed = events_failed_.load();
    t.photons_completed = photons_completed_.load();
    t.records = records_.load();
    t.blocked_submits = blocked_submits_.load();
    t.refused_submits = refused_submits_.load();
    t.inbox_waits = inbox_waits_.load();
    t.slot_waits = slot_waits_.load();
    t.callback_errors = callback_errors_.load();
    t.run_events = run_events_.load();
    t.source_run_events = source_run_events_.load();
    t.expand_ns = expand_ns_.load();
    t.feed_ns = feed_ns_.load();
    t.drain_ns = drain_ns_.load();
    t.decode_ns = decode_ns_.load();
    t.callback_ns = callback_ns_.load();
    t.copies = worker_.copy_telemetry();
    t.photons_per_second = t.busy_s > 0 ? double(t.photons_completed) / t.busy_s : 0.0;
    return t;
  }

  std::uint64_t seed() const { return options_.worker.seed; }
  const SessionOptions& options() const { return options_; }
  // Output entries that named no event in flight (an internal error if ever non-zero).
  std::uint64_t orphan_records() const { return orphans_.load(); }

 private:
  struct Job {
    std::uint64_t number = 0;
    OutputTier tier = OutputTier::hits;
    std::uint64_t count = 0;
    // writes photons [first, first + out.size()) of the event into out, in event slot `slot`
    std::function<void(std::uint64_t first, std::span<InboxRecord> out, std::uint32_t slot)> expand;
    // posts the event's run into its slot (a uniform source's request, or a run source): the
    // worker makes the photons itself; empty for photons the host expands
    std::function<void(std::uint32_t slot)> post_run;
    bool source_run = false;  // the run draws photon by photon from the source
    RecordCallback on_records;
    bool keep = true;
    std::promise<EventResult> promise;
    clock::time_point submitted;
  };

  // What the feeding thread tells the collecting one, in order: an event took a slot (job set),
  // or its photons are all in (closed, with the expansion's error if any).
  struct Handoff {
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
    std::unique_ptr<Job> job;  // on opening
    bool closed = false;
    std::uint64_t fed = 0;  // on closing: photons submitted
    std::exception_ptr error;
  };

  // An event in a slot, as the collecting thread tracks it.
  struct Run {
    std::unique_ptr<Job> job;
    std::uint32_t generation = 0;
    bool closed = false;
    std::uint64_t fed = 0;
    std::exception_ptr error;
    OutputRecords records;
    std::size_t delivered_hits = 0, delivered_compact = 0, delivered_photons = 0;
    std::uint64_t entries = 0;
    bool counted = false;  // the tally was read: the event is complete
    EventTally tally;
    std::uint64_t expected_entries = 0;
    clock::time_point opened;
  };

  static const SessionOptions& checked(const SessionOptions& o) {
    validate_session_options(o);
    return o;
  }
  static double seconds(clock::duration d) { return std::chrono::duration<double>(d).count(); }
  double seconds_since_start() const { return seconds(clock::now() - started_); }
  static std::uint64_t ns(clock::duration d) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
  }

  std::string who(std::uint64_t number) const { return "event " + std::to_string(number); }

  void check_event(std::uint64_t number, std::uint64_t count, OutputTier tier) const {
    worker_.check_tier(tier, who(number));
    if (count > max_event_photons)
      fail(who(number) + " has " + std::to_string(count) + " photons",
           "an event counts at most 2^40 - 2 photons", "split it into several events");
  }

  template <PhotonSource S>
  std::unique_ptr<Job> make_job(EventDescriptor<S> d) {
    if constexpr (ValidatedSource<S>) {
      try {
        validate(d.source);
      } catch (const Error& e) {
        fail(who(d.number) + ": " + e.what(), "its source was checked before submission",
             "fix the source");
      }
    }
    check_event(d.number, d.source.count(), d.tier);
    if (options_.uniform_runs && uniform_source(d.source) && d.source.count() > 0) {
      // one request, expanded by the worker
      auto job =
          new_job(d.number, d.tier, d.source.count(), std::move(d.on_records), d.keep_records);
      job->post_run = [this, request = source_photon(d.source, 0, seed(), d.number, policy_),
                       n = d.source.count()](std::uint32_t slot) {
        worker_.post_run(slot, request, 0, n);
      };
      return job;
    }
    if constexpr (run_sources_of<Tuning>::template contains<S>) {
      if (options_.source_runs && d.source.count() > 0 && worker_reads(d.source)) {
        // the source itself, drawn photon by photon by the worker
        auto job =
            new_job(d.number, d.tier, d.source.count(), std::move(d.on_records), d.keep_records);
        job->post_run = [this, source = d.source](std::uint32_t slot) {
          worker_.post_run(slot, source, 0, source.count());
        };
        job->source_run = true;
        return job;
      }
    }
    return make_job(d.number, d.tier, d.source, std::move(d.on_records), d.keep_records,
                    [](std::uint64_t) {});
  }

  // The photons are checked as they are fed (by the feeding threads, not the submitting one): a
  // bad photon fails the event's future with an error naming it.
  std::unique_ptr<Job> make_job(PhotonListEvent e) {
    check_event(e.number, e.photons.size(), e.tier);
    auto list = std::make_shared<const std::vector<Photon>>(std::move(e.photons));
    const PhotonListSource source{list->data(), list->size()};
    return make_job(e.number, e.tier, source, std::move(e.on_records), e.keep_records,
                    [list, number = e.number](std::uint64_t i) {
                      if (!valid_photon((*list)[i]))
                        validate_photon((*list)[i], "event " + std::to_string(number) + " photon " +
                                                        std::to_string(i));
                    });
  }

  // The job of either kind: photon i of the event is source_photon(source, i, seed, number) in
  // its slot, after check(i) (a list's check of its photon i; it also keeps the list alive).
  template <PhotonSource S, class Check>
  std::unique_ptr<Job> make_job(std::uint64_t number, OutputTier tier, const S& source,
                                RecordCallback on_records, bool keep, Check check) {
    auto job = new_job(number, tier, source.count(), std::move(on_records), keep);
    job->expand = [source, check, seed = seed(), number, policy = policy_](
                      std::uint64_t first, std::span<InboxRecord> out, std::uint32_t slot) {
      for (std::size_t i = 0; i < out.size(); ++i) {
        check(first + i);
        Photon p = source_photon(source, first + i, seed, number, policy);
        p.event = slot;
        detail::stream_store(&out[i], to_inbox(p));  // written once, read by the copy engine
      }
      detail::stream_fence();
    };
    return job;
  }

  // Whether the worker can read the source's tables: always on the host backend; on the GPU
  // only tables in device, managed or mapped memory (a spectrum built with Spectrum<Device>).
  template <class S>
  static bool worker_reads(const S& source) {
    if constexpr (Space::device_accessible) {
      bool readable = true;
      for_each_table(source, [&](const void* p, const std::string&) {
        readable = readable && device_can_read(p);
      });
      return readable;
    } else {
      return true;
    }
  }

  static std::unique_ptr<Job> new_job(std::uint64_t number, OutputTier tier, std::uint64_t count,
                                      RecordCallback on_records, bool keep) {
    auto job = std::make_unique<Job>();
    job->number = number;
    job->tier = tier;
    job->count = count;
    job->on_records = std::move(on_records);
    job->keep = keep;
    return job;
  }

  std::optional<std::future<EventResult>> enqueue(std::unique_ptr<Job> job, bool block) {
    std::future<EventResult> f = job->promise.get_future();
    std::unique_lock lk(m_);
    const auto full = [&] { return waiting_.size() >= options_.queue_capacity; };
    if (full() && !closing_ && !failure_) {
      if (!block) {
        ++refused_submits_;
        return std::nullopt;
      }
      ++blocked_submits_;
      cv_.wait(lk, [&] { return !full() || closing_ || failure_; });
    }
    if (failure_) std::rethrow_exception(failure_);
    if (closing_)
      fail(who(job->number) + " was submitted to a closed session", "close() refuses new events",
           "submit before closing, or open a new session");
    job->submitted = clock::now();
    ++events_submitted_;
    photons_submitted_ += job->count;
    if (outstanding_++ == 0) busy_since_ = job->submitted;
    waiting_.push_back(std::move(job));
    cv_.notify_all();
    return f;
  }

  // Runs a thread's loop; an error escaping it fails the session (every unfinished future).
  template <class F>
  void guarded(F&& loop) {
    try {
      loop();
    } catch (...) {
      fail_session(std::current_exception());
    }
  }

  void fail_session(std::exception_ptr e) {
    {
      std::lock_guard lk(m_);
      if (!failure_) failure_ = e;
      abort_ = true;
      cv_.notify_all();
    }
    fail_waiting(e);
  }

  // Fails every event still waiting for a slot.
  void fail_waiting(std::exception_ptr e) {
    std::deque<std::unique_ptr<Job>> jobs;
    {
      std::lock_guard lk(m_);
      jobs.swap(waiting_);
      cv_.notify_all();
    }
    for (auto& j : jobs) settle(*j, nullptr, e);
  }

  // Resolves a job's future with `result` or `error`, and counts it done.
  void settle(Job& job, EventResult* result, std::exception_ptr error) {
    if (error) {
      // moved in: once the future has it, this thread holds no reference to the exception
      job.promise.set_exception(std::move(error));
      ++events_failed_;
    } else {
      photons_completed_ += result->primaries;
      job.promise.set_value(std::move(*result));
      ++events_completed_;
    }
    std::lock_guard lk(m_);
    if (--outstanding_ == 0) busy_s_ += seconds(clock::now() - busy_since_);
    cv_.notify_all();
  }

  // ---- the feeding thread ----------------------------------------------------------------------

  // An event being fed: its slot and how many of its photons are in.
  struct Feeding {
    Job* job;  // owned by the collector from the opening handoff to the closing one
    std::uint32_t slot = 0, generation = 0;
    std::uint64_t fed = 0;  // photons staged for the inbox
    bool ready = false;     // the worker reset the slot
    std::exception_ptr error;
  };

  // Events take slots in submission order and are fed a chunk each in turn, so a small event
  // submitted behind a large one is not held up until the large one is all in. Chunks are staged
  // one after another and copied in together (flush), the copy engine moving one round while the
  // next is expanded; a round ends when every event had a turn or a chunk's worth is staged.
  void feed_loop() {
    std::vector<Feeding> feeding;
    std::size_t turn = 0, staged = 0;
    bool progressed = false;
    for (;;) {
      std::vector<std::pair<std::unique_ptr<Job>, std::uint32_t>> admitted;
      {
        std::unique_lock lk(m_);
        if (feeding.empty() && (waiting_.empty() || free_slots_.empty()) && !abort_) {
          lk.unlock();
          worker_.flush(true);  // nothing else to do: everything staged reaches the worker
          staged = 0;
          lk.lock();
          if (!waiting_.empty() && free_slots_.empty()) ++slot_waits_;
          cv_.wait(lk, [&] {
            return abort_ || (closing_ && waiting_.empty()) ||
                   (!waiting_.empty() && !free_slots_.empty());
          });
        }
        if (abort_) break;
        if (feeding.empty() && waiting_.empty() && closing_) return;
        while (!waiting_.empty() && !free_slots_.empty()) {
          admitted.emplace_back(std::move(waiting_.front()), free_slots_.back());
          waiting_.pop_front();
          free_slots_.pop_back();
        }
        if (!admitted.empty()) cv_.notify_all();  // room in the queue
      }
      for (auto& [job, slot] : admitted) feeding.push_back(open_feed(std::move(job), slot));
      if (feeding.empty()) continue;
      // one chunk of one event per turn
      if (turn >= feeding.size()) turn = 0;
      Feeding& f = feeding[turn];
      const Fed fed = feed_chunk(f);
      staged += fed.staged;
      progressed = progressed || fed.progressed || f.error;
      if (f.error || (f.ready && f.fed == f.job->count)) {
        close_feed(f);
        feeding.erase(feeding.begin() + static_cast<std::ptrdiff_t>(turn));
      } else {
        ++turn;
      }
      if (turn >= feeding.size() || staged >= options_.feed_chunk) {  // a round ends
        const auto t0 = clock::now();
        worker_.flush();
        feed_ns_ += ns(clock::now() - t0);
        staged = 0;
        if (!progressed) {  // every event waits: for inbox room, or for its slot's reset
          ++inbox_waits_;
          pause();
        }
        progressed = false;
      }
    }
    // aborted: the events being fed are cut off, closed with what went in
    worker_.flush(true);
    for (Feeding& f : feeding) {
      f.error = std::make_exception_ptr(
          Error(who(f.job->number) + " was cut off after " + std::to_string(f.fed) + " of " +
                std::to_string(f.job->count) +
                " photons (the session closed or failed while feeding it) — allow a longer "
                "SessionOptions::close_timeout"));
      close_feed(f);
    }
  }

  // Gives the event a slot (the worker resets it meanwhile: no wait here) and hands the event to
  // the collector before any photon of it is in.
  Feeding open_feed(std::unique_ptr<Job> job, std::uint32_t slot) {
    detail::NvtxRange range("chroma2 open event");
    Feeding f;
    f.job = job.get();
    f.slot = slot;
    try {
      f.generation = worker_.post_open_event(slot, job->number, job->tier);
    } catch (...) {
      settle(*job, nullptr, std::current_exception());
      throw;  // the slot is in an unknown state: the session fails
    }
    Handoff h;
    h.slot = slot;
    h.generation = f.generation;
    h.job = std::move(job);
    std::lock_guard lk(m_);
    handoffs_.push_back(std::move(h));
    return f;
  }

  // What one turn of an event did: photons staged for the next flush, and whether the event moved
  // on (a run posted moves it on with nothing staged).
  struct Fed {
    std::size_t staged = 0;
    bool progressed = false;
  };

  // Expands the event's next chunk straight into the inbox's pinned staging (as much as the inbox
  // has room for), the expansion split over the expanding threads, or posts its run. An error of
  // the event's own photons (its source, a bad photon in its list) is kept for its future;
  // nothing of the failed chunk is staged.
  Fed feed_chunk(Feeding& f) {
    if (!f.ready && !(f.ready = worker_.open_ready(f.slot))) return {};
    detail::NvtxRange range("chroma2 feed");
    Job& j = *f.job;
    if (j.post_run && f.fed == 0) {  // the whole event in one record
      j.post_run(f.slot);
      ++run_events_;
      if (j.source_run) ++source_run_events_;
      f.fed = j.count;
      return {0, true};
    }
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(options_.feed_chunk, j.count - f.fed));
    if (n == 0) return {};
    std::uint64_t expand_time = 0;
    const auto t0 = clock::now();
    std::size_t k = 0;
    try {
      k = worker_.stage(f.slot, n, [&](std::size_t offset, std::span<InboxRecord> dst) {
        const auto e0 = clock::now();
        expand(j, f.fed + offset, dst, f.slot);
        expand_time += ns(clock::now() - e0);
      });
    } catch (const ExpandFailed& e) {  // the event's own: any other error is the session's
      f.error = e.error;
    }
    expand_ns_ += expand_time;
    feed_ns_ += ns(clock::now() - t0) - expand_time;
    f.fed += k;
    return {k, k != 0};
  }

  // photons [first, first + dst.size()) of the job into dst, split over the expanding threads
  void expand(Job& j, std::uint64_t first, std::span<InboxRecord> dst, std::uint32_t slot) {
    constexpr std::size_t least = 4096;  // photons per part worth a thread
    const std::size_t parts =
        std::min<std::size_t>(expanders_.width(), (dst.size() + least - 1) / least);
    try {
      if (parts <= 1) {
        j.expand(first, dst, slot);
        return;
      }
      const std::size_t per = (dst.size() + parts - 1) / parts;
      expanders_.run([&](unsigned part) {
        const std::size_t lo = std::min(dst.size(), part * per);
        const std::size_t hi = std::min(dst.size(), lo + per);
        if (lo < hi) j.expand(first + lo, dst.subspan(lo, hi - lo), slot);
      });
    } catch (...) {
      throw ExpandFailed{std::current_exception()};
    }
  }
  struct ExpandFailed {
    std::exception_ptr error;
  };

  // No more photons for the event: the worker completes it with those submitted. (A slot whose
  // reset never came, the worker having failed, is left open: the session is failing anyway.)
  void close_feed(Feeding& f) {
    const auto deadline = clock::now() + std::chrono::seconds(1);
    while (!f.ready && clock::now() < deadline) {
      f.ready = worker_.open_ready(f.slot);
      if (!f.ready) pause();
    }
    if (f.ready) worker_.close_event(f.slot);
    Handoff h;
    h.slot = f.slot;
    h.generation = f.generation;
    h.closed = true;
    h.fed = f.fed;
    h.error = f.error;
    std::lock_guard lk(m_);
    handoffs_.push_back(std::move(h));
  }

  // A host thread with nothing to do: sleeps poll_interval, or only yields when it is 0 (lowest
  // latency, for machines with cores to spare; a sleep is at least the timer slack, ~50 us).
  void pause() const {
    if (options_.poll_interval.count() == 0)
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(options_.poll_interval);
  }

  // ---- the collecting thread -------------------------------------------------------------------

  void collect_loop() {
    auto next_sample = clock::now();
    auto next_check = clock::now();
    for (;;) {
      if (clock::now() >= next_check) {  // a failed kernel fails the session (guarded)
        worker_.check_running();
        next_check = clock::now() + std::chrono::milliseconds(1);
      }
      take_handoffs();
      std::size_t got = 0;
      {
        detail::NvtxRange range("chroma2 drain");
        const auto t0 = clock::now();
        std::uint64_t decode = 0;
        got = worker_.drain_entries(
            [&](std::uint32_t slot, OutputTier tier, const detail::OutputRecord* entry) {
              const auto d0 = clock::now();
              route(slot, tier, entry);
              decode += ns(clock::now() - d0);
            },
            1);  // one round, then completions: a large event's stream must not hold them up
        drain_ns_ += ns(clock::now() - t0) - decode;
        decode_ns_ += decode;
        records_ += got;
      }
      deliver();
      const bool settled = complete_events();
      if (options_.sample_period.count() > 0 && clock::now() >= next_sample) {
        sample();
        next_sample = clock::now() + options_.sample_period;
      }
      {
        std::lock_guard lk(m_);
        if (abort_) return;
        if (closing_ && outstanding_ == 0 && handoffs_.empty() && in_flight() == 0) return;
      }
      if (!got && !settled) pause();
    }
  }

  // After the collecting loop ended (closed, aborted or failed): once the feeding thread is done
  // with its last event, every event still in a slot fails, with the session's error if it
  // failed.
  void abandon_runs() {
    std::exception_ptr why;
    {
      std::unique_lock lk(m_);
      cv_.wait(lk, [&] { return feeder_done_; });
      why = failure_;
    }
    take_handoffs();
    for (std::uint32_t s = 0; s < runs_.size(); ++s) {
      if (!runs_[s]) continue;
      Run& r = *runs_[s];
      settle(*r.job, nullptr,
             why ? why
                 : std::make_exception_ptr(Error(
                       who(r.job->number) + " did not complete before the session closed (" +
                       std::to_string(r.entries) +
                       " records had come back) — allow a longer SessionOptions::close_timeout")));
      runs_[s].reset();
    }
  }

  std::size_t in_flight() const {
    std::size_t n = 0;
    for (const auto& r : runs_) n += r.has_value();
    return n;
  }

  void take_handoffs() {
    std::vector<Handoff> hs;
    {
      std::lock_guard lk(m_);
      hs.swap(handoffs_);
    }
    for (Handoff& h : hs) {
      if (h.job) {
        Run r;
        r.job = std::move(h.job);
        r.generation = h.generation;
        r.opened = clock::now();
        runs_[h.slot].emplace(std::move(r));
      } else {
        Run& r = *runs_[h.slot];
        r.closed = true;
        r.fed = h.fed;
        if (h.error) r.error = h.error;  // keep a callback's error from before
      }
    }
  }

  void route(std::uint32_t slot, OutputTier tier, const detail::OutputRecord* entry) {
    if (slot >= runs_.size() || !runs_[slot]) take_handoffs();
    if (slot >= runs_.size() || !runs_[slot]) {
      ++orphans_;
      return;
    }
    Run& r = *runs_[slot];
    ++r.entries;
    worker_.decode(tier, entry, r.records);
    const std::uint32_t low = static_cast<std::uint32_t>(r.job->number);
    if (tier == OutputTier::photons) r.records.photons.back().event = low;
    if (tier == OutputTier::history) r.records.tracks.back().photon.event = low;
  }

  // Calls each event's callback with the records that came back since its last call.
  void deliver() {
    for (auto& slot : runs_) {
      if (!slot) continue;
      Run& r = *slot;
      OutputRecords& rec = r.records;
      if (r.job->on_records && !r.error) {
        RecordBatch b;
        b.event = r.job->number;
        b.hits = std::span<const HitRecord>(rec.hits).subspan(r.delivered_hits);
        b.compact_hits = std::span<const CompactHit>(rec.compact_hits).subspan(r.delivered_compact);
        b.photons = std::span<const Photon>(rec.photons).subspan(r.delivered_photons);
        if (!b.hits.empty() || !b.compact_hits.empty() || !b.photons.empty()) {
          const auto t0 = clock::now();
          try {
            r.job->on_records(b);
          } catch (...) {
            r.error = std::current_exception();
            ++callback_errors_;
          }
          callback_ns_ += ns(clock::now() - t0);
        }
      }
      if (!r.job->keep) {
        rec.hits.clear();
        rec.compact_hits.clear();
        rec.photons.clear();
        rec.tracks.clear();
      }
      r.delivered_hits = rec.hits.size();
      r.delivered_compact = rec.compact_hits.size();
      r.delivered_photons = rec.photons.size();
    }
  }

  // Resolves the futures of events that are complete and whose records have all come back;
  // returns whether any was.
  bool complete_events() {
    bool any = false;
    // the tallies of the events that just completed, in one copy
    std::vector<std::uint32_t>& now = completed_;
    now.clear();
    for (std::uint32_t s = 0; s < runs_.size(); ++s)
      if (runs_[s] && runs_[s]->closed && !runs_[s]->counted &&
          worker_.complete(s, runs_[s]->generation))
        now.push_back(s);
    tallies_.resize(now.size());
    worker_.tallies(now, tallies_);
    for (std::size_t i = 0; i < now.size(); ++i) {
      Run& r = *runs_[now[i]];
      r.tally = tallies_[i];
      r.counted = true;
      switch (r.job->tier) {
        case OutputTier::hits:
        case OutputTier::compact_hits:
          r.expected_entries = r.tally[TerminalReason::detected];
          break;
        case OutputTier::photons:
        case OutputTier::history:
          r.expected_entries = r.tally.photons();
          break;
        default:
          r.expected_entries = 0;
      }
    }
    // the events complete whose records have all come back
    for (std::uint32_t s = 0; s < runs_.size(); ++s) {
      if (!runs_[s] || !runs_[s]->counted) continue;
      Run& r = *runs_[s];
      if (r.entries < r.expected_entries) continue;
      detail::NvtxRange range("chroma2 complete event");
      EventResult result;
      std::exception_ptr error = std::move(r.error);
      if (!error && r.entries != r.expected_entries)
        error = std::make_exception_ptr(
            Error(who(r.job->number) + " returned " + std::to_string(r.entries) +
                  " records but its tally counts " + std::to_string(r.expected_entries) +
                  " (an internal error) — report it with the session's options"));
      if (!error) {
        result.number = r.job->number;
        result.tier = r.job->tier;
        result.primaries = r.fed;
        result.tally = r.tally;
        result.hits = std::move(r.records.hits);
        result.compact_hits = std::move(r.records.compact_hits);
        result.photons = std::move(r.records.photons);
        result.tracks = std::move(r.records.tracks);
        if (r.job->tier == OutputTier::channels) result.channels = worker_.channel_summary(s);
        const auto t = clock::now();
        result.latency_ms = 1e3 * seconds(t - r.job->submitted);
        result.propagation_ms = 1e3 * seconds(t - r.opened);
      }
      std::unique_ptr<Job> job = std::move(r.job);
      runs_[s].reset();
      {
        std::lock_guard lk(m_);
        free_slots_.push_back(s);
        cv_.notify_all();
      }
      settle(*job, &result, std::move(error));
      any = true;
    }
    return any;
  }

  void sample() {
    const WorkerTelemetry w = worker_.telemetry();
    const CopyTelemetry c = worker_.copy_telemetry();
    const std::uint64_t copied = c.in_bytes / sizeof(InboxRecord);
    const std::uint64_t intake = static_cast<std::uint64_t>(w[TelemetryCounter::intake]);
    std::lock_guard lk(m_);
    samples_.push_back(QueueSample{1e3 * seconds_since_start(),
                                   static_cast<std::uint32_t>(waiting_.size()),
                                   static_cast<std::uint32_t>(runs_.size() - free_slots_.size()),
                                   copied > intake ? copied - intake : 0});
  }

  SessionOptions options_;
  Policy policy_;
  Worker worker_;
  clock::time_point started_;

  mutable std::mutex m_;  // guards what the threads share: the queue, free slots, handoffs, flags
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Job>> waiting_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<Handoff> handoffs_;
  std::uint64_t outstanding_ = 0;  // submitted and not yet settled
  bool closing_ = false, closed_ = false, abort_ = false, feeder_done_ = false;
  std::exception_ptr failure_;
  std::uint64_t events_submitted_ = 0, photons_submitted_ = 0;
  clock::time_point busy_since_;
  double busy_s_ = 0, wall_at_close_ = 0;
  WorkerTelemetry telemetry_at_close_{};
  std::vector<QueueSample> samples_;

  std::vector<std::optional<Run>> runs_;  // the collecting thread's, per slot
  std::vector<std::uint32_t> completed_;  // the collecting thread's scratch
  std::vector<EventTally> tallies_;       //

  std::atomic<std::uint64_t> events_completed_{0}, events_failed_{0}, photons_completed_{0},
      records_{0}, blocked_submits_{0}, refused_submits_{0}, inbox_waits_{0}, slot_waits_{0},
      callback_errors_{0}, run_events_{0}, source_run_events_{0}, expand_ns_{0}, feed_ns_{0},
      drain_ns_{0}, decode_ns_{0}, callback_ns_{0}, orphans_{0};

  detail::ParallelFor expanders_;  // the feeding thread's helpers
  std::thread feeder_, collector_;
};

}  // namespace chroma2
