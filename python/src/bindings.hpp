// kmquant's Python module: what its source files share. Each file binds one part of the C++
// API (include/kmquant/) and nothing more; the module is a thin layer over that API.
#pragma once

#include <pybind11/pybind11.h>

#include <span>
#include <vector>

#include "kmquant/options.hpp"

namespace kmquant::python {
namespace py = pybind11;

/// kmquant.Error and its subclasses, and the translation of kmquant::Error into them.
void bind_errors(py::module_& module);
/// kmquant.Options, kmquant.Result and kmquant.quantize.
void bind_quantize(py::module_& module);
/// kmquant.ResultRow, kmquant.ResultTable and the sweep behind kmquant.sweep.
void bind_table(py::module_& module);
/// kmquant.load and kmquant.save.
void bind_files(py::module_& module);

/// Options from keyword arguments named like the fields of kmquant::Options; a field not
/// given keeps its C++ default. Raises TypeError for an unknown name or a value of the wrong
/// type.
[[nodiscard]] Options options_from(const py::kwargs& kwargs);

/// One k from a Python int: kmquant::check_k's error (InvalidArgumentError) when out of range.
[[nodiscard]] unsigned checked_k(long long k);

/// The k values of a sweep, checked like kmquant::check_ks.
[[nodiscard]] std::vector<unsigned> checked_ks(std::span<const long long> ks);

}  // namespace kmquant::python
