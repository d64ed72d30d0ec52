# One consumer test (consumer_tests.cmake): cmake -DMODE=<mode> ... -P build_and_run.cmake, where <mode> is
#   install     cmake --install AG_BINARY_DIR (configuration CONFIG) into PREFIX, emptied first
#   cmake       configure BINARY_DIR from SOURCE_DIR (this folder) with AG_CONSUMER_USES=USES, build it, run PROGRAMS
#   pkg-config  compile and link SOURCE with CXX and `pkg-config --cflags --libs ag-nn` from PREFIX, run it
#   cxx17       compile SOURCE as C++17 with the same flags: it must fail with one error, which names C++20
# Each step's output is printed, so that a failing test shows the step and why.

# run(<what> <command>...): runs the command; a non-zero exit fails the test, naming <what>.
function(run what)
  list(JOIN ARGN " " command)
  message(STATUS "${what}: ${command}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  message("${output}")
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status})")
  endif()
endfunction()

# pkg_config_flags(<variable> <pkg-config argument>...): the flags of ag-nn as installed in PREFIX, as a list.
function(pkg_config_flags variable)
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/${LIBDIR}/pkgconfig")
  execute_process(COMMAND pkg-config --variable=pcfiledir ag-nn OUTPUT_VARIABLE found OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT found STREQUAL "${PREFIX}/${LIBDIR}/pkgconfig")
    message(FATAL_ERROR "pkg-config finds ag-nn in '${found}', not in ${PREFIX}/${LIBDIR}/pkgconfig")
  endif()
  execute_process(COMMAND pkg-config ${ARGN} ag-nn RESULT_VARIABLE status OUTPUT_VARIABLE flags ERROR_VARIABLE errors
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "pkg-config ${ARGN} ag-nn failed:\n${errors}")
  endif()
  list(JOIN ARGN " " arguments)
  message(STATUS "pkg-config ${arguments} ag-nn: ${flags}")
  separate_arguments(flags UNIX_COMMAND "${flags}")
  set(${variable} ${flags} PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  run("install" "${CMAKE_COMMAND}" --install "${AG_BINARY_DIR}" --prefix "${PREFIX}" --config "${CONFIG}")

elseif(MODE STREQUAL "cmake")
  set(options -DAG_CONSUMER_USES=${USES} -DCMAKE_CXX_COMPILER=${CXX})
  if(USES STREQUAL "package")
    # ag_DIR rather than CMAKE_PREFIX_PATH: a package installed elsewhere (the .deb in /usr) must not stand in for it.
    list(APPEND options -Dag_DIR=${PREFIX}/${LIBDIR}/cmake/ag)
  else()
    # As a subproject, ag must not need Catch2 (CMake then reports this variable unused, since nothing looked for it).
    list(APPEND options -DAG_SOURCE_DIR=${AG_SOURCE_DIR} -DCMAKE_DISABLE_FIND_PACKAGE_Catch2=ON)
  endif()
  file(REMOVE_RECURSE "${BINARY_DIR}")
  run("configure" "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${BINARY_DIR}" -G "${GENERATOR}" ${options})
  run("build" "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --parallel 2)
  string(REPLACE "," ";" PROGRAMS "${PROGRAMS}")
  foreach(program ${PROGRAMS})
    run("${program}" "${BINARY_DIR}/${program}")
  endforeach()

elseif(MODE STREQUAL "pkg-config")
  pkg_config_flags(flags --cflags --libs)
  file(MAKE_DIRECTORY "${BINARY_DIR}")
  # The user's warnings as errors: ag's headers must not add warnings to a user's build.
  run("compile and link" "${CXX}" -std=c++20 -Wall -Wextra -Wpedantic -Werror "${SOURCE}" ${flags}
    -Wl,-rpath,${PREFIX}/${LIBDIR} -o "${BINARY_DIR}/consumer_pkg_config")
  run("consumer_pkg_config" "${BINARY_DIR}/consumer_pkg_config")

elseif(MODE STREQUAL "cxx17")
  pkg_config_flags(flags --cflags)
  execute_process(COMMAND "${CXX}" -std=c++17 -fsyntax-only "${SOURCE}" ${flags}
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  message("${output}")
  string(REGEX MATCHALL "error:" errors "${output}")
  list(LENGTH errors error_count)
  if(status EQUAL 0)
    message(FATAL_ERROR "a C++17 compile of ${SOURCE} succeeded: ag's headers must refuse it")
  elseif(NOT error_count EQUAL 1 OR NOT output MATCHES "ag needs C\\+\\+20")
    message(FATAL_ERROR "a C++17 compile must fail with one error that says 'ag needs C++20'; it gave ${error_count}")
  endif()

else()
  message(FATAL_ERROR "MODE is '${MODE}': use install, cmake, pkg-config or cxx17")
endif()
