#include "palette_file.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

namespace kmquant::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool has_extension(const fs::path& path, const std::string& lower_case) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == lower_case;
}

std::string palette_json(const Result& result, const std::string& source) {
  json entries = json::array();
  for (std::size_t i = 0; i < result.palette.size(); ++i) {
    const Rgb8& c = result.palette[i];
    json entry = {c.r, c.g, c.b};
    if (!result.alpha.empty()) entry.push_back(result.alpha.at(i));
    entries.push_back(std::move(entry));
  }
  const json document = {{"source", source},
                         {"k", result.k},
                         {"colors", result.palette.size()},
                         {"palette", std::move(entries)}};
  return document.dump(2) + "\n";
}

std::vector<std::uint8_t> palette_strip_png(const Result& result) {
  Image strip;
  strip.width = static_cast<std::uint32_t>(result.palette.size());
  strip.height = 1;
  strip.channels = result.alpha.empty() ? 3 : 4;
  for (std::size_t i = 0; i < result.palette.size(); ++i) {
    const Rgb8& c = result.palette[i];
    strip.pixels.insert(strip.pixels.end(), {c.r, c.g, c.b});
    if (!result.alpha.empty()) strip.pixels.push_back(result.alpha.at(i));
  }
  return encode_png(strip);
}

[[noreturn]] void throw_not_a_palette(const std::string& name, const std::string& reason) {
  throw Error(ErrorKind::input, name + ": not a palette file: " + reason);
}

void check_size(std::size_t entries, const std::string& name) {
  if (entries < 1 || entries > max_colors) {
    throw_not_a_palette(name, std::to_string(entries) + " colours (a palette has 1 to " +
                                  std::to_string(max_colors) + ")");
  }
}

PaletteFile palette_from_image(const Image& image, const std::string& name) {
  check_size(image.pixel_count(), name);
  PaletteFile palette;
  for (std::size_t p = 0; p < image.pixel_count(); ++p) {
    const std::uint8_t* pixel = &image.pixels[p * image.channels];
    palette.colors.push_back({pixel[0], pixel[1], pixel[2]});
    if (image.has_alpha()) palette.alpha.push_back(pixel[3]);
  }
  return palette;
}

std::uint8_t channel_value(const json& value, const std::string& name) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
      value.get<std::int64_t>() > 255) {
    throw_not_a_palette(name,
                        "a palette value is not a whole number from 0 to 255: " + value.dump());
  }
  return static_cast<std::uint8_t>(value.get<std::int64_t>());
}

PaletteFile palette_from_json(std::span<const std::uint8_t> bytes, const std::string& name) {
  const json document = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (document.is_discarded()) throw_not_a_palette(name, "neither an image nor valid JSON");
  if (!document.is_object() || !document.contains("palette") || !document["palette"].is_array()) {
    throw_not_a_palette(name, "no \"palette\" list");
  }
  const json& entries = document["palette"];
  check_size(entries.size(), name);
  const std::size_t width = entries.front().is_array() ? entries.front().size() : 0;
  PaletteFile palette;
  for (const json& entry : entries) {
    if (!entry.is_array() || entry.size() != width || (width != 3 && width != 4)) {
      throw_not_a_palette(name, "every entry must be [r, g, b] or every one [r, g, b, a]");
    }
    palette.colors.push_back({channel_value(entry[0], name), channel_value(entry[1], name),
                              channel_value(entry[2], name)});
    if (width == 4) palette.alpha.push_back(channel_value(entry[3], name));
  }
  return palette;
}

bool looks_like_an_image(std::span<const std::uint8_t> bytes) {
  constexpr std::array<std::uint8_t, 4> png = {0x89, 'P', 'N', 'G'};
  constexpr std::array<std::uint8_t, 2> jpeg = {0xFF, 0xD8};
  constexpr std::array<std::uint8_t, 4> riff = {'R', 'I', 'F', 'F'};
  const auto starts_with = [&](std::span<const std::uint8_t> magic) {
    return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
  };
  return starts_with(png) || starts_with(jpeg) || starts_with(riff);
}

}  // namespace

std::vector<std::uint8_t> palette_file_bytes(const Result& result, const std::string& source,
                                             const fs::path& path) {
  if (!has_extension(path, ".json")) return palette_strip_png(result);
  const std::string text = palette_json(result, source);
  return {text.begin(), text.end()};
}

PaletteFile parse_palette_file(std::span<const std::uint8_t> bytes, const std::string& name) {
  if (looks_like_an_image(bytes)) return palette_from_image(decode_image(bytes, name).image, name);
  return palette_from_json(bytes, name);
}

PaletteFile read_palette_file(const fs::path& path) {
  // A palette is at most 256 entries: a few kilobytes in any of its forms.
  constexpr std::uint64_t max_palette_file_bytes = 1u << 20;
  return parse_palette_file(read_file(path, max_palette_file_bytes), path.string());
}

}  // namespace kmquant::cli
