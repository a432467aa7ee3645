// SPDX-License-Identifier: BSD-3-Clause
// A device fault inside a running session: a photon planted in one event stops the persistent
// kernel (__trap, as an illegal access would). Every future resolves — the events in flight with
// a chroma2::Error naming the CUDA error — later submits throw it, and close() returns at once
// rather than waiting out its timeout. A CUDA fault is sticky (the process's context is lost), so
// this is its own test binary; the GPU check runs it without the sanitizers, which would report
// the planted trap.
#include "session_bodies.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <chrono>
#include <future>
#include <string>
#include <vector>

using namespace chroma2;
using namespace chroma2::test;

namespace chroma2::test {

// The session tests' physics with a fault planted: a photon of wavelength fault_nm traps.
struct FaultingPhysics {
  SessionPhysics inner;
  float fault_nm;
  template <class Context>
  CHROMA2_HD StepResult step(Photon& p, Context& ctx) const {
#if defined(__CUDA_ARCH__)
    if (p.wavelength == fault_nm) __trap();
#endif
    return inner.step(p, ctx);
  }
  CHROMA2_HD Photon secondary(const Photon& parent) const { return inner.secondary(parent); }
};

PhotonListEvent list_event(std::uint64_t number, std::uint32_t n, float wavelength_nm) {
  PhotonListEvent e;
  e.number = number;
  for (std::uint32_t i = 0; i < n; ++i)
    e.photons.push_back(make_photon(i, {0, 0, -200}, {0, 0, 1}, {1, 0, 0}, wavelength_nm));
  return e;
}

}  // namespace chroma2::test

TEST_CASE("GPU: a device fault fails the events in flight with the CUDA error, and close returns",
          "[runtime][session][gpu]") {
  const TierScene scene(1);
  const TierPhysics<Device> optics(scene);
  constexpr float fault_nm = 555.0f;
  SessionOptions o = session_options(8);
  o.close_timeout = std::chrono::seconds(60);
  Session<FaultingPhysics, Device> session(FaultingPhysics{optics.physics, fault_nm}, o);
  // before the fault: events complete
  check_event(session.submit(list_event(1, 2000, 420.0f)).get(), 1, 2000, OutputTier::hits);
  // a large event in flight, the faulting one, and events behind them
  std::vector<std::future<EventResult>> f;
  EventDescriptor<PointIsotropicSource> big;
  big.number = 2;
  big.source = session_source(50000000, true);  // far more than runs before the fault
  f.push_back(session.submit(big));
  PhotonListEvent bad = list_event(3, 100, 420.0f);
  bad.photons[57].wavelength = fault_nm;
  f.push_back(session.submit(std::move(bad)));
  for (std::uint64_t e = 4; e < 12; ++e) f.push_back(session.submit(list_event(e, 500, 430.0f)));
  const auto t0 = std::chrono::steady_clock::now();
  std::uint32_t failed = 0;
  for (auto& x : f) {
    REQUIRE(x.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    try {
      x.get();
    } catch (const Error& e) {
      ++failed;
      const std::string what = e.what();
      INFO(what);
      CHECK((what.find("failed on the device") != std::string::npos ||
             what.find("cuda") != std::string::npos || what.find("CUDA") != std::string::npos));
    }
  }
  // the large event cannot have completed, nor the faulting one
  CHECK(failed >= 2);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
  CHECK_THROWS_AS(session.submit(list_event(20, 10, 420.0f)), Error);
  const auto c0 = std::chrono::steady_clock::now();
  session.close();  // neither hangs nor throws: the futures carry the error
  CHECK(std::chrono::steady_clock::now() - c0 < std::chrono::seconds(5));
  CHECK(session.telemetry().events_failed == failed);
}
