#include "batch_inputs.hpp"

#include <glob.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <system_error>

namespace kmquant::cli {
namespace fs = std::filesystem;

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool has_image_extension(const fs::path& path) {
  static const std::array<std::string, 4> extensions = {".png", ".jpg", ".jpeg", ".webp"};
  const std::string extension = lower(path.extension().string());
  return std::find(extensions.begin(), extensions.end(), extension) != extensions.end();
}

bool is_hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name.front() == '.';
}

bool is_earlier_output(const fs::path& path, const std::vector<std::string>& skip_suffixes) {
  const std::string stem = path.stem().string();
  return std::any_of(skip_suffixes.begin(), skip_suffixes.end(), [&](const std::string& suffix) {
    return !suffix.empty() && stem.size() > suffix.size() && stem.ends_with(suffix);
  });
}

/// Whether a file found in a folder or by a pattern is an image to compress.
bool wanted(const fs::path& path, const std::vector<std::string>& skip_suffixes) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && has_image_extension(path) && !is_hidden(path) &&
         !is_earlier_output(path, skip_suffixes);
}

std::vector<fs::path> folder_images(const fs::path& folder, bool recursive,
                                    const std::vector<std::string>& skip_suffixes) {
  std::vector<fs::path> found;
  std::error_code ec;
  const auto keep = [&](const fs::directory_entry& entry) {
    if (wanted(entry.path(), skip_suffixes)) found.push_back(entry.path());
  };
  if (recursive) {
    auto it = fs::recursive_directory_iterator(folder, fs::directory_options::none, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (is_hidden(it->path()) && it->is_directory()) {
        it.disable_recursion_pending();
        continue;
      }
      keep(*it);
    }
  } else {
    auto it = fs::directory_iterator(folder, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) keep(*it);
  }
  std::sort(found.begin(), found.end());
  return found;
}

bool is_pattern(const std::string& argument) {
  return argument.find_first_of("*?[") != std::string::npos;
}

std::vector<fs::path> pattern_matches(const std::string& pattern, bool recursive,
                                      const std::vector<std::string>& skip_suffixes) {
  glob_t matches{};
  std::vector<fs::path> found;
  if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
      const fs::path path = matches.gl_pathv[i];  // NOLINT: glob's C array
      std::error_code ec;
      if (fs::is_directory(path, ec)) {
        const std::vector<fs::path> inner = folder_images(path, recursive, skip_suffixes);
        found.insert(found.end(), inner.begin(), inner.end());
      } else if (wanted(path, skip_suffixes)) {
        found.push_back(path);
      }
    }
  }
  ::globfree(&matches);
  return found;
}

/// The identity of a file, so that one named twice (a/../a/x.png, a link) is compressed once.
std::string identity(const fs::path& path) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? path.lexically_normal().string() : canonical.string();
}

}  // namespace

Inputs expand_inputs(const std::vector<std::string>& arguments, bool recursive,
                     const std::vector<std::string>& skip_suffixes) {
  Inputs inputs;
  std::set<std::string> seen;
  const auto add = [&](const fs::path& path) {
    if (path == "-" || seen.insert(identity(path)).second) inputs.files.push_back({path, {}});
  };
  bool only_plain_files = true;
  for (const std::string& argument : arguments) {
    std::error_code ec;
    // "-" (standard input) is neither a folder nor a file here: it falls to the last case.
    if (fs::is_directory(argument, ec)) {
      only_plain_files = false;
      const std::vector<fs::path> found = folder_images(argument, recursive, skip_suffixes);
      if (found.empty()) {
        inputs.files.push_back({argument, "a folder without PNG, JPEG or WebP files"});
      }
      for (const fs::path& path : found) add(path);
    } else if (!fs::exists(argument, ec) && is_pattern(argument)) {
      only_plain_files = false;
      const std::vector<fs::path> found = pattern_matches(argument, recursive, skip_suffixes);
      if (found.empty()) inputs.files.push_back({argument, "no PNG, JPEG or WebP file matches"});
      for (const fs::path& path : found) add(path);
    } else {
      add(argument);
    }
  }
  inputs.single = arguments.size() == 1 && only_plain_files;
  return inputs;
}

}  // namespace kmquant::cli
