# The consumer.* tests (label `consumer`): tests/consumer, a user's small project, built against this build the ways
# users get ag (see build_and_run.cmake):
#   consumer.install             cmake --install of this build into <build>/tests/consumer/prefix (the fixture)
#   consumer.find_package        find_package(ag 0.2 CONFIG REQUIRED) from that prefix, shared and static libraries
#   consumer.pkg_config          g++ with `pkg-config --cflags --libs ag-nn` from that prefix
#   consumer.cxx17_is_refused    the same flags with -std=c++17: one error, saying that ag needs C++20
#   consumer.add_subdirectory    add_subdirectory of this source tree
#   consumer.fetchcontent        FetchContent from this source tree
#   consumer.exports             the shared libraries export the public API (ag::matmul, ag::nn::Linear) and not the
#                                internals (ag::kernels, the engine's GraphTask)
# The last two compile the shared libraries again (unoptimised, two jobs: about a minute each on 2 cores).
# Not in sanitizer builds: their libraries need the sanitizer runtime, which a user's program does not link.
if(NOT AG_INSTALL OR AG_SANITIZE OR AG_TSAN)
  return()
endif()

set(consumer_dir ${CMAKE_CURRENT_BINARY_DIR}/consumer)
set(consumer_prefix ${consumer_dir}/prefix)
set(consumer_script ${CMAKE_CURRENT_LIST_DIR}/build_and_run.cmake)
set(consumer_common -DCXX=${CMAKE_CXX_COMPILER} -DLIBDIR=${CMAKE_INSTALL_LIBDIR} -DPREFIX=${consumer_prefix})

add_test(NAME consumer.install
  COMMAND ${CMAKE_COMMAND} -DMODE=install -DAG_BINARY_DIR=${PROJECT_BINARY_DIR} -DCONFIG=$<CONFIG>
    ${consumer_common} -P ${consumer_script})
set_tests_properties(consumer.install PROPERTIES FIXTURES_SETUP ag_installed)

add_test(NAME consumer.find_package
  COMMAND ${CMAKE_COMMAND} -DMODE=cmake -DUSES=package -DSOURCE_DIR=${CMAKE_CURRENT_LIST_DIR}
    -DBINARY_DIR=${consumer_dir}/find_package -DGENERATOR=${CMAKE_GENERATOR} -DPROGRAMS=consumer,consumer_static
    ${consumer_common} -P ${consumer_script})
add_test(NAME consumer.pkg_config
  COMMAND ${CMAKE_COMMAND} -DMODE=pkg-config -DSOURCE=${CMAKE_CURRENT_LIST_DIR}/main.cpp
    -DBINARY_DIR=${consumer_dir}/pkg_config ${consumer_common} -P ${consumer_script})
add_test(NAME consumer.cxx17_is_refused
  COMMAND ${CMAKE_COMMAND} -DMODE=cxx17 -DSOURCE=${CMAKE_CURRENT_LIST_DIR}/main.cpp
    ${consumer_common} -P ${consumer_script})
set_tests_properties(consumer.find_package consumer.pkg_config consumer.cxx17_is_refused PROPERTIES
  FIXTURES_REQUIRED ag_installed)

foreach(uses add_subdirectory fetchcontent)
  string(REPLACE "add_" "" mode ${uses})
  add_test(NAME consumer.${uses}
    COMMAND ${CMAKE_COMMAND} -DMODE=cmake -DUSES=${mode} -DSOURCE_DIR=${CMAKE_CURRENT_LIST_DIR}
      -DAG_SOURCE_DIR=${PROJECT_SOURCE_DIR} -DBINARY_DIR=${consumer_dir}/${uses} -DGENERATOR=${CMAKE_GENERATOR}
      -DPROGRAMS=consumer ${consumer_common} -P ${consumer_script})
  set_tests_properties(consumer.${uses} PROPERTIES PROCESSORS 2 TIMEOUT 1800)
endforeach()

add_test(NAME consumer.exports
  COMMAND sh -c "nm -DC --defined-only '$<TARGET_FILE:ag_autograd>' '$<TARGET_FILE:ag_nn>' > exports.txt \
    && grep -q 'ag::matmul(' exports.txt && grep -q 'ag::nn::Linear::' exports.txt \
    && ! grep -E 'ag::kernels::|GraphTask' exports.txt"
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})

set_tests_properties(consumer.install consumer.find_package consumer.pkg_config consumer.cxx17_is_refused
  PROPERTIES TIMEOUT 600)
set_tests_properties(consumer.install consumer.find_package consumer.pkg_config consumer.cxx17_is_refused
  consumer.add_subdirectory consumer.fetchcontent consumer.exports PROPERTIES LABELS consumer)
