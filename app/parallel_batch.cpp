#include "parallel_batch.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace kmquant::cli {

std::vector<FileOutcome> run_batch(
    std::span<const FileJob> jobs, const JobSettings& settings, unsigned workers,
    const std::function<void(const FileJob&, const FileOutcome&)>& on_done) {
  std::vector<FileOutcome> outcomes(jobs.size());
  std::atomic<std::size_t> next{0};
  std::mutex report;
  const auto work = [&] {
    for (std::size_t i = next++; i < jobs.size(); i = next++) {
      outcomes[i] = run_compress_job(jobs[i], settings);
      const std::lock_guard lock(report);
      on_done(jobs[i], outcomes[i]);
    }
  };
  const std::size_t threads =
      std::clamp<std::size_t>(workers, 1, std::max<std::size_t>(jobs.size(), 1));
  {
    std::vector<std::jthread> helpers;
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
  }  // the helpers join here
  return outcomes;
}

}  // namespace kmquant::cli
