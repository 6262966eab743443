"""The type stubs (kmquant/_kmquant.pyi) name exactly what the extension module has, and every
public function and class has a docstring."""
import ast
import inspect
import pathlib

import pytest

import kmquant
from kmquant import _kmquant

STUBS = pathlib.Path(_kmquant.__file__).with_name("_kmquant.pyi")


def public(names):
    return {name for name in names if not name.startswith("_")}


def stub_tree():
    return ast.parse(STUBS.read_text())


def test_the_stubs_are_installed_beside_the_module():
    assert STUBS.is_file()
    assert STUBS.with_name("py.typed").is_file()


def test_module_level_names_match():
    stubbed = set()
    for node in stub_tree().body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stubbed.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            stubbed.add(node.target.id)
    helpers = {"PathLike", "UInt8Array", "ImageLike"}  # type aliases of the stubs only
    assert public(stubbed) == public(dir(_kmquant))
    assert "__version__" in stubbed and not helpers & set(dir(_kmquant))


def test_class_members_match():
    for node in stub_tree().body:
        if not isinstance(node, ast.ClassDef) or issubclass(getattr(_kmquant, node.name),
                                                            BaseException):
            continue
        stubbed = {item.name if isinstance(item, ast.FunctionDef) else item.target.id
                   for item in node.body if isinstance(item, (ast.FunctionDef, ast.AnnAssign))}
        runtime = public(dir(getattr(_kmquant, node.name)))
        assert public(stubbed) == runtime, node.name


def test_docstrings():
    for name in kmquant.__all__:
        item = getattr(kmquant, name)
        if callable(item):
            assert inspect.getdoc(item), name
    for name in ("labels", "palette", "image", "mse", "estimated_ratio"):
        assert inspect.getdoc(getattr(kmquant.Result, name)), name
    assert "premultiplied" in kmquant.quantize.__doc__ and "GIL" in kmquant.quantize.__doc__
    assert "palette" in kmquant.remap.__doc__ and "dither" in kmquant.remap.__doc__


def test_dask_helper_docstrings():
    pytest.importorskip("dask", reason="python3-dask is not installed")
    from kmquant import dask as helper
    assert "Client(" in helper.__doc__ and inspect.getdoc(helper.compress_files)


def runtime_parameters(function):
    """The parameters the extension declares, from pybind11's signature line: positional
    names, and keyword-only names (after *), without **kwargs."""
    signature = function.__doc__.splitlines()[0]
    inside = signature[signature.index("(") + 1:signature.rindex(") ->")]
    positional, keyword_only, seen_star = [], [], False
    for part in (piece.strip() for piece in inside.split(",")):
        if part == "*":
            seen_star = True
        elif part and not part.startswith("**"):
            (keyword_only if seen_star else positional).append(part.split(":")[0].strip())
    return positional, keyword_only


def test_function_signatures_match():
    """Every parameter the extension declares is in the stub, in the same place; the stub's
    extra keyword-only names are the Options fields **kwargs takes."""
    option_names = public(dir(_kmquant.Options))
    for node in stub_tree().body:
        if not isinstance(node, ast.FunctionDef):
            continue
        positional, keyword_only = runtime_parameters(getattr(_kmquant, node.name))
        stub_positional = [arg.arg for arg in node.args.args]
        stub_keyword_only = [arg.arg for arg in node.args.kwonlyargs]
        assert stub_positional == positional, node.name
        assert stub_keyword_only[:len(keyword_only)] == keyword_only, node.name
        assert set(stub_keyword_only[len(keyword_only):]) <= option_names, node.name
