// The extension module kmquant._kmquant; the package kmquant (kmquant/__init__.py) re-exports it.
#include "bindings.hpp"
#include "kmquant/version.hpp"

PYBIND11_MODULE(_kmquant, module) {
  module.doc() =
      "kmquant's C++ library: k-means colour quantization. Use it through the package "
      "`kmquant`.";
  module.attr("__version__") = kmquant::version;
  kmquant::python::bind_errors(module);
  kmquant::python::bind_quantize(module);
  kmquant::python::bind_table(module);
  kmquant::python::bind_files(module);
}
