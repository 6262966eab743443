// Metadata: captured by the decoders, written by encode_indexed_png when asked. Source files
// are made here with independent code (chunks spliced by hand, libjpeg's own ICC writer), and
// libpng's classic API reads what we write back.

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

// jpeglib.h needs size_t and FILE declared before it.
// clang-format off
#include <cstddef>
#include <cstdio>
#include <jpeglib.h>
// clang-format on

#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "io_oracle.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/quantize.hpp"
#include "test_helpers.hpp"

namespace kmquant {
namespace {

using io_testing::append_be32;
using io_testing::append_chunk;
using io_testing::Bytes;

/// A minimal valid ICC profile that libpng accepts: a 128-byte header for an RGB display
/// profile with the D50 illuminant, a tag count of 0, then `padding` filler bytes (the size
/// field covers them).
Bytes icc_profile(std::size_t padding) {
  Bytes profile(128, 0);
  const auto put32 = [&](std::size_t offset, std::uint32_t value) {
    for (std::size_t i = 0; i < 4; ++i) {
      profile[offset + i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
    }
  };
  const auto put4 = [&](std::size_t offset, const char* text) {
    std::memcpy(&profile[offset], text, 4);
  };
  put32(8, 0x02100000);  // version 2.1
  put4(12, "mntr");
  put4(16, "RGB ");
  put4(20, "XYZ ");
  put4(36, "acsp");
  put32(68, 0x0000F6D6);    // D50: X
  put32(72, 0x00010000);    //      Y
  put32(76, 0x0000D32D);    //      Z
  append_be32(profile, 0);  // tag count
  for (std::size_t i = 0; i < padding; ++i) profile.push_back(static_cast<std::uint8_t>(i * 7));
  put32(0, static_cast<std::uint32_t>(profile.size()));
  return profile;
}

Bytes text_of(const std::string& text) { return {text.begin(), text.end()}; }

/// Minimal Exif: a big-endian TIFF header with one empty IFD.
Bytes exif_block() { return {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0}; }

/// Insert chunks (type, data) right after IHDR of a PNG.
Bytes with_chunks(const Bytes& png, const std::vector<std::pair<std::string, Bytes>>& chunks) {
  Bytes out(png.begin(), png.begin() + 33);
  for (const auto& [type, data] : chunks) append_chunk(out, type, data);
  out.insert(out.end(), png.begin() + 33, png.end());
  return out;
}

Bytes zlib_compressed(const Bytes& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  Bytes out(size);
  EXPECT_EQ(compress(out.data(), &size, data.data(), static_cast<uLong>(data.size())), Z_OK);
  out.resize(size);
  return out;
}

/// What libpng's classic API reads from a PNG's ancillary chunks.
struct LibpngMetadata {
  Bytes icc;
  bool has_srgb = false;
  int srgb_intent = -1;
  png_fixed_point gamma = 0;
  png_fixed_point white_x = 0;
  bool has_phys = false;
  png_uint_32 phys_x = 0;
  png_uint_32 phys_y = 0;
  int phys_unit = -1;
  std::vector<std::pair<std::string, std::string>> texts;
  Bytes exif;
  const Bytes* file = nullptr;
  std::size_t offset = 0;
};

void read_bytes(png_structp png, png_bytep out, std::size_t length) {
  auto* source = static_cast<LibpngMetadata*>(png_get_io_ptr(png));
  if (length > source->file->size() - source->offset) png_error(png, "end of file");
  std::memcpy(out, source->file->data() + source->offset, length);
  source->offset += length;
}

bool read_libpng_metadata_stage(png_structp png, png_infop info, LibpngMetadata& out) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_set_read_fn(png, &out, read_bytes);
  png_read_info(png, info);
  png_charp name = nullptr;
  int compression = 0;
  png_bytep profile = nullptr;
  png_uint_32 profile_length = 0;
  if (png_get_iCCP(png, info, &name, &compression, &profile, &profile_length) != 0) {
    out.icc.assign(profile, profile + profile_length);
  }
  out.has_srgb = png_get_sRGB(png, info, &out.srgb_intent) != 0;
  png_get_gAMA_fixed(png, info, &out.gamma);
  png_fixed_point ignored[7];
  png_get_cHRM_fixed(png, info, &out.white_x, &ignored[0], &ignored[1], &ignored[2], &ignored[3],
                     &ignored[4], &ignored[5], &ignored[6]);
  out.has_phys = png_get_pHYs(png, info, &out.phys_x, &out.phys_y, &out.phys_unit) != 0;
  png_textp texts = nullptr;
  const int count = png_get_text(png, info, &texts, nullptr);
  for (int i = 0; i < count; ++i) {
    out.texts.emplace_back(
        texts[i].key, std::string(texts[i].text, texts[i].text_length != 0 ? texts[i].text_length
                                                                           : texts[i].itxt_length));
  }
  png_uint_32 exif_length = 0;
  png_bytep exif = nullptr;
  if (png_get_eXIf_1(png, info, &exif_length, &exif) != 0)
    out.exif.assign(exif, exif + exif_length);
  return true;
}

LibpngMetadata read_with_libpng(const Bytes& file) {
  LibpngMetadata out;
  out.file = &file;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  EXPECT_TRUE(read_libpng_metadata_stage(png, info, out)) << "libpng could not read our PNG";
  png_destroy_read_struct(&png, &info, nullptr);
  return out;
}

Result small_result() { return quantize(testing::random_image(20, 10, 12, 3), 8); }

TEST(MetadataPng, IccPhysTextAndExifRoundTrip) {
  const Bytes profile = icc_profile(300);
  Bytes iccp = text_of("Test profile");
  iccp.insert(iccp.end(), {0, 0});
  const Bytes deflated = zlib_compressed(profile);
  iccp.insert(iccp.end(), deflated.begin(), deflated.end());
  Bytes phys;
  append_be32(phys, 2835);
  append_be32(phys, 3780);
  phys.push_back(1);
  Bytes ztxt = text_of("Comment");
  ztxt.insert(ztxt.end(), {0, 0});
  const Bytes deflated_comment = zlib_compressed(text_of("a compressed comment"));
  ztxt.insert(ztxt.end(), deflated_comment.begin(), deflated_comment.end());
  Bytes text = text_of("Title");
  text.push_back(0);
  const Bytes title = text_of("Kodak test");
  text.insert(text.end(), title.begin(), title.end());

  const Bytes source = with_chunks(
      encode_png(testing::make_rgb(4, 3)),
      {{"iCCP", iccp}, {"pHYs", phys}, {"tEXt", text}, {"zTXt", ztxt}, {"eXIf", exif_block()}});
  const LoadedImage loaded = decode_image(source, "metadata.png");
  const Metadata& metadata = loaded.info.metadata;
  EXPECT_FALSE(metadata.incomplete);
  EXPECT_EQ(metadata.icc_profile, profile);
  EXPECT_EQ(metadata.exif, exif_block());
  ASSERT_EQ(metadata.png_chunks.size(), 3u);
  EXPECT_EQ(metadata.png_chunks[0], (PngChunkData{"pHYs", phys}));
  EXPECT_EQ(metadata.png_chunks[1], (PngChunkData{"tEXt", text}));
  EXPECT_EQ(metadata.png_chunks[2], (PngChunkData{"zTXt", ztxt}));

  const Result result = small_result();
  const Bytes plain = encode_indexed_png(result);
  EXPECT_EQ(io_testing::chunk_types(plain),
            (std::vector<std::string>{"IHDR", "PLTE", "IDAT", "IEND"}));
  const Bytes written = encode_indexed_png(result, {.metadata = &metadata});
  const LibpngMetadata read = read_with_libpng(written);
  EXPECT_EQ(read.icc, profile);
  EXPECT_TRUE(read.has_phys);
  EXPECT_EQ(read.phys_x, 2835u);
  EXPECT_EQ(read.phys_y, 3780u);
  EXPECT_EQ(read.phys_unit, 1);
  EXPECT_EQ(read.texts, (std::vector<std::pair<std::string, std::string>>{
                            {"Title", "Kodak test"}, {"Comment", "a compressed comment"}}));
  EXPECT_EQ(read.exif, exif_block());
  // The pixels are untouched, and reading our file back gives the same metadata.
  EXPECT_EQ(decode_image(written, "ours.png").image.pixels, result.to_image().pixels);
  const Metadata again = decode_image(written, "ours.png").info.metadata;
  EXPECT_EQ(again.icc_profile, metadata.icc_profile);
  EXPECT_EQ(again.png_chunks, metadata.png_chunks);
  EXPECT_EQ(again.exif, metadata.exif);
}

TEST(MetadataPng, SrgbGammaChromaticitiesRoundTrip) {
  Bytes gama;
  append_be32(gama, 45455);
  Bytes chrm;
  for (const std::uint32_t v : {31270u, 32900u, 64000u, 33000u, 30000u, 60000u, 15000u, 6000u}) {
    append_be32(chrm, v);
  }
  const Bytes source = with_chunks(encode_png(testing::make_rgb(4, 3)),
                                   {{"sRGB", {1}}, {"gAMA", gama}, {"cHRM", chrm}});
  const Metadata metadata = decode_image(source, "srgb.png").info.metadata;
  ASSERT_EQ(metadata.png_chunks.size(), 3u);
  const LibpngMetadata read =
      read_with_libpng(encode_indexed_png(small_result(), {.metadata = &metadata}));
  EXPECT_TRUE(read.has_srgb);
  EXPECT_EQ(read.srgb_intent, 1);
  EXPECT_EQ(read.gamma, 45455);
  EXPECT_EQ(read.white_x, 31270);
}

TEST(MetadataPng, DamagedOrOversizedChunksAreDroppedNotFatal) {
  Bytes source =
      with_chunks(encode_png(testing::make_rgb(4, 3)),
                  {{"gAMA", {0, 0, 1}}, {"tEXt", text_of("Big\0" + std::string(500, 'x'))}});
  Limits limits;
  limits.max_metadata_bytes = 100;
  const LoadedImage loaded = decode_image(source, "damaged.png", limits);
  EXPECT_TRUE(loaded.info.metadata.incomplete);
  EXPECT_TRUE(loaded.info.metadata.empty());
  EXPECT_EQ(loaded.image.pixels, testing::make_rgb(4, 3).pixels);

  // A chunk whose CRC does not match is dropped too (libpng only warns about an ancillary one).
  Bytes bad_crc = with_chunks(encode_png(testing::make_rgb(4, 3)), {{"tEXt", text_of("A\0b")}});
  bad_crc[33 + 8 + 3] ^= 1;  // the last text byte
  const LoadedImage damaged = decode_image(bad_crc, "crc.png");
  EXPECT_TRUE(damaged.info.metadata.incomplete);
  EXPECT_TRUE(damaged.info.metadata.png_chunks.empty());
}

/// A text chunk's data: keyword, NUL and then `rest`.
Bytes text_chunk(const std::string& keyword, const Bytes& rest) {
  Bytes data(keyword.begin(), keyword.end());
  data.push_back(0);
  data.insert(data.end(), rest.begin(), rest.end());
  return data;
}

Bytes joined(Bytes first, const Bytes& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

std::size_t text_chunks_kept(const Metadata& metadata) {
  return static_cast<std::size_t>(std::count_if(
      metadata.png_chunks.begin(), metadata.png_chunks.end(),
      [](const PngChunkData& chunk) { return chunk.type.find("Xt") != std::string::npos; }));
}

TEST(MetadataPng, AThousandTextChunksAreKeptAtMost) {
  const std::vector<std::pair<std::string, Bytes>> chunks(1500, {"tEXt", text_of("K\0v")});
  const LoadedImage loaded =
      decode_image(with_chunks(encode_png(testing::make_rgb(4, 3)), chunks), "many.png");
  EXPECT_EQ(text_chunks_kept(loaded.info.metadata), 1000u);
  EXPECT_TRUE(loaded.info.metadata.incomplete);
}

TEST(MetadataPng, CompressedTextIsCountedInflatedAndBombsAreDropped) {
  const Bytes bomb = zlib_compressed(Bytes(20 << 20, 'z'));  // 20 MB of text in 20 kB
  const Bytes small = zlib_compressed(text_of("a short comment"));
  Bytes itxt_bomb = {1, 0, 0, 0};  // compressed, method 0, no language, no translation
  itxt_bomb.insert(itxt_bomb.end(), bomb.begin(), bomb.end());
  const Bytes zero_method = {0};
  const Bytes png = with_chunks(encode_png(testing::make_rgb(4, 3)),
                                {{"zTXt", text_chunk("Bomb", joined(zero_method, bomb))},
                                 {"iTXt", text_chunk("XML", itxt_bomb)},
                                 {"zTXt", text_chunk("Comment", joined(zero_method, small))}});
  const Metadata metadata = decode_image(png, "bomb.png").info.metadata;
  ASSERT_EQ(metadata.png_chunks.size(), 1u);
  EXPECT_EQ(metadata.png_chunks[0].data, text_chunk("Comment", joined(zero_method, small)));
  EXPECT_TRUE(metadata.incomplete);

  // Inflated, the text counts against max_metadata_bytes: 200 bytes of text stored in about
  // 15, under a 100-byte limit.
  Limits limits;
  limits.max_metadata_bytes = 100;
  const Bytes text = zlib_compressed(Bytes(200, 'a'));
  ASSERT_LT(text.size() + 3, 100u);
  const Bytes one = with_chunks(encode_png(testing::make_rgb(4, 3)),
                                {{"zTXt", text_chunk("C", joined(zero_method, text))}});
  const Metadata capped = decode_image(one, "one.png", limits).info.metadata;
  EXPECT_TRUE(capped.png_chunks.empty());
  EXPECT_TRUE(capped.incomplete);
}

TEST(MetadataPng, RefusesChunkTypesMetadataMayNotHold) {
  Metadata metadata;
  metadata.png_chunks.push_back({"IDAT", {1, 2, 3}});
  EXPECT_EQ(io_testing::error_from([&] {
              (void)encode_indexed_png(small_result(), {.metadata = &metadata});
            }).kind(),
            ErrorKind::invalid_argument);
}

/// A JPEG of `image` with an ICC profile (libjpeg's own writer, split over APP2 segments when
/// over 65519 bytes) and an Exif APP1 segment.
Bytes jpeg_with_metadata(const Image& image, const Bytes& profile, const Bytes& exif) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr error{};
  cinfo.err = jpeg_std_error(&error);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = image.width;
  cinfo.image_height = image.height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  Bytes app1 = text_of(std::string("Exif\0\0", 6));
  app1.insert(app1.end(), exif.begin(), exif.end());
  jpeg_write_marker(&cinfo, JPEG_APP0 + 1, app1.data(), static_cast<unsigned>(app1.size()));
  jpeg_write_icc_profile(&cinfo, profile.data(), static_cast<unsigned>(profile.size()));
  while (cinfo.next_scanline < cinfo.image_height) {
    auto* row = const_cast<JSAMPLE*>(image.pixels.data() +
                                     std::size_t{cinfo.next_scanline} * image.width * 3);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  Bytes jpeg(buffer, buffer + size);
  jpeg_destroy_compress(&cinfo);
  std::free(buffer);
  return jpeg;
}

TEST(MetadataJpeg, MultiSegmentIccAndExifRoundTripIntoPng) {
  const Bytes profile = icc_profile(150'000);  // three APP2 segments
  const Bytes jpeg = jpeg_with_metadata(testing::random_image(16, 8, 5, 1), profile, exif_block());
  const LoadedImage loaded = decode_image(jpeg, "metadata.jpg");
  const Metadata& metadata = loaded.info.metadata;
  EXPECT_FALSE(metadata.incomplete);
  EXPECT_EQ(metadata.icc_profile, profile);
  EXPECT_EQ(metadata.exif, exif_block());
  EXPECT_TRUE(metadata.png_chunks.empty());

  const LibpngMetadata read =
      read_with_libpng(encode_indexed_png(small_result(), {.metadata = &metadata}));
  EXPECT_EQ(read.icc, profile);
  EXPECT_EQ(read.exif, exif_block());

  // Over the limit the profile is dropped, the Exif kept, the image decoded all the same.
  Limits limits;
  limits.max_metadata_bytes = 1000;
  const Metadata limited = decode_image(jpeg, "metadata.jpg", limits).info.metadata;
  EXPECT_TRUE(limited.incomplete);
  EXPECT_TRUE(limited.icc_profile.empty());
  EXPECT_EQ(limited.exif, exif_block());
}

TEST(MetadataJpeg, PlainJpegHasNone) {
  const Metadata metadata =
      decode_image(io_testing::bytes_of(io_testing::test_data("synthetic_baseline.jpg")),
                   "plain.jpg")
          .info.metadata;
  EXPECT_FALSE(metadata.incomplete);
  EXPECT_TRUE(metadata.icc_profile.empty());
}

}  // namespace
}  // namespace kmquant
