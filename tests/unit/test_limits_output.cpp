// Tests of output under hostile conditions: several files written all or nothing, a full disk
// (a file-size limit anywhere; a small tmpfs where mounting is allowed), a read-only folder, and
// temporary files abandoned on a signal. Every failure must leave the old files intact and no
// temporary file behind.

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "io/temporary_file.hpp"
#include "io_oracle.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"

namespace kmquant {
namespace {

using namespace io_testing;

class OutputSafety : public FolderTest {
 protected:
  /// Write `bytes` to `name` in the folder without kmquant.
  void put(const std::string& name, const Bytes& bytes) const {
    std::ofstream(folder_ / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
};

const Bytes old_bytes = {'o', 'l', 'd'};

TEST_F(OutputSafety, SeveralFilesAreWrittenAllOrNothing) {
  put("a.png", old_bytes);
  const Bytes new_bytes(100, 7);
  const std::vector<FileToWrite> files = {{folder_ / "a.png", new_bytes},
                                          {folder_ / "b.png", new_bytes},
                                          {folder_ / "missing" / "c.png", new_bytes}};
  const Error error = error_from([&] { write_files_atomic(files); });
  EXPECT_EQ(error.kind(), ErrorKind::output);
  EXPECT_TRUE(contains(error.what(), (folder_ / "missing" / "c.png").string())) << error.what();
  // The first two were written to temporary files, which are gone again; a.png is untouched.
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"a.png"});
  EXPECT_EQ(bytes_of(folder_ / "a.png"), old_bytes);

