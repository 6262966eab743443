#!/usr/bin/python3
"""Generate the damaged, hostile and edge-case image files of tests/data/bad/.

Run from anywhere with /usr/bin/python3 (Pillow 9.4 for the few valid JPEG/WebP edge cases):

    tests/data/bad/make_bad.py

It rewrites every file listed in manifest.csv (and manifest.csv itself) from the synthetic
images of tests/data/, Python's zlib and Pillow. The files are committed, so the tests do not
run this script; it documents how each file was made and can remake them.

manifest.csv has one line per file: its name, what kmquant must do with it, and why.
  load   -- decodes; the pixels must equal an independent decoder's (libpng's simplified API in
            the unit tests, Pillow in the end-to-end tests)
  input  -- refused as a damaged or unsupported input (exit code 3)
  limit  -- refused by a limit (exit code 5)
"""
import csv
import io
import pathlib
import struct
import zlib

from PIL import Image

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

files = []  # (name, expected, description, bytes)


def add(name, expected, description, data):
    assert expected in ("load", "input", "limit")
    files.append((name, expected, description, bytes(data)))


# --- PNG ------------------------------------------------------------------------------------

def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_chunks(png):
    """[(type, data)] of a PNG."""
    chunks, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset:offset + 4])
        chunks.append((png[offset + 4:offset + 8], png[offset + 8:offset + 8 + length]))
        offset += 12 + length
    return chunks


def build_png(chunks):
    return PNG_SIGNATURE + b"".join(chunk(kind, data) for kind, data in chunks)


def ihdr(width, height, depth=8, colour_type=2, interlace=0):
    return struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, interlace)


def png_image(width, height, rows, depth=8, colour_type=2, extra=()):
    """A PNG of already filtered rows (each starting with its filter byte)."""
    return build_png([(b"IHDR", ihdr(width, height, depth, colour_type)), *extra,
                      (b"IDAT", zlib.compress(rows, 9)), (b"IEND", b"")])


def corrupt_crc(png, kind):
    """The PNG with the CRC of its first `kind` chunk inverted."""
    offset = 8
    while True:
        (length,) = struct.unpack(">I", png[offset:offset + 4])
        if png[offset + 4:offset + 8] == kind:
            crc_at = offset + 8 + length
            data = bytearray(png)
            data[crc_at:crc_at + 4] = bytes(b ^ 0xFF for b in data[crc_at:crc_at + 4])
            return data
        offset += 12 + length


rgb_png = (DATA / "synthetic_rgb.png").read_bytes()
rgb_chunks = png_chunks(rgb_png)
rgb_ihdr = rgb_chunks[0][1]
idat = b"".join(data for kind, data in rgb_chunks if kind == b"IDAT")
idat_start = rgb_png.index(b"IDAT") - 4

