// SPDX-License-Identifier: BSD-3-Clause
// ThreadPool: the host threads of one geometry or BVH build. Fire-and-forget tasks (subtrees),
// and fork-join loops whose caller takes part (it claims chunks itself, so a loop never waits on
// a queued chunk nobody runs). Started once per build, so no pass pays for starting threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace chroma2::detail {

class ThreadPool {
 public:
  // `threads` counts the caller: threads - 1 workers are started.
  explicit ThreadPool(unsigned threads) {
    for (unsigned k = 1; k < threads; ++k) workers_.emplace_back([this] { work(); });
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }
  unsigned size() const { return static_cast<unsigned>(workers_.size()) + 1; }

  void submit(std::function<void()> f) {
    pending_.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(f));
    }
    wake_.notify_one();
  }
  // Runs queued tasks on the calling thread too until every submitted one has finished; rethrows
  // the first exception a task threw.
  void wait_all() {
    while (pending_.load() > 0)
      if (!run_one()) std::this_thread::yield();
    if (error_) std::rethrow_exception(error_);
  }
  // f(c) for every c in [0, chunks), on the caller and idle workers.
  template <class F>
  void parallel_for(unsigned chunks, const F& f) {
    if (chunks <= 1 || workers_.empty()) {
      for (unsigned c = 0; c < chunks; ++c) f(c);
      return;
    }
    struct Loop {
      std::atomic<unsigned> next{0}, done{0};
    };
    auto loop = std::make_shared<Loop>();
    const F* fp = &f;
    auto body = [loop, chunks, fp] {
      for (unsigned c; (c = loop->next.fetch_add(1)) < chunks;) {
        (*fp)(c);  // f outlives every claimed chunk: the caller waits for them below
        loop->done.fetch_add(1, std::memory_order_release);
      }
    };
    for (unsigned k = 1; k < std::min<unsigned>(chunks, size()); ++k) submit(body);
    body();
    while (loop->done.load(std::memory_order_acquire) < chunks) std::this_thread::yield();
  }
  // f(begin, end) over [0, n) cut into equal chunks, one per thread at most and at least about
  // `grain` items each (small arrays stay on the caller).
  template <class F>
  void parallel_chunks(std::size_t n, std::size_t grain, const F& f) {
    const auto chunks = static_cast<unsigned>(std::min<std::size_t>(size(), n / grain + 1));
    parallel_for(chunks, [&](unsigned c) { f(n * c / chunks, n * (c + 1) / chunks); });
  }

 private:
  bool run_one() {
    std::function<void()> f;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (queue_.empty()) return false;
      f = std::move(queue_.front());
      queue_.pop_front();
    }
    run(f);
    return true;
  }
  void run(std::function<void()>& f) {
    try {
      f();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    pending_.fetch_sub(1);
  }
  void work() {
    for (;;) {
      std::function<void()> f;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        f = std::move(queue_.front());
        queue_.pop_front();
      }
      run(f);
    }
  }

  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> queue_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::size_t> pending_{0};
  std::exception_ptr error_;
  bool stop_ = false;
};

}  // namespace chroma2::detail
