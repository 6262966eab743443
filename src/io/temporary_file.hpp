// kmquant — temporary files that become outputs by rename, and are removed otherwise: when the
// write fails, and when the program ends on a signal (abandon_temporary_files).
#pragma once

#include <sys/stat.h>

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

  /// Give the file the mode (and, where allowed, the owner and group) of the file it will
  /// replace, so that replacing a 0600 file does not make it readable by others. Returns errno,
  /// or 0 on success; call it before write_and_close.
  int keep_mode_of(const struct stat& replaced) noexcept;

  /// Write everything, flush it to the disk and close; returns errno, or 0 on success.
  int write_and_close(std::span<const std::uint8_t> bytes) noexcept;

  /// Rename over the destination; returns errno, or 0 on success. ECANCELED once the
  /// temporary files have been abandoned. With `replace` false an existing destination is
  /// never replaced, whenever it appeared (renameat2's RENAME_NOREPLACE, or link() and
  /// unlink() where the file system lacks it): EEXIST.
  int rename_into_place(bool replace) noexcept;

 private:
  std::filesystem::path destination_;
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace kmquant::detail
