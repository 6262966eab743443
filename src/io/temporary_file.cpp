// kmquant — temporary files that become outputs by rename, and the registry that lets a
// program about to end on a signal remove the ones still pending (POSIX).

#include "io/temporary_file.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2 (glibc 2.28)
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"

namespace kmquant {
namespace {

/// The temporary files that exist right now, in every thread. Creating one and registering it,
/// and renaming one and unregistering it, each happen under the lock, so abandon_temporary_files
/// sees every temporary file on disk and no other.
struct Registry {
  std::mutex mutex;
  std::vector<std::filesystem::path> paths;
  bool abandoned = false;  ///< set for good by abandon_temporary_files
};

/// Never destroyed: a signal may end the program while static objects are being destroyed.
Registry& registry() {
  static auto* const instance = new Registry;
  return *instance;
}

/// Remove `path` from the registry; false if it was not there.
bool unregister(Registry& files, const std::filesystem::path& path) {
  const auto found = std::find(files.paths.begin(), files.paths.end(), path);
  if (found == files.paths.end()) return false;
  files.paths.erase(found);
  return true;
}

constexpr std::size_t suffix_hex_digits = 12;
constexpr std::string_view suffix_marker = ".kmquant-";

/// The leading part of a temporary file's name: "." + the destination's name + ".kmquant-",
/// the name cut short so that the whole name (with its random suffix) stays within NAME_MAX
/// (255 bytes): an output name of up to 255 bytes can then be written.
std::string temporary_prefix(const std::filesystem::path& destination) {
  std::string name = destination.filename().string();
  const std::size_t room = NAME_MAX - 1 - suffix_marker.size() - suffix_hex_digits;
  if (name.size() > room) name.resize(room);
  // Built up with += rather than "." + name + …, which trips GCC 12's false -Wrestrict.
  std::string prefix = ".";
  prefix += name;
  prefix += suffix_marker;
  return prefix;
}

/// Link `from` to the new name `to`, failing with EEXIST if `to` exists, whenever it appeared;
/// then remove `from`. Returns errno, or 0.
int rename_without_replacing(const char* from, const char* to) noexcept {
  if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
  // File systems without RENAME_NOREPLACE (NFS, some FUSE ones) say EINVAL; link() is atomic
  // and never replaces either.
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return errno;
  if (::link(from, to) != 0) return errno;
  ::unlink(from);
  return 0;
}

std::string random_hex_suffix() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::uint64_t value = generator();
  std::string suffix(suffix_hex_digits, '0');
  for (char& digit : suffix) {
    digit = digits[value & 0xF];
    value >>= 4;
  }
  return suffix;
}

}  // namespace

void abandon_temporary_files() noexcept {
  Registry& files = registry();
  const std::lock_guard lock(files.mutex);
  files.abandoned = true;
  for (const std::filesystem::path& path : files.paths) ::unlink(path.c_str());
  files.paths.clear();
}

namespace detail {

/// Creates the file with open(O_CREAT | O_EXCL, 0666) rather than mkstemp: the kernel then
/// applies the umask (and any default ACL of the folder) exactly as for any new file, with no
/// process-wide umask() juggling that would race with other threads. O_EXCL and O_NOFOLLOW make
/// a name planted by someone else fail instead of being followed.
TemporaryFile::TemporaryFile(const std::filesystem::path& destination) : destination_(destination) {
  const std::filesystem::path folder =
      destination.has_parent_path() ? destination.parent_path() : ".";
  const std::string prefix = temporary_prefix(destination);
  Registry& files = registry();
  const std::lock_guard lock(files.mutex);
  int error = ECANCELED;
  for (int attempt = 0; attempt < 100 && !files.abandoned; ++attempt) {
    path_ = folder / (prefix + random_hex_suffix());
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd_ >= 0) {
      files.paths.push_back(path_);
      return;
    }
    error = errno;
    if (error != EEXIST) break;
  }
  throw Error(ErrorKind::output,
              destination.string() + ": cannot create a temporary file: " + std::strerror(error));
}

TemporaryFile::~TemporaryFile() {
  if (fd_ >= 0) ::close(fd_);
  Registry& files = registry();
  const std::lock_guard lock(files.mutex);
  // Not registered any more once renamed into place, or removed by abandon_temporary_files.
  if (unregister(files, path_)) ::unlink(path_.c_str());
}

int TemporaryFile::keep_mode_of(const struct stat& replaced) noexcept {
  // The owner first: changing it clears the set-user-ID and set-group-ID bits. Only root (or
  // the owner, for a group it belongs to) may change it; otherwise the file stays ours.
  (void)::fchown(fd_, replaced.st_uid, replaced.st_gid);
  return ::fchmod(fd_, replaced.st_mode & 07777) == 0 ? 0 : errno;
}

int TemporaryFile::write_and_close(std::span<const std::uint8_t> bytes) noexcept {
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

int TemporaryFile::rename_into_place(bool replace) noexcept {
  Registry& files = registry();
  const std::lock_guard lock(files.mutex);
  if (files.abandoned) return ECANCELED;
  if (replace) {
    if (::rename(path_.c_str(), destination_.c_str()) != 0) return errno;
  } else if (const int error = rename_without_replacing(path_.c_str(), destination_.c_str());
             error != 0) {
    return error;
  }
  unregister(files, path_);
  return 0;
}

}  // namespace detail
}  // namespace kmquant
