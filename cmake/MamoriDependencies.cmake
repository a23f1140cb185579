# Every dependency comes from Debian through find_package or pkg-config;
# scripts/install-deps.sh installs them. Nothing is vendored.
find_package(tl-expected REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(SQLite3 REQUIRED)
pkg_check_modules(sodium REQUIRED IMPORTED_TARGET libsodium)
# toml++ is used header-only, and only inside src/policy/loader.cc, so that the
# fuzz build instruments the TOML parser too and the template cost is paid once.
find_path(TOMLPP_INCLUDE_DIR toml++/toml.h REQUIRED)
if(MAMORI_TESTS)
  find_package(GTest REQUIRED)
endif()
if(MAMORI_BENCH)
  find_package(benchmark REQUIRED)
endif()
