// kmquant — libpng error and warning callbacks shared by the PNG reader and writer.
#pragma once

#include <png.h>

#include <cstdio>

namespace kmquant::detail {

/// Where on_png_error leaves libpng's message: give its address as libpng's error pointer.
struct PngErrorMessage {
  char text[256] = {};
};

/// libpng's error callback: keep the message, then leave through the setjmp of the failing stage.
[[noreturn]] inline void on_png_error(png_structp png, png_const_charp message) {
  auto* error = static_cast<PngErrorMessage*>(png_get_error_ptr(png));
  std::snprintf(error->text, sizeof error->text, "%s", message);
  png_longjmp(png, 1);
}

/// libpng warns about oddities it recovers from (a damaged ancillary chunk, a setting it
/// adjusts); the result is still right, and a library must not print to stderr.
inline void ignore_png_warning(png_structp /*png*/, png_const_charp /*message*/) {}

}  // namespace kmquant::detail
