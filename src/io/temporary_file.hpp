// kmquant — temporary files that become outputs by rename, and are removed otherwise: when the
// write fails, and when the program ends on a signal (abandon_temporary_files).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

namespace kmquant::detail {

/// A new, empty file in the destination's folder, named after it, that is removed again unless
/// it was renamed into place. While it exists its name is in a process-wide registry, so that
/// abandon_temporary_files can remove it from another thread.
class TemporaryFile {
 public:
  /// Creates the file; throws Error(output) naming `destination` if it cannot.
  explicit TemporaryFile(const std::filesystem::path& destination);
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile();

  /// Write everything, flush it to the disk and close; returns errno, or 0 on success.
  int write_and_close(std::span<const std::uint8_t> bytes) noexcept;

  /// Rename over the destination; returns errno, or 0 on success. ECANCELED once the
  /// temporary files have been abandoned.
  int rename_into_place() noexcept;

 private:
  std::filesystem::path destination_;
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace kmquant::detail
