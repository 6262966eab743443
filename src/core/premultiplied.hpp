// Straight RGBA colours and the points the search sees for them: premultiplied colour and
// transparency, so that a colour counts as much as it shows.
#pragma once

#include <cstdint>

#include "core/kmeans.hpp"

namespace kmquant::detail {

/// A straight (not premultiplied) 8-bit RGBA colour: what a palette entry stores.
struct Rgba8 {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  std::uint8_t a = 0;
  friend bool operator==(const Rgba8&, const Rgba8&) = default;
};

/// The search's point of a visible colour: its premultiplied channels c·a/255 rounded to the
/// nearest integer (never a tie: 255 is odd), and its transparency 255 − a. Squared distances
/// between such points are those of Result::mse's premultiplied space (up to the rounding of
/// at most ½ per colour channel); an opaque colour is its own point, with t = 0.
[[nodiscard]] constexpr Color search_point(const Rgba8& c) noexcept {
  const auto premultiplied = [&](std::uint8_t channel) {
    return static_cast<std::uint8_t>((channel * c.a + 127) / 255);
  };
  return {premultiplied(c.r), premultiplied(c.g), premultiplied(c.b),
          static_cast<std::uint8_t>(255 - c.a)};
}

/// The straight 8-bit colour whose premultiplied point (c·a, 255·a in units of 1/255) is
/// nearest `mean`, given in those units: for each alpha A the best colour channels are
/// round(mean_c / A), and only the three alphas around the mean's can win (another alpha costs
/// more in the alpha channel than colour rounding can ever save). Alpha is at least 1, so a
/// cluster of visible pixels never becomes fully transparent.
[[nodiscard]] Rgba8 best_written_colour(const Centroid& mean) noexcept;

}  // namespace kmquant::detail
