// kmquant — reading whole files and replacing files atomically (POSIX).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

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

struct AtomicFiles::State {
  std::mutex mutex;
  // A deque, because temporary files cannot move.
  std::deque<detail::TemporaryFile> temporaries;
  std::vector<std::filesystem::path> paths;
};

AtomicFiles::AtomicFiles() : state_(std::make_unique<State>()) {}

AtomicFiles::~AtomicFiles() = default;  // removes the temporaries not renamed into place

void AtomicFiles::write(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  if (!path.has_filename()) throw_output_error(path, "not a file name");
  detail::TemporaryFile* temporary = nullptr;
  {
    const std::lock_guard lock(state_->mutex);
    temporary = &state_->temporaries.emplace_back(path);
    state_->paths.push_back(path);
  }
  if (const int error = temporary->write_and_close(bytes); error != 0) {
    throw_output_error(path, "cannot write: " + errno_text(error));
  }
}

void AtomicFiles::commit() {
  const std::lock_guard lock(state_->mutex);
  std::vector<std::filesystem::path> folders;
  for (std::size_t i = 0; i < state_->paths.size(); ++i) {
    const std::filesystem::path& path = state_->paths[i];
    if (const int error = state_->temporaries[i].rename_into_place(); error != 0) {
      throw_output_error(path, "cannot replace the file: " + errno_text(error));
    }
    const std::filesystem::path folder = folder_of(path);
    if (std::find(folders.begin(), folders.end(), folder) == folders.end()) {
      folders.push_back(folder);
    }
  }
  for (const std::filesystem::path& folder : folders) sync_folder(folder);
  state_->temporaries.clear();
  state_->paths.clear();
}

void write_files_atomic(std::span<const FileToWrite> files) {
  // Every file is written and flushed before the first rename: a failure on the way (a full
  // disk, a folder without write permission, a path that names no file) removes the
  // temporaries and changes nothing.
  AtomicFiles written;
  for (const FileToWrite& file : files) written.write(file.path, file.bytes);
  written.commit();
}

void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  const FileToWrite file{path, bytes};
  write_files_atomic({&file, 1});
}

}  // namespace kmquant
