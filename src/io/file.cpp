// kmquant — reading whole files and replacing files atomically (POSIX).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/readers.hpp"
#include "io/temporary_file.hpp"
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

namespace detail {

std::vector<std::uint8_t> read_file_checking_head(const std::filesystem::path& path,
                                                  std::uint64_t max_bytes, std::size_t head_bytes,
                                                  const HeadCheck& check_head) {
  // O_NONBLOCK: opening a FIFO that has no writer would otherwise wait for one forever. It is
  // cleared at once, so that reads wait for data; a FIFO with no writer reads as empty.
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (file.get() < 0) throw_input_error(path, errno_text(errno));

  struct stat status {};
  if (::fstat(file.get(), &status) != 0) throw_input_error(path, errno_text(errno));
  if (S_ISDIR(status.st_mode)) throw_input_error(path, errno_text(EISDIR));
  const int flags = ::fcntl(file.get(), F_GETFL);
  if (flags < 0 || ::fcntl(file.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    throw_input_error(path, errno_text(errno));
  }
  // A regular file's size is known up front: refuse an oversized one before reading a byte.
  // Pipes and devices report no useful size and are checked as they are read.
  std::uint64_t expected = 0;
  if (S_ISREG(status.st_mode)) {
    expected = static_cast<std::uint64_t>(status.st_size);
    if (expected > max_bytes) throw_limit_error(path, max_bytes);
  }

  std::vector<std::uint8_t> bytes;
  bool head_checked = !check_head;
  std::uint8_t chunk[65536];
  for (;;) {
    const ssize_t count = ::read(file.get(), chunk, sizeof chunk);
    if (count < 0) {
      if (errno == EINTR) continue;
      throw_input_error(path, errno_text(errno));
    }
    if (count > 0 && bytes.size() + static_cast<std::size_t>(count) > max_bytes) {
      throw_limit_error(path, max_bytes);
    }
    bytes.insert(bytes.end(), chunk, chunk + count);
    // The first bytes tell what the rest is: /dev/zero or a stream of noise is refused after
    // them, not after a gigabyte. Only then is the whole size reserved.
    if (!head_checked && (bytes.size() >= head_bytes || count == 0)) {
      check_head(std::span(bytes).first(std::min(bytes.size(), head_bytes)));
      head_checked = true;
      if (expected > bytes.size()) bytes.reserve(static_cast<std::size_t>(expected));
    }
    if (count == 0) break;
  }
  if (bytes.empty() && S_ISFIFO(status.st_mode)) {
    throw_input_error(path, "empty: the FIFO had no writer, or it wrote nothing");
  }
  return bytes;
}

}  // namespace detail

std::vector<std::uint8_t> read_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
  return detail::read_file_checking_head(path, max_bytes, 0, {});
}

namespace {

[[noreturn]] void throw_output_error(const std::filesystem::path& path, const std::string& reason) {
  throw Error(ErrorKind::output, path.string() + ": " + reason);
}

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : ".";
}

/// Make the renames themselves durable. Best effort: the new files are already in place, and
/// some file systems refuse fsync on folders, so a failure here is not worth failing the write.
void sync_folder(const std::filesystem::path& folder) noexcept {
  const FileDescriptor directory(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() >= 0) ::fsync(directory.get());
}

}  // namespace

namespace {

/// Where the bytes for a path go, from what is there now.
struct Destination {
  std::filesystem::path target;  ///< the path itself, or a symbolic link's target
  bool write_through = false;    ///< a character device or FIFO: opened and written, not replaced
  bool exists = false;           ///< a regular file is there (its status in `status`)
  struct stat status {};
};

/// A regular file, a new name, a character device or a FIFO; anything else is refused.
Destination destination_of(const std::filesystem::path& path) {
  Destination destination{path, false, false, {}};
  struct stat& status = destination.status;
  if (::lstat(path.c_str(), &status) != 0) {
    if (errno == ENOENT) return destination;  // a new file (a missing folder fails later)
    throw_output_error(path, "cannot write: " + errno_text(errno));
  }
  if (S_ISLNK(status.st_mode)) {
    // Written where the link points, as `cp` does, never replaced by a file: the target is
    // checked as any destination (and compared with the inputs by the command before).
    std::unique_ptr<char, decltype(&std::free)> target(::realpath(path.c_str(), nullptr),
                                                       &std::free);
    if (target == nullptr || ::stat(target.get(), &status) != 0) {
      throw_output_error(path, "a symbolic link to nothing: not writing through it");
    }
    destination.target = target.get();
  }
  if (S_ISREG(status.st_mode)) {
    destination.exists = true;
  } else if (S_ISCHR(status.st_mode) || S_ISFIFO(status.st_mode)) {
    destination.write_through = true;
  } else if (S_ISDIR(status.st_mode)) {
    throw_output_error(path, "cannot write: " + errno_text(EISDIR));
  } else {
    throw_output_error(path, "not a regular file, character device or FIFO: not writing over it");
  }
  return destination;
}

/// A character device or FIFO opened for writing, and the bytes for it, written on commit.
class WriteThrough {
 public:
  /// Opens the device; a FIFO without a reader is refused at once (O_NONBLOCK gives ENXIO)
  /// instead of waiting for one forever.
  WriteThrough(const std::filesystem::path& path, const std::filesystem::path& target,
               std::span<const std::uint8_t> bytes)
      : fd_(::open(target.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)),
        bytes_(bytes.begin(), bytes.end()) {
    if (fd_.get() < 0) {
      throw_output_error(path, errno == ENXIO ? std::string("a FIFO with no reader")
                                              : "cannot write: " + errno_text(errno));
    }
    const int flags = ::fcntl(fd_.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd_.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
      throw_output_error(path, "cannot write: " + errno_text(errno));
    }
  }

