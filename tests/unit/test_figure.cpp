// Tests of the comparison figure: layout, pixels, labels and argument checks. The panels are
// synthetic images, so the expected colour of every pixel is known; the figure is decoded back
// with libpng's simplified API.
#include <gtest/gtest.h>
#include <png.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <functional>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "kmquant/error.hpp"
#include "kmquant/image.hpp"
#include "kmquant/quantize.hpp"
#include "kmquant/report.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

// A sanitizer reserves terabytes of address space, so an address-space limit cannot be tested
// under one (GCC says so with __SANITIZE_*__, Clang with __has_feature).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KMQUANT_TEST_WITH_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define KMQUANT_TEST_WITH_SANITIZER 1
#endif
#endif

// The layout documented at the top of src/report/figure.cpp.
constexpr int kMargin = 12;
constexpr int kTitleHeight = 24;
constexpr int kLabelHeight = 28;
constexpr int kFirstRowTop = 2 * kMargin + kTitleHeight;

constexpr Rgb8 kRed{255, 0, 0};
constexpr Rgb8 kBlue{0, 0, 255};
constexpr Rgb8 kWhite{255, 255, 255};

struct Figure {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;

  [[nodiscard]] Rgb8 at(int x, int y) const {
    const auto offset = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                         static_cast<std::size_t>(x)) *
                        3;
    return {rgb[offset], rgb[offset + 1], rgb[offset + 2]};
  }
};

Figure decode(const std::vector<std::uint8_t>& png) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&image, png.data(), png.size()) == 0) {
    throw std::runtime_error(std::string("not a PNG: ") + image.message);
  }
  image.format = PNG_FORMAT_RGB;
  Figure figure{static_cast<int>(image.width), static_cast<int>(image.height),
                std::vector<std::uint8_t>(PNG_IMAGE_SIZE(image))};
  if (png_image_finish_read(&image, nullptr, figure.rgb.data(), 0, nullptr) == 0) {
    throw std::runtime_error(std::string("corrupt PNG: ") + image.message);
  }
  return figure;
}

Figure render(const std::vector<GridPanel>& panels, const GridStyle& style = {}) {
  return decode(render_comparison_grid(panels, "test figure", style));
}

Image solid(std::uint32_t width, std::uint32_t height, Rgb8 colour) {
  Image image{width, height, 3, {}};
  for (std::size_t i = 0; i < image.pixel_count(); ++i) {
    image.pixels.insert(image.pixels.end(), {colour.r, colour.g, colour.b});
  }
  return image;
}

// Alternating black and white pixels: the finest detail an image can hold, the first thing to
// alias when an image is shrunk without filtering.
Image checkerboard(std::uint32_t width, std::uint32_t height) {
  Image image{width, height, 3, {}};
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      const std::uint8_t value = (x + y) % 2 == 0 ? 0 : 255;
      image.pixels.insert(image.pixels.end(), {value, value, value});
    }
  }
  return image;
}

// Text is drawn dark grey on white, with grey anti-aliased edges.
bool is_ink(Rgb8 pixel) { return pixel.r < 200 && pixel.g < 200 && pixel.b < 200; }

int ink_pixels(const Figure& figure, int left, int top, int right, int bottom) {
  int count = 0;
  for (int y = top; y < bottom; ++y) {
    for (int x = left; x < right; ++x) count += is_ink(figure.at(x, y)) ? 1 : 0;
  }
  return count;
}

// Six 768×512 panels at the default style (384 px, 3 columns): two rows of 384×256 pictures.
std::vector<GridPanel> sweep_of(const std::vector<Image>& images) {
  std::vector<GridPanel> panels;
  for (const Image& image : images)
    panels.push_back({.image = &image, .label = "k = 8 · 3 bits/px · 27.4 dB"});
  return panels;
}

int column_left(int column, int panel_width = 384) {
  return kMargin + column * (panel_width + kMargin);
}

int sweep_row_top(int row) { return kFirstRowTop + row * (256 + kLabelHeight + kMargin); }

