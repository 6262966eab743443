#include "labels_file.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace kmquant::cli {

namespace {

bool is_npy(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".npy";
}

/// The NumPy format 1.0 preamble: magic, version, header length (2 bytes, little-endian) and
/// the header, a Python dict literal padded with spaces and ended by a newline so that the
/// data starts at a multiple of 64 bytes (what numpy itself writes).
std::vector<std::uint8_t> npy_preamble(std::uint32_t height, std::uint32_t width) {
  std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (" +
                       std::to_string(height) + ", " + std::to_string(width) + "), }";
  constexpr std::size_t fixed = 10;  // magic (6) + version (2) + header length (2)
  constexpr std::size_t alignment = 64;
  const std::size_t padded = (fixed + header.size() + 1 + alignment - 1) / alignment * alignment;
  header.append(padded - fixed - header.size() - 1, ' ');
  header += '\n';
  std::vector<std::uint8_t> preamble = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  preamble.push_back(static_cast<std::uint8_t>(header.size() & 0xFF));
  preamble.push_back(static_cast<std::uint8_t>(header.size() >> 8));
  preamble.insert(preamble.end(), header.begin(), header.end());
  return preamble;
}

}  // namespace

std::vector<std::uint8_t> labels_file_bytes(const Result& result,
                                            const std::filesystem::path& path) {
  std::vector<std::uint8_t> bytes;
  if (is_npy(path)) bytes = npy_preamble(result.height, result.width);
  bytes.insert(bytes.end(), result.indices.begin(), result.indices.end());
  return bytes;
}

}  // namespace kmquant::cli
