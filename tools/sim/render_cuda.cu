// SPDX-License-Identifier: BSD-3-Clause
// render_on_device() (render.hpp): the picture command's pixels shaded on the GPU. The host builds
// the same setup as render() (render.cpp's prepare_render), the geometry and the small colour and
// cutaway tables are uploaded, a kernel shades one pixel a thread with render_pixel.hpp's
// shade_pixel, and the image comes back for the tracks to be drawn on the host.
//
// This file is compiled without FMA contraction (tools/sim/meson.build: --fmad=false), so each
// float operation rounds as on the host and the picture matches render()'s.
#include "tools/sim/render.hpp"

#include "tools/sim/render_pixel.hpp"
#include "tools/sim/run.hpp"

#include "chroma2/config/cuda_check.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"

#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

namespace chroma2::sim {

namespace {

// One thread a pixel; 3 bytes of RGB a pixel, rows from the top.
__global__ void shade_kernel(RenderView view, std::uint8_t* rgb) {
  const int x = int(blockIdx.x * blockDim.x + threadIdx.x);
  const int y = int(blockIdx.y * blockDim.y + threadIdx.y);
  if (x >= view.frame.width || y >= view.frame.height) return;
  const Rgb c = shade_pixel(view, x, y);
  std::uint8_t* p = rgb + (std::size_t(y) * std::size_t(view.frame.width) + std::size_t(x)) * 3;
  p[0] = c.r, p[1] = c.g, p[2] = c.b;
}

// A device copy of a host table (none for an empty one).
template <class T>
Buffer<T, Device> upload(const std::vector<T>& v) {
  Buffer<T, Device> b(v.size());
  Device::copy_from_host(b.data(), v.data(), v.size() * sizeof(T));
  return b;
}

}  // namespace

Image render_on_device(const DetectorSpec& spec, const TriangleGeometry<Host>& built,
                       const RenderOptions& options, std::span<const PhotonTrack> tracks) {
  if (!cuda_device_present())
    fail("rendering on the GPU found no GPU", "no CUDA device is visible to this process",
         "render on the CPU (--backend cpu or auto), or check the driver and "
         "CUDA_VISIBLE_DEVICES");
  RenderSetup setup;
  prepare_render(setup, spec, built.ref(), options, tracks);

  const TriangleGeometry<Device> geometry(built);
  const Buffer<Colour, Device> surfaces = upload(setup.surface_colours);
  const Buffer<Colour, Device> materials = upload(setup.material_colours);
  const Buffer<std::uint8_t, Device> cut = upload(setup.cut);
  RenderView view = setup.view;  // the host's numbers, pointing at the device's copies
  view.geometry = geometry.ref();
  view.surface_colours = surfaces.data();
  view.material_colours = materials.data();
  view.cut = cut.data();

  Image img{
      options.width, options.height,
      std::vector<std::uint8_t>(std::size_t(options.width) * std::size_t(options.height) * 3)};
  Buffer<std::uint8_t, Device> rgb(img.rgb.size());
  // 16 x 8 pixels a block: a warp shades a 16 x 2 patch, whose rays take similar paths.
  const dim3 block(16, 8);
  const dim3 grid((unsigned(img.width) + block.x - 1) / block.x,
                  (unsigned(img.height) + block.y - 1) / block.y);
  shade_kernel<<<grid, block>>>(view, rgb.data());
  CHROMA2_CUDA_CHECK_LAUNCH();
  CHROMA2_CUDA_TRY(cudaMemcpy(img.rgb.data(), rgb.data(), img.rgb.size(), cudaMemcpyDeviceToHost));

  draw_tracks(img, setup.view.frame, tracks);
  return img;
}

}  // namespace chroma2::sim
