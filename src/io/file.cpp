// kmquant — reading whole files and replacing files atomically (POSIX).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"

namespace kmquant {
namespace {

std::string errno_text(int error_number) { return std::strerror(error_number); }

/// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void throw_input_error(const std::filesystem::path& path, const std::string& reason) {
  throw Error(ErrorKind::input, path.string() + ": " + reason);
}

[[noreturn]] void throw_limit_error(const std::filesystem::path& path, std::uint64_t max_bytes) {
  throw Error(ErrorKind::limit, path.string() + ": file is larger than the limit of " +
                                    std::to_string(max_bytes) + " bytes");
}

}  // namespace

std::vector<std::uint8_t> read_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) throw_input_error(path, errno_text(errno));

  struct stat status {};
  if (::fstat(file.get(), &status) != 0) throw_input_error(path, errno_text(errno));
  if (S_ISDIR(status.st_mode)) throw_input_error(path, errno_text(EISDIR));

  std::vector<std::uint8_t> bytes;
  // A regular file's size is known up front: refuse an oversized one before reading a byte.
  // Pipes and devices report no useful size and are checked as they are read.
  if (S_ISREG(status.st_mode)) {
    const auto size = static_cast<std::uint64_t>(status.st_size);
    if (size > max_bytes) throw_limit_error(path, max_bytes);
    bytes.reserve(static_cast<std::size_t>(size));
  }

  std::uint8_t chunk[65536];
  for (;;) {
    const ssize_t count = ::read(file.get(), chunk, sizeof chunk);
    if (count < 0) {
      if (errno == EINTR) continue;
      throw_input_error(path, errno_text(errno));
    }
    if (count == 0) break;
    if (bytes.size() + static_cast<std::size_t>(count) > max_bytes) {
      throw_limit_error(path, max_bytes);
    }
    bytes.insert(bytes.end(), chunk, chunk + count);
  }
  return bytes;
}

namespace {

[[noreturn]] void throw_output_error(const std::filesystem::path& path, const std::string& reason) {
  throw Error(ErrorKind::output, path.string() + ": " + reason);
}

std::string random_hex_suffix() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::uint64_t value = generator();
  std::string suffix(12, '0');
  for (char& digit : suffix) {
    digit = digits[value & 0xF];
    value >>= 4;
  }
  return suffix;
}

/// A new, empty file in the destination's folder that is removed again unless it was renamed
/// into place.
class TemporaryFile {
 public:
  /// Creates the file with open(O_CREAT | O_EXCL, 0666) rather than mkstemp: the kernel then
  /// applies the umask (and any default ACL of the folder) exactly as for any new file, with
  /// no process-wide umask() juggling that would race with other threads. O_EXCL and
  /// O_NOFOLLOW make a name planted by someone else fail instead of being followed.
  TemporaryFile(const std::filesystem::path& folder, const std::filesystem::path& destination) {
    std::string prefix = ".";
    prefix += destination.filename().string();
    prefix += ".kmquant-";
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = folder / (prefix + random_hex_suffix());
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
      if (fd_ >= 0) return;
      if (errno != EEXIST) break;
    }
    throw_output_error(destination, "cannot create a temporary file: " + errno_text(errno));
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!renamed_) ::unlink(path_.c_str());
  }

  /// Write everything, flush it to the disk and close; returns errno, or 0 on success.
  int write_and_close(std::span<const std::uint8_t> bytes) noexcept {
    while (!bytes.empty()) {
      const ssize_t count = ::write(fd_, bytes.data(), bytes.size());
      if (count < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      bytes = bytes.subspan(static_cast<std::size_t>(count));
    }
    if (::fsync(fd_) != 0) return errno;
    const int result = ::close(fd_);
    fd_ = -1;  // closed even when close() reports an error: never close it twice
    return result == 0 ? 0 : errno;
  }

  /// Rename over `destination`; returns errno, or 0 on success.
  int rename_to(const std::filesystem::path& destination) noexcept {
    if (::rename(path_.c_str(), destination.c_str()) != 0) return errno;
    renamed_ = true;
    return 0;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool renamed_ = false;
};

/// Make the rename itself durable. Best effort: the new file is already in place, and some
/// file systems refuse fsync on folders, so a failure here is not worth failing the write.
void sync_folder(const std::filesystem::path& folder) noexcept {
  const FileDescriptor directory(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() >= 0) ::fsync(directory.get());
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  if (!path.has_filename()) throw_output_error(path, "not a file name");
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";

  TemporaryFile temporary(folder, path);
  if (const int error = temporary.write_and_close(bytes); error != 0) {
    throw_output_error(path, "cannot write: " + errno_text(error));
  }
  if (const int error = temporary.rename_to(path); error != 0) {
    throw_output_error(path, "cannot replace the file: " + errno_text(error));
  }
  sync_folder(folder);
}

}  // namespace kmquant
