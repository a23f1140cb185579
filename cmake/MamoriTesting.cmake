# mamori_add_unit_test(NAME SOURCES... LIBS ...): one GoogleTest binary per
# module, discovered by CTest and labelled `unit`.
function(mamori_add_unit_test name)
  if(NOT MAMORI_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main GTest::gmock
                        mamori_cxx_settings)
  target_compile_definitions(${name} PRIVATE
    MAMORI_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(${name} PROPERTIES LABELS unit
                       DISCOVERY_TIMEOUT 60)
endfunction()
