// kmquant — rate–distortion plots as inline SVG.
//
// Layout, in SVG user units: a kWidth × kHeight view box; the plot area is inset by kLeft,
// kRight, kTop and kBottom, leaving room for the title above and the tick labels and axis
// titles left and below. Both axes are linear; the rate axis starts at 0, the PSNR axis spans
// the points. Ticks are 1, 2 or 5 × 10ⁿ apart and each axis ends on a tick.
#include "report/rd_plot.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "report/text_format.hpp"

namespace kmquant::detail {
namespace {

constexpr double kWidth = 460;
constexpr double kHeight = 300;
constexpr double kLeft = 58;
constexpr double kRight = 22;
constexpr double kTop = 34;
constexpr double kBottom = 46;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;
constexpr int kTickTarget = 6;  // about this many intervals per axis
constexpr double kPad = 0.04;   // room left around the points, as a fraction of their span
constexpr const char* kPointColour = "#d62728";
constexpr const char* kLineColour = "#1f77b4";

struct Point {
  double rate = 0;
  double psnr = 0;
  const ResultRow* row = nullptr;
};

struct Axis {
  double low = 0;
  double high = 1;
  double step = 1;

  [[nodiscard]] double fraction(double value) const { return (value - low) / (high - low); }
  [[nodiscard]] int intervals() const { return static_cast<int>(std::lround((high - low) / step)); }
};

Axis nice_axis(double low, double high) {
  if (!(high > low)) {  // one value: widen around it
    const double pad = std::max(std::abs(low) * 0.1, 1.0);
    low -= pad;
    high += pad;
  }
  const double raw = (high - low) / kTickTarget;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * magnitude;
  for (const double multiple : {1.0, 2.0, 5.0}) {
    if (multiple * magnitude >= raw) {
      step = multiple * magnitude;
      break;
    }
  }
  return {std::floor(low / step) * step, std::ceil(high / step) * step, step};
}

std::string tick_text(double value, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return printf_string("%.*f", decimals, value);
}

double svg_x(const Axis& axis, double value) { return kLeft + axis.fraction(value) * kPlotWidth; }
double svg_y(const Axis& axis, double value) {
  return kTop + (1 - axis.fraction(value)) * kPlotHeight;
}

std::vector<Point> finite_points(const ResultTable& table, RateAxis axis) {
  std::vector<Point> points;
  for (const ResultRow& row : table.results) {
    if (!std::isfinite(row.psnr)) continue;
    const double rate = axis == RateAxis::bits_per_pixel
                            ? static_cast<double>(row.bits_per_pixel)
                            : static_cast<double>(row.png_bytes) / 1000.0;
    points.push_back({rate, row.psnr, &row});
  }
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a.row->k < b.row->k; });
  return points;
}

std::string grid_and_ticks(const Axis& x, const Axis& y) {
  std::string out = "<g class=\"ticks\">";
  for (int i = 0; i <= x.intervals(); ++i) {
    const double value = x.low + i * x.step;
    const double px = svg_x(x, value);
    out += printf_string(
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
        px, kTop, px, kTop + kPlotHeight, px, kTop + kPlotHeight + 16,
        tick_text(value, x.step).c_str());
  }
  for (int i = 0; i <= y.intervals(); ++i) {
    const double value = y.low + i * y.step;
    const double py = svg_y(y, value);
    out += printf_string(
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
        kLeft, py, kLeft + kPlotWidth, py, kLeft - 6, py + 4, tick_text(value, y.step).c_str());
  }
  return out + "</g>";
}

std::string frame_and_titles(RateAxis axis) {
  const bool bits = axis == RateAxis::bits_per_pixel;
  return printf_string(
      "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"frame\"/>"
      "<text x=\"%.1f\" y=\"20\" class=\"title\">%s</text>"
      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"axis\">%s</text>"
      "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\" "
      "class=\"axis\">PSNR (dB)</text>",
      kLeft, kTop, kPlotWidth, kPlotHeight, kLeft,
      bits ? "PSNR against bits per pixel" : "PSNR against PNG file size", kLeft + kPlotWidth / 2,
      kHeight - 8, bits ? "bits per pixel (⌈log₂ k⌉)" : "indexed PNG size (kB)",
      kTop + kPlotHeight / 2);
}

std::string series(const std::vector<Point>& points, const Axis& x, const Axis& y) {
  std::string line = "<polyline class=\"series\" fill=\"none\" stroke=\"";
  line += kLineColour;
  line += "\" stroke-width=\"2\" points=\"";
  std::string circles = "<g class=\"points\">";
  for (const Point& point : points) {
    const double px = svg_x(x, point.rate);
    const double py = svg_y(y, point.psnr);
    const ResultRow& row = *point.row;
    // Labels below right of their point, off the rising line; near the right edge, where they
    // would leave the frame, above left.
    const bool label_left = px > kLeft + 0.85 * kPlotWidth;
    line += printf_string("%.1f,%.1f ", px, py);
    circles += printf_string(
        "<circle class=\"point\" data-k=\"%u\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\">"
        "<title>k = %u: %u bit%s/px, %s bytes, %.2f dB</title></circle>"
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"label\">k=%u</text>",
        row.k, px, py, kPointColour, row.k, row.bits_per_pixel, row.bits_per_pixel == 1 ? "" : "s",
        grouped(row.png_bytes).c_str(), row.psnr, label_left ? px - 8 : px + 8,
        label_left ? py - 8 : py + 15, label_left ? "end" : "start", row.k);
  }
  line.back() = '"';  // replaces the trailing space
  return line + "/>" + circles + "</g>";
}

}  // namespace

std::string rate_distortion_svg(const ResultTable& table, RateAxis axis, const std::string& id) {
  std::string out = printf_string(
      "<svg id=\"%s\" class=\"plot\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">",
      id.c_str(), kWidth, kHeight,
      axis == RateAxis::bits_per_pixel ? "PSNR against bits per pixel"
                                       : "PSNR against PNG file size");
  out += frame_and_titles(axis);
  const std::vector<Point> points = finite_points(table, axis);
  if (points.empty()) {
    out += printf_string(
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">every result is lossless: "
        "nothing to plot</text>",
        kLeft + kPlotWidth / 2, kTop + kPlotHeight / 2);
    return out + "</svg>";
  }
  const auto [min_psnr, max_psnr] = std::minmax_element(
      points.begin(), points.end(), [](const Point& a, const Point& b) { return a.psnr < b.psnr; });
  const double max_rate =
      std::max_element(points.begin(), points.end(), [](const Point& a, const Point& b) {
        return a.rate < b.rate;
      })->rate;
  // Padded so that no point sits on the frame.
  const double psnr_span = max_psnr->psnr - min_psnr->psnr;
  const Axis x = nice_axis(0, max_rate * (1 + kPad));
  const Axis y = nice_axis(min_psnr->psnr - kPad * psnr_span, max_psnr->psnr + kPad * psnr_span);
  out += grid_and_ticks(x, y);
  out += series(points, x, y);
  return out + "</svg>";
}

}  // namespace kmquant::detail