add("png_zero_size.png", "input", "empty file", b"")
add("png_signature_only.png", "input", "the 8-byte signature and nothing else", PNG_SIGNATURE)
add("png_half_signature.png", "input", "the first 4 bytes of the signature", PNG_SIGNATURE[:4])
add("png_truncated_in_ihdr.png", "input", "cut in the middle of IHDR", rgb_png[:20])
add("png_truncated_in_idat.png", "input", "cut in the middle of the image data",
    rgb_png[:idat_start + 8 + len(idat) // 2])
add("png_truncated_before_iend.png", "input", "complete image data but no IEND",
    rgb_png[:-12])
add("png_bad_ihdr_crc.png", "input", "IHDR CRC inverted", corrupt_crc(rgb_png, b"IHDR"))
add("png_bad_idat_crc.png", "input", "IDAT CRC inverted", corrupt_crc(rgb_png, b"IDAT"))
damaged = bytearray(idat)
damaged[len(damaged) // 2:len(damaged) // 2 + 8] = b"\xff" * 8
add("png_bad_deflate.png", "input", "deflate stream damaged (chunk CRCs valid)",
    build_png([(b"IHDR", rgb_ihdr), (b"IDAT", bytes(damaged)), (b"IEND", b"")]))
add("png_bad_adler.png", "input", "zlib checksum (Adler-32) inverted",
    build_png([(b"IHDR", rgb_ihdr),
               (b"IDAT", idat[:-4] + bytes(b ^ 0xFF for b in idat[-4:])),
               (b"IEND", b"")]))
add("png_no_idat.png", "input", "IHDR then IEND, no image data",
    build_png([(b"IHDR", rgb_ihdr), (b"IEND", b"")]))
add("png_short_idat.png", "input", "image data for half the rows",
    png_image(16, 16, b"".join(b"\0" + bytes(48) for _ in range(8))))
add("png_width_0.png", "input", "0x16 pixels",
    png_image(0, 16, b"\0" * 16))
add("png_height_0.png", "input", "16x0 pixels",
    png_image(16, 0, b""))
add("png_bad_bit_depth.png", "input", "bit depth 3 for RGB",
    build_png([(b"IHDR", ihdr(32, 32, 3, 2)), (b"IDAT", idat), (b"IEND", b"")]))
add("png_bad_colour_type.png", "input", "colour type 5 (undefined)",
    build_png([(b"IHDR", ihdr(32, 32, 8, 5)), (b"IDAT", idat), (b"IEND", b"")]))
add("png_bad_filter_type.png", "input", "a row with filter type 7 (undefined)",
    png_image(4, 2, b"\0" + bytes(12) + b"\7" + bytes(12)))
add("png_palette_without_plte.png", "input", "palette image without a PLTE chunk",
    png_image(4, 4, b"".join(b"\0\0\0" for _ in range(4)), depth=8, colour_type=3))
add("png_huge_chunk_length.png", "input", "a chunk declaring 2^31 - 1 bytes after IHDR",
    PNG_SIGNATURE + chunk(b"IHDR", rgb_ihdr) + struct.pack(">I", 0x7FFFFFFF) + b"tEXt" +
    b"x" * 64)
add("png_huge_private_chunk.png", "input",
    "an unknown ancillary chunk declaring 2^31 - 1 bytes after IHDR",
    PNG_SIGNATURE + chunk(b"IHDR", rgb_ihdr) + struct.pack(">I", 0x7FFFFFFF) + b"prVt" +
    b"x" * 64)
add("png_huge_idat_length.png", "input", "an IDAT declaring 2^31 - 1 bytes",
    PNG_SIGNATURE + chunk(b"IHDR", rgb_ihdr) + struct.pack(">I", 0x7FFFFFFF) + b"IDAT" +
    idat)
add("png_bad_chunk_name.png", "input", "a critical chunk with a non-letter in its name",
    build_png([(b"IHDR", rgb_ihdr), (b"I\x01AT", b"x"), (b"IDAT", idat), (b"IEND", b"")]))
add("png_ztxt_bomb.png", "load",
    "a valid image with a zTXt chunk of 20 MB of zeros compressed to 20 kB (ignored)",
    build_png([(b"IHDR", rgb_ihdr),
               (b"zTXt", b"Comment\0\0" + zlib.compress(bytes(20 << 20), 9)),
               (b"IDAT", idat), (b"IEND", b"")]))
add("png_iccp_bomb.png", "load",
    "a valid image with an iCCP profile of 20 MB of zeros compressed to 20 kB (ignored)",
    build_png([(b"IHDR", rgb_ihdr),
               (b"iCCP", b"bomb\0\0" + zlib.compress(bytes(20 << 20), 9)),
               (b"IDAT", idat), (b"IEND", b"")]))
add("png_trailing_garbage.png", "load", "a valid image followed by 1000 bytes of garbage",
    rgb_png + bytes(range(256)) * 3 + bytes(232))
add("png_palette_index_out_of_range.png", "load",
    "4-colour palette, pixels using index 200 (libpng decodes them as black)",
    png_image(4, 2, b"\0\0\1\2\3" + b"\0\200\200\3\3", depth=8, colour_type=3,
              extra=[(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]))]))
add("png_palette_index_at_end.png", "load", "4-colour palette, pixels using index 3",
    png_image(4, 2, b"\0\0\1\2\3" + b"\0\3\3\3\3", depth=8, colour_type=3,
              extra=[(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]))]))
add("png_palette_index_out_of_range_2bit.png", "load",
    "2-bit, 3-colour palette, a pixel using index 3 (libpng decodes it as black)",
    png_image(4, 1, b"\0\x1b", depth=2, colour_type=3,
              extra=[(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]))]))
add("png_1x1.png", "load", "1x1 RGB",
    png_image(1, 1, b"\0\x12\x34\x56"))
add("png_1x1_grey_1bit.png", "load", "1x1 greyscale, 1 bit",
    png_image(1, 1, b"\0\x80", depth=1, colour_type=0))
add("png_65535x1.png", "load", "65535x1 RGB, a gradient",
    png_image(65535, 1, b"\0" + bytes((x * 7 + (x >> 8)) & 0xFF for x in range(65535 * 3))))