TEST(ComparisonGrid, SixPanelsMakeThreeColumnsAndTwoRows) {
  const std::vector<Image> images(6, solid(768, 512, kBlue));
  const Figure figure = render(sweep_of(images));
  EXPECT_EQ(figure.width, 3 * 384 + 4 * kMargin);
  EXPECT_EQ(figure.height, kFirstRowTop + 2 * (256 + kLabelHeight + kMargin));
}

TEST(ComparisonGrid, FewerPanelsThanColumnsMakeANarrowerFigure) {
  const std::vector<Image> images(2, solid(768, 512, kBlue));
  const Figure figure = render(sweep_of(images));
  EXPECT_EQ(figure.width, 2 * 384 + 3 * kMargin);
  EXPECT_EQ(figure.height, kFirstRowTop + 256 + kLabelHeight + kMargin);
}

TEST(ComparisonGrid, EachPanelIsDrawnAtItsPlace) {
  std::vector<Image> images(6, solid(768, 512, kBlue));
  images[4] = solid(768, 512, kRed);  // second row, middle column
  const Figure figure = render(sweep_of(images));
  for (int panel = 0; panel < 6; ++panel) {
    const int centre_x = column_left(panel % 3) + 192;
    const int centre_y = sweep_row_top(panel / 3) + 128;
    EXPECT_EQ(figure.at(centre_x, centre_y), panel == 4 ? kRed : kBlue) << "panel " << panel;
  }
}

TEST(ComparisonGrid, PicturesFillTheirWholeBoxAndNoMore) {
  const std::vector<Image> images(1, solid(768, 512, kRed));
  const Figure figure = render(sweep_of(images));
  const int left = column_left(0);
  const int top = sweep_row_top(0);
  EXPECT_EQ(figure.at(left, top), kRed);
  EXPECT_EQ(figure.at(left + 383, top + 255), kRed);
  EXPECT_NE(figure.at(left - 1, top), kRed);  // the frame, just outside
  EXPECT_NE(figure.at(left + 384, top + 255), kRed);
}

TEST(ComparisonGrid, BackgroundIsWhite) {
  const std::vector<Image> images(6, solid(768, 512, kBlue));
  const Figure figure = render(sweep_of(images));
  EXPECT_EQ(figure.at(0, 0), kWhite);
  EXPECT_EQ(figure.at(figure.width - 1, figure.height - 1), kWhite);
  EXPECT_EQ(figure.at(column_left(1) - kMargin / 2, sweep_row_top(0) + 128), kWhite);  // gutter
  EXPECT_EQ(figure.at(column_left(2) + 192, sweep_row_top(1) - kMargin / 2),
            kWhite);  // between rows
}

TEST(ComparisonGrid, LabelIsDrawnUnderItsPicture) {
  const Image image = solid(768, 512, kBlue);
  const int label_top = sweep_row_top(0) + 256 + 2;  // below the frame
  const int label_bottom = label_top + kLabelHeight - 2;

  const Figure labelled = render({{.image = &image, .label = "original · 768×512 · 24 bits/px"}});
  EXPECT_GT(ink_pixels(labelled, column_left(0), label_top, column_left(0) + 384, label_bottom),
            100);

  const Figure unlabelled = render({{.image = &image, .label = ""}});
  EXPECT_EQ(ink_pixels(unlabelled, 0, label_top, unlabelled.width, label_bottom), 0);
}

TEST(ComparisonGrid, TitleIsDrawnAtTheTop) {
  const Image image = solid(768, 512, kBlue);
  const std::vector<GridPanel> panels{{.image = &image, .label = ""}};
  const Figure titled = decode(render_comparison_grid(panels, "kodim23.png — k-means"));
  EXPECT_GT(ink_pixels(titled, 0, kMargin, titled.width, kMargin + kTitleHeight), 100);

  const Figure untitled = decode(render_comparison_grid(panels, ""));
  EXPECT_EQ(ink_pixels(untitled, 0, 0, untitled.width, kFirstRowTop - 2), 0);
}

