# Compiler settings live on INTERFACE targets (osquery's osquery_cxx_settings),
# never in global flags, so third-party code is not held to our warnings.
add_library(mamori_cxx_settings INTERFACE)
target_compile_features(mamori_cxx_settings INTERFACE cxx_std_20)
target_include_directories(mamori_cxx_settings INTERFACE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(mamori_cxx_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(mamori_cxx_settings INTERFACE -Wthread-safety)
endif()
if(MAMORI_WERROR)
  target_compile_options(mamori_cxx_settings INTERFACE -Werror)
endif()

add_library(mamori_sanitizers INTERFACE)
if(MAMORI_SANITIZE)
  target_compile_options(mamori_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(mamori_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
target_link_libraries(mamori_cxx_settings INTERFACE mamori_sanitizers)

# The fuzz build instruments every library for coverage, so libFuzzer sees
# inside the loader and the parsers, not only the fuzzer's own file.
if(MAMORI_FUZZ)
  target_compile_options(mamori_cxx_settings INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(mamori_cxx_settings INTERFACE -fsanitize=address,undefined)
endif()
