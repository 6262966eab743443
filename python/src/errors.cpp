// kmquant::Error as Python exceptions: the same message as the CLI prints after "kmquant: ",
// one class per ErrorKind, all under kmquant.Error.
#include <Python.h>

#include <array>
#include <string>

#include "bindings.hpp"
#include "kmquant/error.hpp"

namespace kmquant::python {
namespace {

struct ErrorClass {
  ErrorKind kind;
  const char* name;
  const char* doc;
};

// One per ErrorKind; InvalidArgumentError is also a ValueError, as Python code expects for
// an argument out of range.
constexpr std::array<ErrorClass, 5> error_classes = {{
    {ErrorKind::invalid_argument, "InvalidArgumentError",
     "A setting out of range: k outside 1..256, no k values, an empty image."},
    {ErrorKind::input, "InputError",
     "An input file is missing, unreadable, truncated, corrupt or of an unsupported format."},
    {ErrorKind::output, "OutputError", "An output file or folder cannot be written."},
    {ErrorKind::limit, "LimitError",
     "An input exceeds a limit: more than 2**28 pixels, a side over 2**20, a file over 1 GiB."},
    {ErrorKind::quality, "QualityError",
     "A quality target's minimum cannot be reached, even with the most colours allowed."},
}};

// The classes live as long as the interpreter (the module is never unloaded), so plain
// pointers, never released, are the right ownership; one per ErrorKind, in enum order.
std::array<PyObject*, error_classes.size()> kind_classes{};

PyObject* new_exception(py::module_& module, const std::string& name, const char* doc,
                        PyObject* bases) {
  // Named "kmquant.X": the package re-exports the classes, so pickling (Dask sends errors from
  // the workers back to the client) finds them there.
  PyObject* type = PyErr_NewExceptionWithDoc(("kmquant." + name).c_str(), doc, bases, nullptr);
  if (type == nullptr) throw py::error_already_set();
  module.add_object(name.c_str(), py::handle(type));
  return type;
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): pybind11's translator type takes it so
void translate(std::exception_ptr error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const Error& e) {
    PyErr_SetString(kind_classes.at(static_cast<std::size_t>(e.kind())), e.what());
  }
}

}  // namespace

void bind_errors(py::module_& module) {
  PyObject* base = new_exception(
      module, "Error",
      "Any failure of kmquant; str(error) is the message the command line prints, naming the "
      "file and the reason.",
      PyExc_Exception);
  for (const ErrorClass& error_class : error_classes) {
    const py::tuple bases = error_class.kind == ErrorKind::invalid_argument
                                ? py::make_tuple(py::handle(base), py::handle(PyExc_ValueError))
                                : py::make_tuple(py::handle(base));
    kind_classes.at(static_cast<std::size_t>(error_class.kind)) =
        new_exception(module, error_class.name, error_class.doc, bases.ptr());
  }
  py::register_exception_translator(&translate);
}

}  // namespace kmquant::python
