#include "output_naming.hpp"

#include <map>
#include <system_error>

#include "kmquant/error.hpp"

namespace kmquant::cli {
namespace fs = std::filesystem;

std::string default_suffix(const fs::path& out_dir) { return out_dir.empty() ? "-kmq" : ""; }

namespace {

std::string stem_of(const InputFile& input) {
  return input.is_stdin() ? std::string("stdin") : input.path.stem().string();
}

fs::path expand_template(const std::string& name, const InputFile& input) {
  std::string expanded = name;
  const std::string marker = "{stem}";
  for (std::size_t at = expanded.find(marker); at != std::string::npos;
       at = expanded.find(marker, at)) {
    expanded.replace(at, marker.size(), stem_of(input));
  }
  return expanded;
}

fs::path png_path(const InputFile& input, const NamingRules& rules) {
  if (!rules.output.empty()) return rules.output;
  const fs::path folder = rules.out_dir.empty() ? input.path.parent_path() : rules.out_dir;
  return folder / (stem_of(input) + (rules.ending.empty() ? rules.suffix + ".png" : rules.ending));
}

/// A path's identity for comparisons: symbolic links and "..", resolved where they exist.
std::string identity(const fs::path& path) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? fs::absolute(path).lexically_normal().string() : canonical.string();
}

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return identity(a) == identity(b) || (fs::equivalent(a, b, ec) && !ec);
}

void check_rules(const std::vector<InputFile>& inputs, const NamingRules& rules) {
  const bool several = inputs.size() > 1;
  if (several && !rules.output.empty()) {
    throw Error(ErrorKind::invalid_argument, "-o names one output but there are " +
                                                 std::to_string(inputs.size()) +
                                                 " inputs; use --out-dir and/or --suffix");
  }
  for (const std::string* name : {&rules.palette_out, &rules.labels_out}) {
    if (several && !name->empty() && name->find("{stem}") == std::string::npos) {
      throw Error(ErrorKind::invalid_argument,
                  *name + ": one name for " + std::to_string(inputs.size()) +
                      " inputs; put {stem} in it for each input's name");
    }
  }
  for (const InputFile& input : inputs) {
    if (input.is_stdin() && rules.output.empty()) {
      throw Error(ErrorKind::invalid_argument,
                  "reading standard input (-) needs -o FILE, or -o - for standard output");
    }
  }
}

}  // namespace

std::vector<FileJob> plan_jobs(const std::vector<InputFile>& inputs, const NamingRules& rules) {
  check_rules(inputs, rules);
  std::vector<FileJob> jobs;
  std::map<std::string, std::string> claimed;  // output identity → the input it belongs to
  for (const InputFile& input : inputs) {
    FileJob job;
    job.input = input;
    job.png_to_stdout = rules.output == "-";
    if (!job.png_to_stdout) job.png = png_path(input, rules);
    job.in_place =
        rules.in_place && !input.is_stdin() && !job.png.empty() && same_file(job.png, input.path);
    if (!rules.palette_out.empty()) job.palette = expand_template(rules.palette_out, input);
    if (!rules.labels_out.empty()) job.labels = expand_template(rules.labels_out, input);
    for (const fs::path& output : {job.png, job.palette, job.labels}) {
      if (output.empty() || !job.refusal.empty()) continue;
      for (const InputFile& other : inputs) {
        const bool own_png = rules.in_place && &other == &input && output == job.png;
        if (!other.is_stdin() && !own_png && same_file(output, other.path)) {
          job.refusal = output.string() + ": refusing to overwrite the input file " +
                        other.path.string() + " with an output";
        }
      }
      if (!rules.remap.empty() && same_file(output, rules.remap)) {
        job.refusal = output.string() + ": refusing to overwrite the --remap palette " +
                      rules.remap.string() + " with an output";
      }
      if (!job.refusal.empty()) continue;
      const auto [at, fresh] = claimed.emplace(identity(output), job.input_name());
      if (!fresh) {
        job.refusal = output.string() + ": " + job.input_name() + " would replace the output of " +
                      at->second + " (choose another --suffix or --out-dir)";
      }
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace kmquant::cli
