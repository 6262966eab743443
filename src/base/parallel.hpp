// Running independent tasks on several threads without making results depend on the threads.
#pragma once

#include <cstddef>
#include <functional>

namespace kmquant::detail {

/// The number of threads to use for a request: 0 means one per hardware thread.
[[nodiscard]] unsigned resolve_threads(unsigned requested) noexcept;

/// Run task(i) for every i in [0, count) on up to `threads` threads (the caller's included) and
/// return when all are done. Each task must write only its own outputs: which thread runs which
/// index is left open, so results can't depend on it; when no more threads can be started (a
/// memory or process limit), the tasks run on those that could, the caller's at least. The
/// exception of the lowest-numbered failing task is rethrown (on one thread, the first failure
/// ends the loop; on several, the other tasks still run to completion).
void parallel_for(std::size_t count, unsigned threads,
                  const std::function<void(std::size_t)>& task);

}  // namespace kmquant::detail
