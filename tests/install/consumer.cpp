// A program that uses an installed kmquant, as a user's would: quantize a small image, encode
// it as an indexed PNG, decode that back and check the pixels are the result's.
#include <cstdio>
#include <kmquant/kmquant.hpp>

int main() {
  kmquant::Image image;
  image.width = 4;
  image.height = 2;
  image.pixels = {255, 0, 0, 250, 0, 0, 0, 0, 255, 0, 0, 250,  // red, red, blue, blue
                  255, 0, 0, 250, 0, 0, 0, 0, 255, 0, 0, 250};
  const kmquant::Result result = kmquant::quantize(image, 2);
  const std::vector<std::uint8_t> png = kmquant::encode_indexed_png(result);
  const kmquant::LoadedImage decoded = kmquant::decode_image(png, "consumer.png");
  if (result.palette.size() != 2 || decoded.image.pixels != result.to_image().pixels) {
    std::fprintf(stderr, "consumer: unexpected result\n");
    return 1;
  }
  try {
    (void)kmquant::quantize(image, 0);
    return 1;
  } catch (const kmquant::Error& error) {  // the library's type information is exported
    std::printf("kmquant %s: %zu colours, MSE %.2f, %zu PNG bytes; k = 0 refused: %s\n",
                kmquant::version, result.palette.size(), result.mse, png.size(), error.what());
  }
  return 0;
}
