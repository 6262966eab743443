# Installing kmquant as a library (included from the top-level CMakeLists.txt once every target
# exists): the public headers, libkmquant.so (versioned SONAME) and libkmquant.a, a CMake package
# (find_package(kmquant) -> kmquant::kmquant, kmquant::kmquant_static), kmquant.pc, the man
# page kmquant(1), bash completion, and a Debian package (cpack -G DEB).
include(CMakePackageConfigHelpers)

# Both installed libraries are made of the objects of the three internal archives, compiled
# once (position-independent: CMakeLists.txt).
set(KMQUANT_LIBRARY_PARTS kmquant_lib kmquant_base kmquant_report)
set(KMQUANT_LIBRARY_OBJECTS)
foreach(part IN LISTS KMQUANT_LIBRARY_PARTS)
  list(APPEND KMQUANT_LIBRARY_OBJECTS "$<TARGET_OBJECTS:${part}>")
endforeach()

# The libraries that code links, by the name the linker and pkg-config know them: the static
# archive's users need them (kmquant.pc's Libs.private, kmquant::kmquant_static). A library
# added to kmquant_lib, kmquant_base or kmquant_report belongs here too (the install test's
# static consumer fails without it).
set(KMQUANT_LINKED_LIBRARIES png jpeg webp webpdemux z deflate zopfli cairo)

set(KMQUANT_PUBLIC_INCLUDE
  "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include;${PROJECT_BINARY_DIR}/include>"
  "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")

# libkmquant.so.X.Y.Z, SONAME libkmquant.so.X: exports only namespace kmquant (cmake/kmquant.map).
# Linking the archives too brings their own dependencies (libpng, ...) in, privately.
add_library(kmquant_shared SHARED src/shared_library.cpp ${KMQUANT_LIBRARY_OBJECTS})
target_include_directories(kmquant_shared PUBLIC ${KMQUANT_PUBLIC_INCLUDE})
target_compile_features(kmquant_shared PUBLIC cxx_std_20)
target_link_libraries(kmquant_shared PRIVATE ${KMQUANT_LIBRARY_PARTS})
target_link_options(kmquant_shared PRIVATE
  "LINKER:--version-script=${CMAKE_CURRENT_LIST_DIR}/kmquant.map" "LINKER:--no-undefined")
set_target_properties(kmquant_shared PROPERTIES
  OUTPUT_NAME kmquant VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
  EXPORT_NAME kmquant LINK_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/kmquant.map")

# libkmquant.a: the same objects in one archive (the build tree's own libkmquant.a is only
# kmquant_lib's part, so this one is made in a folder of its own).
add_library(kmquant_static STATIC ${KMQUANT_LIBRARY_OBJECTS})
target_include_directories(kmquant_static INTERFACE ${KMQUANT_PUBLIC_INCLUDE})
target_compile_features(kmquant_static INTERFACE cxx_std_20)
target_link_libraries(kmquant_static INTERFACE Threads::Threads ${KMQUANT_LINKED_LIBRARIES})
set_target_properties(kmquant_static PROPERTIES
  OUTPUT_NAME kmquant ARCHIVE_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/static")

install(TARGETS kmquant_shared kmquant_static EXPORT kmquantTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/kmquant DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/kmquant/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kmquant)

# The CMake package: find_package(kmquant) in a prefix that holds it.
set(KMQUANT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/kmquant)
install(EXPORT kmquantTargets NAMESPACE kmquant:: DESTINATION ${KMQUANT_CMAKE_DIR})
configure_package_config_file(cmake/kmquantConfig.cmake.in
  ${PROJECT_BINARY_DIR}/kmquantConfig.cmake INSTALL_DESTINATION ${KMQUANT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/kmquantConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/kmquantConfig.cmake
  ${PROJECT_BINARY_DIR}/kmquantConfigVersion.cmake DESTINATION ${KMQUANT_CMAKE_DIR})

# kmquant.pc, for pkg-config --cflags --libs kmquant (add --static for libkmquant.a).
list(TRANSFORM KMQUANT_LINKED_LIBRARIES PREPEND "-l" OUTPUT_VARIABLE KMQUANT_PC_LIBS_PRIVATE)
list(JOIN KMQUANT_PC_LIBS_PRIVATE " " KMQUANT_PC_LIBS_PRIVATE)
file(RELATIVE_PATH KMQUANT_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" /prefix)
configure_file(cmake/kmquant.pc.in ${PROJECT_BINARY_DIR}/kmquant.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/kmquant.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The man page kmquant(1), made by help2man from the program's own --help (and each command's),
# and bash completion.
find_program(KMQUANT_HELP2MAN help2man)
if(KMQUANT_HELP2MAN)
  set(KMQUANT_MAN_PAGE ${PROJECT_BINARY_DIR}/kmquant.1)
  add_custom_command(OUTPUT ${KMQUANT_MAN_PAGE}
    COMMAND ${CMAKE_COMMAND} -DKMQUANT=$<TARGET_FILE:kmquant> -DHELP2MAN=${KMQUANT_HELP2MAN}
      -DINCLUDE=${PROJECT_SOURCE_DIR}/packaging/kmquant.h2m -DOUTPUT=${KMQUANT_MAN_PAGE}
      -P ${CMAKE_CURRENT_LIST_DIR}/man_page.cmake
    DEPENDS kmquant ${PROJECT_SOURCE_DIR}/packaging/kmquant.h2m ${CMAKE_CURRENT_LIST_DIR}/man_page.cmake
    COMMENT "Writing the man page kmquant.1 (help2man)")
  add_custom_target(kmquant_man ALL DEPENDS ${KMQUANT_MAN_PAGE})
  install(FILES ${KMQUANT_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "kmquant: help2man not found: no man page (apt install help2man)")
endif()
install(FILES packaging/kmquant.bash-completion
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME kmquant)

# cpack -G DEB: one package, kmquant_VERSION_ARCH.deb, installing into /usr; its library
# dependencies come from dpkg-shlibdeps, the Python module's from the list below.
set(CPACK_PACKAGE_NAME kmquant)
set(CPACK_PACKAGE_VENDOR kmquant)
set(CPACK_PACKAGE_CONTACT "kmquant maintainers <kmquant@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "k-means colour quantization: command line, C++ library and Python module")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(KMQUANT_PYTHON_VERSION)
  # The module is built for one Python version: python3 3.11 takes exactly a 3.11.x.
  string(REGEX MATCH "^[0-9]+" python_major "${KMQUANT_PYTHON_VERSION}")
  string(REGEX MATCH "[0-9]+$" python_minor "${KMQUANT_PYTHON_VERSION}")
  math(EXPR python_next "${python_minor} + 1")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3 (>= ${KMQUANT_PYTHON_VERSION}), \
python3 (<< ${python_major}.${python_next}), python3-numpy")
endif()
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3-pil, python3-dask, python3-distributed")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "kmquant compresses images into indexed PNGs by exact k-means colour quantization.\n It installs the kmquant command, libkmquant (shared and static) with its headers,\n CMake package and pkg-config file, and the Python module kmquant.")
include(CPack)
