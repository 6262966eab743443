// The anchor of libkmquant.so: the library's code is the objects of kmquant_lib, kmquant_base
// and kmquant_report, added to it by cmake/KmquantInstall.cmake.
#include "kmquant/kmquant.hpp"
