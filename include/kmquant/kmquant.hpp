// kmquant — k-means colour quantization. The whole public API:
//   settings (Options, Limits) → image (load_image) → result (quantize, sweep) → files (encode).
#pragma once

#include "kmquant/encode.hpp"
#include "kmquant/error.hpp"
#include "kmquant/image.hpp"
#include "kmquant/options.hpp"
#include "kmquant/quality.hpp"
#include "kmquant/quantize.hpp"
#include "kmquant/report.hpp"
#include "kmquant/shared_palette.hpp"
#include "kmquant/size_model.hpp"
#include "kmquant/ssim.hpp"
#include "kmquant/version.hpp"
