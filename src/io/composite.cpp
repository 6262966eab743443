// kmquant — flattening transparency onto white.

#include <cstdint>
#include <vector>

#include "kmquant/error.hpp"
#include "kmquant/image.hpp"

namespace kmquant {
namespace {

/// c·a + 255·(255 − a), divided by 255 and rounded to nearest; at most 255 for 8-bit inputs.
std::uint8_t over_white(unsigned color, unsigned alpha) {
  return static_cast<std::uint8_t>((color * alpha + 255u * (255u - alpha) + 127u) / 255u);
}

}  // namespace

Image composite_on_white(const Image& image) {
  if ((image.channels != 3 && image.channels != 4) ||
      image.pixels.size() != image.pixel_count() * image.channels) {
    throw Error(ErrorKind::invalid_argument,
                "composite_on_white: the image needs 3 or 4 channels and matching pixel data");
  }
  if (!image.has_alpha()) return image;

  Image rgb{.width = image.width,
            .height = image.height,
            .channels = 3,
            .pixels = std::vector<std::uint8_t>(image.pixel_count() * 3)};
  const std::uint8_t* source = image.pixels.data();
  std::uint8_t* target = rgb.pixels.data();
  for (std::size_t pixel = 0; pixel < image.pixel_count(); ++pixel, source += 4, target += 3) {
    const unsigned alpha = source[3];
    target[0] = over_white(source[0], alpha);
    target[1] = over_white(source[1], alpha);
    target[2] = over_white(source[2], alpha);
  }
  return rgb;
}

}  // namespace kmquant