  write_files_atomic({files.begin(), 2});
  EXPECT_EQ(folder_contents(), (std::vector<std::string>{"a.png", "b.png"}));
  EXPECT_EQ(bytes_of(folder_ / "a.png"), new_bytes);
  EXPECT_EQ(bytes_of(folder_ / "b.png"), new_bytes);
}

TEST_F(OutputSafety, FilesWrittenOnSeveralThreadsAppearTogetherOnCommit) {
  put("a.png", old_bytes);
  const Bytes new_bytes(1000, 9);
  std::vector<std::string> names = {"a.png"};
  for (char i = '0'; i < '8'; ++i) names.push_back(std::string{'f', i} + ".png");
  {
    AtomicFiles files;
    std::vector<std::thread> writers;
    for (std::size_t t = 0; t < 3; ++t) {
      writers.emplace_back([&, t] {
        for (std::size_t i = t; i < names.size(); i += 3)
          files.write(folder_ / names[i], new_bytes);
      });
    }
    for (std::thread& writer : writers) writer.join();
    // Written, not yet in place: the old a.png and none of the new names.
    const std::vector<std::string> before = folder_contents();
    EXPECT_EQ(before.size(), names.size() + 1);  // a.png and a temporary for each name
    EXPECT_EQ(std::count(before.begin(), before.end(), "f0.png"), 0);
    EXPECT_EQ(bytes_of(folder_ / "a.png"), old_bytes);
    files.commit();
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(folder_contents(), names);
  for (const std::string& name : names) EXPECT_EQ(bytes_of(folder_ / name), new_bytes) << name;

  // Never committed: its temporaries go with it, and f0.png keeps what it had.
  {
    AtomicFiles files;
    files.write(folder_ / "f0.png", old_bytes);
    files.write(folder_ / "g.png", old_bytes);
  }
  EXPECT_EQ(folder_contents(), names);
  EXPECT_EQ(bytes_of(folder_ / "f0.png"), new_bytes);
}

/// Sets a limit on the size of files this process writes, like a disk with that much space,
/// and restores the old limit when it goes. Writing past the limit fails with EFBIG; SIGXFSZ,
/// which would end the process, is ignored meanwhile.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &previous_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{bytes, previous_.rlim_max};
    EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0) << std::strerror(errno);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &previous_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit previous_{};
  void (*previous_handler_)(int) = nullptr;
};

TEST_F(OutputSafety, AFullDiskKeepsTheOldFiles) {
  put("a.png", old_bytes);
  put("b.png", old_bytes);
  const Bytes small(1000, 1);
  const Bytes large(100'000, 2);
  Error error(ErrorKind::input, "");
  {
    const FileSizeLimit limit(10'000);
    error = error_from([&] {
      write_files_atomic(
          std::vector<FileToWrite>{{folder_ / "a.png", small}, {folder_ / "b.png", large}});
    });
  }
  EXPECT_EQ(error.kind(), ErrorKind::output);
  EXPECT_EQ(std::string(error.what()),
            (folder_ / "b.png").string() + ": cannot write: " + std::strerror(EFBIG));
  EXPECT_EQ(folder_contents(), (std::vector<std::string>{"a.png", "b.png"}));
  EXPECT_EQ(bytes_of(folder_ / "a.png"), old_bytes);
  EXPECT_EQ(bytes_of(folder_ / "b.png"), old_bytes);
}

/// A tmpfs of `size` mounted on `folder` while it exists (as root only), or nothing if mounting
/// is not allowed here: check mounted().
class Tmpfs {
 public:
  Tmpfs(std::filesystem::path folder, const std::string& size) : folder_(std::move(folder)) {
    mounted_ = geteuid() == 0 &&
               ::mount("tmpfs", folder_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;
  ~Tmpfs() {
    if (mounted_) ::umount2(folder_.c_str(), MNT_DETACH);
  }
  [[nodiscard]] bool mounted() const noexcept { return mounted_; }
  [[nodiscard]] bool make_read_only() const {
    return ::mount("tmpfs", folder_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) == 0;
  }

 private:
  std::filesystem::path folder_;
  bool mounted_ = false;
};

TEST_F(OutputSafety, AFullTmpfsKeepsTheOldFile) {
  const Tmpfs disk(folder_, "64k");
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root and the right to mount";
  put("a.png", old_bytes);
  const Error error = error_from([&] { write_file_atomic(folder_ / "a.png", Bytes(1 << 20, 3)); });
  EXPECT_EQ(error.kind(), ErrorKind::output);
  EXPECT_EQ(std::string(error.what()),
            (folder_ / "a.png").string() + ": cannot write: " + std::strerror(ENOSPC));
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"a.png"});
  EXPECT_EQ(bytes_of(folder_ / "a.png"), old_bytes);
}

TEST_F(OutputSafety, AReadOnlyFolderKeepsTheOldFile) {
  // As root, permissions stop nothing: a read-only mount does. As anyone else, a folder
  // without write permission.
  const Tmpfs disk(folder_, "64k");
  put("a.png", old_bytes);
  if (disk.mounted()) {
    ASSERT_TRUE(disk.make_read_only()) << std::strerror(errno);
  } else if (geteuid() != 0) {
    std::filesystem::permissions(folder_, std::filesystem::perms(0555));
  } else {
    GTEST_SKIP() << "root without the right to mount: nothing here is read-only for it";
  }
  const Error error = error_from([&] { write_file_atomic(folder_ / "a.png", Bytes{1, 2}); });
  EXPECT_EQ(error.kind(), ErrorKind::output);
  EXPECT_TRUE(contains(error.what(), "cannot create a temporary file")) << error.what();
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"a.png"});
  EXPECT_EQ(bytes_of(folder_ / "a.png"), old_bytes);
}

// abandon_temporary_files is for good, so these run in a child process (a death test's fork).

TEST_F(OutputSafety, AbandoningRemovesPendingTemporaryFiles) {
  EXPECT_EXIT(
      {
        detail::TemporaryFile pending(folder_ / "a.png");
        const bool created = folder_contents().size() == 1;
        abandon_temporary_files();
        const bool removed = folder_contents().empty();
        const bool refused = pending.rename_into_place(true) == ECANCELED;
        std::_Exit(created && removed && refused ? 0 : 1);
      },
      testing::ExitedWithCode(0), "");
}

TEST_F(OutputSafety, AbandonedWritesFailAndLeaveNothing) {
  EXPECT_EXIT(
      {
        abandon_temporary_files();
        bool refused = false;
        try {
          write_file_atomic(folder_ / "a.png", Bytes{1});
        } catch (const Error& error) {
          refused = error.kind() == ErrorKind::output;
        }
        std::_Exit(refused && folder_contents().empty() ? 0 : 1);
      },
      testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace kmquant