add("png_1x65535.png", "load", "1x65535 greyscale, a gradient",
    png_image(1, 65535, b"".join(bytes([0, y & 0xFF]) for y in range(65535)),
              depth=8, colour_type=0))
add("png_bomb_100000x100000.png", "limit",
    "100000x100000 RGB declared, 10 MB of zeros compressed to 10 kB: over the pixel limit",
    build_png([(b"IHDR", ihdr(100000, 100000)), (b"IDAT", zlib.compress(bytes(10 << 20), 9)),
               (b"IEND", b"")]))
add("png_bomb_16384x16384.png", "input",
    "16384x16384 RGB declared (within the limits) in a file far too small to hold it",
    build_png([(b"IHDR", ihdr(16384, 16384)), (b"IDAT", zlib.compress(bytes(1 << 20), 9)),
               (b"IEND", b"")]))
add("png_width_2pow31.png", "input", "width 2^31 (over the PNG format's maximum)",
    build_png([(b"IHDR", ihdr(1 << 31, 1)), (b"IDAT", idat), (b"IEND", b"")]))
add("png_wide_over_limit.png", "limit", "2000000x1 declared: over the width limit",
    build_png([(b"IHDR", ihdr(2_000_000, 1)), (b"IDAT", idat), (b"IEND", b"")]))
add("png_named_as.jpg", "load", "a valid PNG with a .jpg name (formats go by content)", rgb_png)

# --- JPEG -----------------------------------------------------------------------------------

def jpeg_segments(jpeg):
    """[(offset, marker, length)] of the marker segments before the first scan's data."""
    segments, offset = [], 2
    while True:
        marker = jpeg[offset + 1]
        (length,) = struct.unpack(">H", jpeg[offset + 2:offset + 4])
        segments.append((offset, marker, length))
        if marker == 0xDA:
            return segments
        offset += 2 + length


def segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def replace_segment(jpeg, marker, payload, nth=0):
    found = [s for s in jpeg_segments(jpeg) if s[1] == marker][nth]
    offset, _, length = found
    return jpeg[:offset] + segment(marker, payload) + jpeg[offset + 2 + length:]


def sof_with_size(jpeg, width, height):
    offset, marker, length = next(s for s in jpeg_segments(jpeg) if s[1] in (0xC0, 0xC2))
    payload = bytearray(jpeg[offset + 4:offset + 2 + length])
    payload[1:5] = struct.pack(">HH", height, width)
    return replace_segment(jpeg, marker, bytes(payload))


baseline = (DATA / "synthetic_baseline.jpg").read_bytes()
progressive = (DATA / "synthetic_progressive.jpg").read_bytes()
first_scan = jpeg_segments(baseline)[-1]
scan_data = first_scan[0] + 2 + first_scan[2]


def jpeg_bytes(image, **options):
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


add("jpeg_zero_size.jpg", "input", "empty file", b"")
add("jpeg_soi_only.jpg", "input", "the start-of-image marker and nothing else", b"\xff\xd8\xff")
add("jpeg_truncated_in_dqt.jpg", "input", "cut in the first quantization table",
    baseline[:0x30])