TEST(ComparisonGrid, LongLabelIsShrunkToItsPanelWidth) {
  // At 14 px this label is about twice as wide as a 160-pixel panel.
  const std::vector<Image> images(3, solid(320, 160, kBlue));
  const std::vector<GridPanel> panels{
      {.image = &images[0], .label = ""},
      {.image = &images[1], .label = "k = 256 · 8 bits/px · 48.1 dB · 3.0×"},
      {.image = &images[2], .label = ""}};
  const Figure figure = render(panels, {160, 3});
  const int label_top = kFirstRowTop + 80 + 2;
  const int label_bottom = label_top + kLabelHeight - 2;
  const int left = column_left(1, 160);
  const int right = left + 160;
  EXPECT_GT(ink_pixels(figure, left, label_top, right, label_bottom), 100);
  EXPECT_EQ(ink_pixels(figure, 0, label_top, left, label_bottom), 0);
  EXPECT_EQ(ink_pixels(figure, right, label_top, figure.width, label_bottom), 0);
}

TEST(ComparisonGrid, RowIsAsTallAsItsTallestPictureAndPicturesShareTheBottomEdge) {
  const Image landscape = solid(768, 512, kBlue);  // 384×256 in the figure
  const Image portrait = solid(512, 768, kRed);    // 384×576 in the figure
  const Figure figure =
      render({{.image = &landscape, .label = "a"}, {.image = &portrait, .label = "b"}}, {384, 2});
  EXPECT_EQ(figure.height, kFirstRowTop + 576 + kLabelHeight + kMargin);

  const int row_bottom = kFirstRowTop + 576;
  EXPECT_EQ(figure.at(column_left(0) + 192, row_bottom - 1), kBlue);
  EXPECT_EQ(figure.at(column_left(0) + 192, row_bottom - 256), kBlue);
  EXPECT_EQ(figure.at(column_left(0) + 192, row_bottom - 256 - 2), kWhite);
  EXPECT_EQ(figure.at(column_left(1) + 192, kFirstRowTop), kRed);
}

TEST(ComparisonGrid, DownscalingAveragesFineDetailInsteadOfAliasing) {
  const Image fine = checkerboard(768, 512);
  const Figure figure = render({{.image = &fine, .label = ""}});
  // Unfiltered sampling would pick all-black or all-white pixels; a box filter averages each
  // 2×2 block to mid grey.
  for (const int x : {50, 192, 301}) {
    for (const int y : {40, 128, 200}) {
      const Rgb8 pixel = figure.at(column_left(0) + x, sweep_row_top(0) + y);
      EXPECT_NEAR(pixel.g, 128, 4) << "at " << x << "," << y;
    }
  }
}

// Each figure pixel of a shrunk picture is the rounded mean of the source pixels that map into
// it: column x to figure column ⌊x · 384 / W⌋, rows [Y · H / h, (Y + 1) · H / h) to figure row
// Y. Checked pixel by pixel against that rule, for pictures of 2–3 source columns a figure
// column (added one by one) and of 4–5 (added up in runs first).
TEST(ComparisonGrid, ShrunkPixelsAreTheMeansOfTheirSourcePixels) {
  for (const std::uint32_t width : {1000u, 1537u}) {
    const std::uint32_t height = width;  // a 384 × 384 picture in the figure
    const Image image = testing::random_image(width, height, 5000, width);
    const Figure figure = render({{.image = &image, .label = ""}});
    constexpr std::uint32_t side = 384;
    std::vector<std::uint32_t> first_x(side + 1, width);  // each figure column's first source
    for (std::uint32_t x = width; x-- > 0;) first_x[std::uint64_t{x} * side / width] = x;
    for (std::uint32_t y_out = 0; y_out < side; y_out += 7) {
      const std::uint32_t y0 = y_out * height / side;
      const std::uint32_t y1 = (y_out + 1) * height / side;
      for (std::uint32_t x_out = 0; x_out < side; x_out += 5) {
        std::array<std::uint64_t, 3> sum{};
        std::uint64_t count = 0;
        for (std::uint32_t y = y0; y < y1; ++y) {
          for (std::uint32_t x = first_x[x_out]; x < first_x[x_out + 1]; ++x) {
            for (std::size_t ch = 0; ch < 3; ++ch) {
              sum[ch] += image.pixels[(std::size_t{y} * width + x) * 3 + ch];
            }
            ++count;
          }
        }
        const Rgb8 expected{static_cast<std::uint8_t>((sum[0] + count / 2) / count),
                            static_cast<std::uint8_t>((sum[1] + count / 2) / count),
                            static_cast<std::uint8_t>((sum[2] + count / 2) / count)};
        ASSERT_EQ(
            figure.at(kMargin + static_cast<int>(x_out), kFirstRowTop + static_cast<int>(y_out)),
            expected)
            << width << " wide, at " << x_out << "," << y_out;
      }
    }
  }
}

