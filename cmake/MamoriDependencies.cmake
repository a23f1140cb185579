# Every dependency comes from Debian through find_package or pkg-config;
# scripts/install-deps.sh installs them. Nothing is vendored.
find_package(tl-expected REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(SQLite3 REQUIRED)
pkg_check_modules(MAMORI_LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(sodium REQUIRED IMPORTED_TARGET libsodium)
# HMAC-SHA1 for TOTP (src/auth/totp.cc): libsodium has no SHA-1.
pkg_check_modules(MAMORI_LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)
# Tables (src/tabular) and the sanitizer (src/sanitize).
pkg_check_modules(MAMORI_XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
pkg_check_modules(MAMORI_LIBZIP REQUIRED IMPORTED_TARGET libzip)
pkg_check_modules(MAMORI_PUGIXML REQUIRED IMPORTED_TARGET pugixml)
pkg_check_modules(MAMORI_FIXBUF REQUIRED IMPORTED_TARGET libfixbuf)
pkg_check_modules(MAMORI_LIBMAGIC REQUIRED IMPORTED_TARGET libmagic)
pkg_check_modules(MAMORI_GMIME REQUIRED IMPORTED_TARGET gmime-3.0)
pkg_check_modules(MAMORI_LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
pkg_check_modules(MAMORI_LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
pkg_check_modules(MAMORI_QPDF REQUIRED IMPORTED_TARGET libqpdf)
pkg_check_modules(MAMORI_IMAGE_LIBS REQUIRED IMPORTED_TARGET
  libjpeg libpng libtiff-4 libwebp libwebpdemux)
# The server's tests call it as a browser would, with cpp-httplib's client
# (Debian builds it as a library); the server itself is Boost.Beast.
if(MAMORI_TESTS)
  pkg_check_modules(MAMORI_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
# The mamori program allocates through jemalloc: the server's many threads
# build JSON pages, and glibc's allocator made a third of their CPU time
# (bench/README.md). Not with the sanitizers, which bring their own.
if(MAMORI_JEMALLOC)
  pkg_check_modules(MAMORI_JEMALLOC_LIB REQUIRED IMPORTED_TARGET jemalloc)
endif()
# Debian's libgif-dev ships no pkg-config file.
find_library(MAMORI_GIF_LIBRARY gif REQUIRED)
find_path(MAMORI_GIF_INCLUDE_DIR gif_lib.h REQUIRED)
if(MAMORI_TESTS)
  # Tests build samples: PNG chunks (zlib's crc32), WebP with EXIF.
  pkg_check_modules(MAMORI_IMAGE_TEST_LIBS REQUIRED IMPORTED_TARGET zlib libwebpmux)
endif()
# Debian's libcsv-dev ships no pkg-config file.
find_library(MAMORI_CSV_LIBRARY csv REQUIRED)
find_path(MAMORI_CSV_INCLUDE_DIR csv.h REQUIRED)
# toml++ is used header-only, only through src/common/toml_library.h, by the
# two readers of TOML (src/policy/layer_reader.cc and src/netcheck/zones.cc),
# so that the fuzz build instruments the parser too.
find_path(TOMLPP_INCLUDE_DIR toml++/toml.h REQUIRED)
if(MAMORI_TESTS)
  find_package(GTest REQUIRED)
endif()
if(MAMORI_BENCH)
  find_package(benchmark REQUIRED)
endif()
