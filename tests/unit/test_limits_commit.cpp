// Tests of how AtomicFiles puts its files in place: never over a name taken meanwhile without
// Existing::replace (the race between kmquant's check and its rename), the mode of a replaced
// file kept, links followed, devices and FIFOs written through, names up to NAME_MAX.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>
#include <vector>

#include "io_oracle.hpp"
#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"

namespace kmquant {
namespace {

using namespace io_testing;

class Commit : public FolderTest {
 protected:
  void put(const std::string& name, const Bytes& bytes) const {
    std::ofstream(folder_ / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
};

const Bytes precious = {'P', 'R', 'E', 'C', 'I', 'O', 'U', 'S'};
const Bytes new_bytes(1000, 7);

TEST_F(Commit, KeepNeverReplacesAFileThatAppearsBeforeTheCommit) {
  AtomicFiles files(Existing::keep);
  files.write(folder_ / "p.png", new_bytes);
  put("p.png", precious);  // between kmquant's check (the write above) and its rename
  const Error error = error_from([&] { files.commit(); });
  EXPECT_EQ(error.kind(), ErrorKind::output);
  EXPECT_TRUE(contains(error.what(), (folder_ / "p.png").string() + ": already exists"))
      << error.what();
  EXPECT_EQ(bytes_of(folder_ / "p.png"), precious);
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"p.png"});
}

TEST_F(Commit, KeepTakesBackTheFilesItPlacedWhenALaterOneIsTaken) {
  AtomicFiles files(Existing::keep);
  files.write(folder_ / "a.png", new_bytes);
  files.write(folder_ / "b.json", new_bytes);
  put("b.json", precious);
  EXPECT_EQ(error_from([&] { files.commit(); }).kind(), ErrorKind::output);
  // a.png was new: it is removed again, so that the job's files are all or nothing.
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"b.json"});
  EXPECT_EQ(bytes_of(folder_ / "b.json"), precious);
}

TEST_F(Commit, KeepRefusesAnExistingFileAtOnce) {
  put("p.png", precious);
  AtomicFiles files(Existing::keep);
  EXPECT_EQ(error_from([&] { files.write(folder_ / "p.png", new_bytes); }).kind(),
            ErrorKind::output);
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"p.png"});
}

TEST_F(Commit, ReplaceKeepsTheModeOfTheReplacedFile) {
  put("p.png", precious);
  ASSERT_EQ(::chmod((folder_ / "p.png").c_str(), 0600), 0);
  write_file_atomic(folder_ / "p.png", new_bytes);
  struct stat status {};
  ASSERT_EQ(::stat((folder_ / "p.png").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
  EXPECT_EQ(bytes_of(folder_ / "p.png"), new_bytes);
}

TEST_F(Commit, ALinkIsFollowedAndStaysALink) {
  put("target.png", precious);
  ASSERT_EQ(::symlink("target.png", (folder_ / "link.png").c_str()), 0);
  write_file_atomic(folder_ / "link.png", new_bytes);
  EXPECT_EQ(fs::read_symlink(folder_ / "link.png"), fs::path("target.png"));
  EXPECT_EQ(bytes_of(folder_ / "target.png"), new_bytes);
  EXPECT_EQ(folder_contents(), (std::vector<std::string>{"link.png", "target.png"}));
}

TEST_F(Commit, ALinkToNothingIsRefused) {
  ASSERT_EQ(::symlink("nothing.png", (folder_ / "link.png").c_str()), 0);
  const Error error = error_from([&] { write_file_atomic(folder_ / "link.png", new_bytes); });
  EXPECT_EQ(error.kind(), ErrorKind::output);
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"link.png"});
}

TEST_F(Commit, AFifoIsWrittenThroughNotReplaced) {
  const fs::path fifo = folder_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // No reader: refused at once rather than waited for.
  EXPECT_EQ(error_from([&] { write_file_atomic(fifo, new_bytes); }).kind(), ErrorKind::output);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  write_file_atomic(fifo, new_bytes);  // fits in the pipe's buffer
  Bytes received(new_bytes.size() + 1);
  EXPECT_EQ(::read(reader, received.data(), received.size()),
            static_cast<ssize_t>(new_bytes.size()));
  received.resize(new_bytes.size());
  EXPECT_EQ(received, new_bytes);
  ::close(reader);
  struct stat status {};
  ASSERT_EQ(::lstat(fifo.c_str(), &status), 0);
  EXPECT_TRUE(S_ISFIFO(status.st_mode));
  EXPECT_EQ(folder_contents(), std::vector<std::string>{"pipe"});
}

TEST_F(Commit, NamesUpToNameMaxAreWritten) {
  for (const std::size_t length : {233u, 234u, 255u}) {
    const fs::path path = folder_ / std::string(length, 'n');
    write_file_atomic(path, new_bytes);
    EXPECT_EQ(bytes_of(path), new_bytes) << length;
  }
  EXPECT_EQ(folder_contents().size(), 3u);
}

}  // namespace
}  // namespace kmquant