add("jpeg_truncated_in_scan.jpg", "input", "cut in the middle of the scan data",
    baseline[:(scan_data + len(baseline)) // 2])
add("jpeg_no_eoi.jpg", "input", "complete scan data but no end-of-image marker",
    baseline[:-2])
add("jpeg_progressive_truncated.jpg", "input", "a progressive JPEG cut after half its bytes",
    progressive[:len(progressive) // 2])
add("jpeg_bad_huffman_counts.jpg", "input",
    "a DHT whose code counts add up to more than 256 symbols",
    replace_segment(baseline, 0xC4, b"\x00" + bytes([0, 255, 255] + [0] * 13) + bytes(17)))
add("jpeg_bad_huffman_codes.jpg", "input",
    "a DHT with three 1-bit codes (more codes than bits allow)",
    replace_segment(baseline, 0xC4, b"\x00" + bytes([3] + [0] * 15) + b"\x00\x01\x02"))
add("jpeg_undefined_huffman_table.jpg", "input",
    "the scan uses a Huffman table that no DHT defines",
    replace_segment(baseline, 0xDA, b"\x03\x01\x33\x02\x11\x03\x11\x00\x3f\x00"))
damaged = bytearray(baseline)
damaged[scan_data + 40:scan_data + 140] = bytes((i * 37) & 0x7F for i in range(100))
add("jpeg_corrupt_scan_data.jpg", "input", "100 bytes of the scan data replaced by noise",
    damaged)
sof_offset, sof_marker, sof_length = next(s for s in jpeg_segments(baseline) if s[1] == 0xC0)
sof = bytearray(baseline[sof_offset + 4:sof_offset + 2 + sof_length])
sof[8] = 3  # the first component's quantization table: 0 → 3
add("jpeg_bad_quant_table_id.jpg", "input", "a component uses quantization table 3, not defined",
    replace_segment(baseline, 0xC0, bytes(sof)))
add("jpeg_width_0.jpg", "input", "0x48 pixels", sof_with_size(baseline, 0, 48))
add("jpeg_height_0.jpg", "input", "64x0 pixels (a DNL marker, unsupported)",
    sof_with_size(baseline, 64, 0))
add("jpeg_65535x1.jpg", "input", "65535x1 declared (libjpeg's maximum is 65500)",
    sof_with_size(baseline, 65535, 1))
add("jpeg_65500x65500.jpg", "limit", "65500x65500 declared in 2 kB: over the pixel limit",
    sof_with_size(baseline, 65500, 65500))
add("jpeg_16000x16000.jpg", "input",
    "16000x16000 baseline declared (within the limits) in 2 kB: far too small to hold it",
    sof_with_size(baseline, 16000, 16000))
add("jpeg_sof_components_0.jpg", "input", "a frame header with 0 components",
    replace_segment(baseline, 0xC0, b"\x08\x00\x30\x00\x40\x00"))
add("jpeg_1x1.jpg", "load", "1x1 baseline",
    jpeg_bytes(Image.new("RGB", (1, 1), (200, 30, 60)), quality=95))
add("jpeg_65500x1.jpg", "load", "65500x1 baseline, a gradient",
    jpeg_bytes(Image.frombytes("RGB", (65500, 1),
                               bytes((x >> 10) & 0xFF for x in range(65500 * 3))),
               quality=90))
add("jpeg_named_as.png", "load", "a valid JPEG with a .png name", baseline)
add("jpeg_named_as.webp", "load", "a valid progressive JPEG with a .webp name", progressive)


def many_scans_jpeg(size=2048):
    """A valid progressive JPEG (4:2:0 YCbCr, every coefficient zero) of 2647 scans: one DC
    scan, then for each component and AC coefficient a first scan at Al = 13 and 13
    refinement scans down to Al = 0, each a few bytes (end-of-band runs of 16384 blocks)."""
    dqt = segment(0xDB, b"\x00" + b"\x01" * 64)
    sof = segment(0xC2, struct.pack(">BHHB", 8, size, size, 3) +
                  b"\x01\x22\x00" + b"\x02\x11\x00" + b"\x03\x11\x00")
    # DC table 0: one 1-bit code for category 0. AC table 0: one 1-bit code for EOB14
    # (0xE0: an end-of-band run of 2^14 + 14 extra bits blocks).
    one_code = bytes([1] + [0] * 15)
    dht = segment(0xC4, b"\x00" + one_code + b"\x00" + b"\x10" + one_code + b"\xe0")

    def sos(components, ss, se, ah, al):
        return segment(0xDA, bytes([len(components)]) +
                       b"".join(bytes([c, 0x00]) for c in components) +
                       bytes([ss, se, (ah << 4) | al]))

    def bits_to_bytes(count):  # `count` zero bits, padded with ones
        whole, rest = divmod(count, 8)
        return bytes(whole) + (bytes([(1 << (8 - rest)) - 1]) if rest else b"")

    mcus = (size // 16) ** 2
    parts = [b"\xff\xd8", dqt, sof, dht, sos([1, 2, 3], 0, 0, 0, 0), bits_to_bytes(mcus * 6)]
    for component, blocks in ((1, mcus * 4), (2, mcus), (3, mcus)):
        runs = blocks // 16384
        ac_data = bits_to_bytes(runs * 15)
        for k in range(1, 64):
            parts += [sos([component], k, k, 0, 13), ac_data]
            for al in range(12, -1, -1):
                parts += [sos([component], k, k, al + 1, al), ac_data]
    parts.append(b"\xff\xd9")
    return b"".join(parts)


add("jpeg_2647_scans.jpg", "limit",
    "a valid 2048x2048 progressive JPEG of 2647 scans: over the scan limit", many_scans_jpeg())

# --- WebP -----------------------------------------------------------------------------------

lossy = (DATA / "synthetic_lossy.webp").read_bytes()
lossless = (DATA / "synthetic_lossless.webp").read_bytes()


def webp_bytes(image, **options):
    out = io.BytesIO()
    image.save(out, "WEBP", **options)
    return out.getvalue()


def riff(chunks):
    body = b"WEBP" + b"".join(kind + struct.pack("<I", len(data)) + data +
                              (b"\0" if len(data) % 2 else b"") for kind, data in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def vp8x(width, height, flags=0):
    return (b"VP8X", bytes([flags, 0, 0, 0]) + (width - 1).to_bytes(3, "little") +
            (height - 1).to_bytes(3, "little"))


lossy_vp8 = lossy[20:]
lossless_vp8l = lossless[20:]

add("webp_zero_size.webp", "input", "empty file", b"")
add("webp_riff_header_only.webp", "input", "RIFF....WEBP and nothing else", lossy[:12])
add("webp_truncated_in_header.webp", "input", "cut in the VP8 frame header", lossy[:26])
add("webp_truncated_lossy.webp", "input", "lossy, cut after half its bytes",
    lossy[:len(lossy) // 2])
add("webp_truncated_lossless.webp", "input", "lossless, cut after half its bytes",
    lossless[:len(lossless) // 2])
add("webp_riff_size_too_small.webp", "input", "the RIFF size says 4 bytes",
    lossy[:4] + struct.pack("<I", 4) + lossy[8:])
add("webp_riff_size_too_large.webp", "input", "the RIFF size says 1 MB more than the file",
    lossy[:4] + struct.pack("<I", len(lossy) - 8 + (1 << 20)) + lossy[8:])
add("webp_vp8_size_too_large.webp", "input", "the VP8 chunk size runs past the file",
    lossy[:16] + struct.pack("<I", len(lossy)) + lossy[20:])
damaged = bytearray(lossless)
damaged[30:60] = bytes(30)
add("webp_lossless_corrupt.webp", "input", "lossless, 30 bytes of its bitstream zeroed",
    damaged)
width_0 = bytearray(lossy)
width_0[26:28] = b"\0\0"  # the 14-bit width (and 2-bit scale) of the VP8 frame header
add("webp_lossy_width_0.webp", "input", "lossy, frame header width 0", width_0)
add("webp_canvas_mismatch.webp", "input",
    "VP8X canvas of 65535x1 around a 64x48 lossy frame",
    riff([vp8x(65535, 1), (b"VP8 ", lossy_vp8)]))
add("webp_canvas_huge.webp", "input", "VP8X canvas of 2^24 x 2^24 around a 64x48 frame",
    riff([vp8x(1 << 24, 1 << 24), (b"VP8 ", lossy_vp8)]))
add("webp_alpha_corrupt.webp", "input", "lossy with an ALPH chunk of garbage",
    riff([vp8x(64, 48, flags=0x10), (b"ALPH", b"\x01" + bytes(range(1, 200))),
          (b"VP8 ", lossy_vp8)]))
add("webp_1x1_lossless.webp", "load", "1x1 lossless",
    webp_bytes(Image.new("RGB", (1, 1), (10, 200, 90)), lossless=True))
add("webp_1x1_lossy.webp", "load", "1x1 lossy",
    webp_bytes(Image.new("RGB", (1, 1), (10, 200, 90)), quality=90))
add("webp_16383x1.webp", "load", "16383x1 lossless (the format's widest), a gradient",
    webp_bytes(Image.frombytes("RGB", (16383, 1),
                               bytes((x * 5 + (x >> 8)) & 0xFF for x in range(16383 * 3))),
               lossless=True))
add("webp_named_as.png", "load", "a valid lossless WebP with a .png name", lossless)

# --- other ----------------------------------------------------------------------------------

add("text_named_as.png", "input", "a text file with a .png name", b"hello, world\n" * 4)
add("gif_named_as.png", "input", "a GIF (unsupported format)",
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

for old in HERE.iterdir():
    if old.name not in ("make_bad.py", "README.md"):
        old.unlink()
with open(HERE / "manifest.csv", "w", newline="") as manifest:
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(["file", "expected", "description"])
    for name, expected, description, data in files:
        (HERE / name).write_bytes(data)
        writer.writerow([name, expected, description])
print(f"{len(files)} files, {sum(len(f[3]) for f in files):,} bytes")
