// Running the files of a batch on several worker threads.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "compress_job.hpp"

namespace kmquant::cli {

/// Run every job on up to `workers` threads (at least 1; never more than there are jobs),
/// each taking the next job not yet started. `on_done` is called once per job as it finishes,
/// from the worker thread, one call at a time. The outcomes come back in the order of `jobs`,
/// whatever order they finished in.
[[nodiscard]] std::vector<FileOutcome> run_batch(
    std::span<const FileJob> jobs, const JobSettings& settings, unsigned workers,
    const std::function<void(const FileJob&, const FileOutcome&)>& on_done);

}  // namespace kmquant::cli