// The shrinking sums pixels in 21-bit fields, flushed before they can carry into each other:
// a blue picture 600,000 pixels wide shrunk to 64 puts 9,375 · 255 into each blue sum, past 2²¹.
TEST(ComparisonGrid, DownscalingAVeryWidePictureKeepsItsColour) {
  Image wide = testing::make_rgb(600000, 2);
  for (std::size_t i = 0; i < wide.pixel_count(); ++i) wide.pixels[i * 3 + 2] = 255;
  const Figure figure = render({{.image = &wide, .label = ""}}, {64, 3});
  for (int x = 0; x < 64; ++x) {
    EXPECT_EQ(figure.at(kMargin + x, kFirstRowTop), kBlue) << "at " << x;
  }
}

TEST(ComparisonGrid, UpscalingKeepsPaletteColoursCrisp) {
  Image two_pixels{2, 1, 3, {255, 0, 0, 0, 0, 255}};  // red | blue
  const Figure figure = render({{.image = &two_pixels, .label = ""}}, {64, 3});
  // 64×32: the left half red, the right half blue, and no blended colour in between.
  const int top = kFirstRowTop;
  for (int x = 0; x < 64; ++x) {
    for (const int y : {0, 16, 31}) {
      EXPECT_EQ(figure.at(kMargin + x, top + y), x < 32 ? kRed : kBlue) << "at " << x << "," << y;
    }
  }
}

TEST(ComparisonGrid, TransparentPixelsAreDrawnOverWhite) {
  Image rgba{2, 1, 4, {255, 0, 0, 0, 255, 0, 0, 128}};  // transparent red | half-opaque red
  const Figure figure = render({{.image = &rgba, .label = ""}}, {2, 1});
  EXPECT_EQ(figure.at(kMargin, kFirstRowTop), kWhite);
  EXPECT_EQ(figure.at(kMargin + 1, kFirstRowTop), (Rgb8{255, 127, 127}));
}

void expect_error(ErrorKind kind, const std::function<void()>& call) {
  try {
    call();
    ADD_FAILURE() << "no Error thrown";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), kind) << error.what();
    EXPECT_EQ(std::string(error.what()).rfind("comparison figure: ", 0), 0u) << error.what();
  }
}

void expect_invalid(const std::vector<GridPanel>& panels, const GridStyle& style = {}) {
  expect_error(ErrorKind::invalid_argument,
               [&] { (void)render_comparison_grid(panels, "title", style); });
}