  /// Returns errno, or 0.
  int write() noexcept {
    std::span<const std::uint8_t> rest(bytes_);
    while (!rest.empty()) {
      const ssize_t count = ::write(fd_.get(), rest.data(), rest.size());
      if (count < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      rest = rest.subspan(static_cast<std::size_t>(count));
    }
    return 0;
  }

 private:
  FileDescriptor fd_;
  std::vector<std::uint8_t> bytes_;
};

/// One file of an AtomicFiles: a temporary to rename, or a device to write through.
struct PendingFile {
  std::filesystem::path path;    ///< as given, for messages
  std::filesystem::path target;  ///< where it goes
  std::optional<detail::TemporaryFile> temporary;
  std::optional<WriteThrough> device;
};

/// Write the devices' bytes and rename the temporaries into place (see write_files_atomic).
void put_in_place(std::deque<PendingFile>& files, Existing existing) {
  // Devices and FIFOs first: they are the likelier to fail (a reader gone), and until the
  // renames no file has changed.
  for (PendingFile& file : files) {
    if (!file.device) continue;
    if (const int error = file.device->write(); error != 0) {
      throw_output_error(file.path, "cannot write: " + errno_text(error));
    }
  }
  const bool replace = existing == Existing::replace;
  std::vector<std::filesystem::path> folders;
  std::vector<std::filesystem::path> placed;
  for (PendingFile& file : files) {
    if (!file.temporary) continue;
    if (const int error = file.temporary->rename_into_place(replace); error != 0) {
      // New files that replaced nothing can be taken back: all or nothing still holds.
      if (!replace) {
        for (const std::filesystem::path& done : placed) ::unlink(done.c_str());
      }
      if (error == EEXIST && !replace) {
        throw_output_error(file.path,
                           "already exists (it appeared while kmquant was working; "
                           "use --force to replace it)");
      }
      throw_output_error(file.path, "cannot replace the file: " + errno_text(error));
    }
    placed.push_back(file.target);
    const std::filesystem::path folder = folder_of(file.target);
    if (std::find(folders.begin(), folders.end(), folder) == folders.end()) {
      folders.push_back(folder);
    }
  }
  for (const std::filesystem::path& folder : folders) sync_folder(folder);
}

}  // namespace

struct AtomicFiles::State {
  Existing existing = Existing::replace;
  std::mutex mutex;
  // A deque, because temporary files cannot move.
  std::deque<PendingFile> files;
};

AtomicFiles::AtomicFiles(Existing existing) : state_(std::make_unique<State>()) {
  state_->existing = existing;
}

AtomicFiles::~AtomicFiles() = default;  // removes the temporaries not renamed into place

void AtomicFiles::write(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  if (!path.has_filename()) throw_output_error(path, "not a file name");
  const Destination destination = destination_of(path);
  if (destination.exists && state_->existing == Existing::keep) {
    throw_output_error(path, "already exists (use --force to replace it)");
  }
  PendingFile* file = nullptr;
  {
    const std::lock_guard lock(state_->mutex);
    file = &state_->files.emplace_back();
    file->path = path;
    file->target = destination.target;
    if (destination.write_through) {
      file->device.emplace(path, destination.target, bytes);
      return;
    }
    file->temporary.emplace(destination.target);
  }
  int error = 0;
  if (destination.exists) error = file->temporary->keep_mode_of(destination.status);
  if (error == 0) error = file->temporary->write_and_close(bytes);
  if (error != 0) throw_output_error(path, "cannot write: " + errno_text(error));
}

void AtomicFiles::commit() {
  const std::lock_guard lock(state_->mutex);
  try {
    put_in_place(state_->files, state_->existing);
  } catch (...) {
    state_->files.clear();  // removes the temporaries left: a failed commit leaves none
    throw;
  }
  state_->files.clear();
}

void write_files_atomic(std::span<const FileToWrite> files, Existing existing) {
  // Every file is written and flushed before the first rename: a failure on the way (a full
  // disk, a folder without write permission, a path that names no file) removes the
  // temporaries and changes nothing.
  AtomicFiles written(existing);
  for (const FileToWrite& file : files) written.write(file.path, file.bytes);
  written.commit();
}

void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       Existing existing) {
  const FileToWrite file{path, bytes};
  write_files_atomic({&file, 1}, existing);
}

}  // namespace kmquant