TEST(ComparisonGrid, RefusesInvalidArguments) {
  const Image image = solid(4, 4, kRed);
  Image empty;
  Image zero_height = solid(4, 4, kRed);
  zero_height.height = 0;
  Image two_channels{1, 1, 2, {0, 0}};
  Image short_buffer = solid(4, 4, kRed);
  short_buffer.pixels.pop_back();

  expect_invalid({});
  expect_invalid({{.label = "neither image nor result"}});
  Result result;
  result.width = 2;
  result.height = 1;
  result.palette = {{1, 2, 3}};
  result.indices = {0, 0};
  expect_invalid({{.image = &image, .result = &result, .label = "both"}});
  Result bad_index = result;
  bad_index.indices = {0, 1};
  expect_invalid({{.result = &bad_index, .label = "index outside the palette"}});
  Result too_few = result;
  too_few.indices = {0};
  expect_invalid({{.result = &too_few, .label = "too few indices"}});
  expect_invalid({{.image = &image, .label = "fine"}, {.image = &empty, .label = "empty"}});
  expect_invalid({{.image = &zero_height, .label = "zero height"}});
  expect_invalid({{.image = &two_channels, .label = "grey + alpha"}});
  expect_invalid({{.image = &short_buffer, .label = "truncated"}});
  expect_invalid({{.image = &image, .label = "fine"}}, {0, 3});
  expect_invalid({{.image = &image, .label = "fine"}}, {384, 0});
  expect_invalid({{.image = &image, .label = "fine"}}, {40'000, 3});  // wider than Cairo can draw
}

// A result is drawn straight from its palette and indices, without a full-size copy: the figure
// must be the one its to_image() would give, whether the picture is shrunk or enlarged.
TEST(ComparisonGrid, ResultPanelDrawsLikeItsImage) {
  for (const auto& [width, height] : {std::pair{1000u, 700u}, std::pair{50u, 30u}}) {
    const Result result = quantize(testing::random_image(width, height, 40, 7), 6, {.seed = 3});
    const Image image = result.to_image();
    const auto from_result = render_comparison_grid({{{.result = &result, .label = "k = 6"}}}, "t");
    const auto from_image = render_comparison_grid({{{.image = &image, .label = "k = 6"}}}, "t");
    EXPECT_EQ(from_result, from_image) << width << "×" << height;
  }
}

TEST(ComparisonGrid, CairoFailureIsAnOutputError) {
  const Image image = solid(4, 4, kRed);
  const std::vector<GridPanel> panels{{.image = &image, .label = "\xff\xfe not UTF-8"}};
  expect_error(ErrorKind::output, [&] { (void)render_comparison_grid(panels, "title"); });
}

#ifndef KMQUANT_TEST_WITH_SANITIZER
/// This process's address space in bytes (VmSize in /proc/self/status).
std::uint64_t address_space_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  std::uint64_t kilobytes = 0;
  while (status >> key) {
    if (key == "VmSize:" && status >> kilobytes) return kilobytes * 1024;
  }
  return 0;
}

/// In a child process: render a figure of 4,000 pixels square (a 64 MB surface, the first large
/// allocation after the layout) with 16 MB of address space to spare, and exit 0 for
/// std::bad_alloc, 1 for an Error.
[[noreturn]] void render_short_of_memory(const std::vector<GridPanel>& panels) {
  prepare_figure_fonts();
  const rlimit limit{address_space_bytes() + (16u << 20), RLIM_INFINITY};
  if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(3);
  try {
    (void)render_comparison_grid(panels, "title", {.panel_width = 4000, .threads = 1});
  } catch (const std::bad_alloc&) {
    _exit(0);
  } catch (const Error&) {
    _exit(1);
  }
  _exit(2);
}
#endif

// Out of memory in Cairo is out of memory (std::bad_alloc: exit 1 in the command line), not an
// output error.
TEST(ComparisonGridDeathTest, CairoOutOfMemoryIsBadAlloc) {
#ifdef KMQUANT_TEST_WITH_SANITIZER
  GTEST_SKIP() << "an address-space limit cannot be set under a sanitizer";
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Image image = solid(4, 4, kRed);
  const std::vector<GridPanel> panels{{.image = &image, .label = "enlarged"}};
  EXPECT_EXIT(render_short_of_memory(panels), ::testing::ExitedWithCode(0), "");
#endif
}

}  // namespace
}  // namespace kmquant
