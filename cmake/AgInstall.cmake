# What `cmake --install` puts in the prefix, and the Debian package `cpack -G DEB` makes of it:
#   include/autograd, include/nn                       the public headers
#   <libdir>/libag_{autograd,nn}.{a,so*}               static and shared libraries
#   <libdir>/cmake/ag/                                 the CMake package (ag-config.cmake)
#   <libdir>/pkgconfig/ag-{autograd,nn}.pc             for pkg-config
include(CMakePackageConfigHelpers)

set(ag_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/ag)

install(TARGETS ag_autograd ag_autograd_static ag_nn ag_nn_static EXPORT ag-targets)
# ag::distributed and ag::distributed_static, where MPI was found (distributed/CMakeLists.txt); ag-config.cmake then
# finds MPI, which the static library links.
set(AG_WITH_DISTRIBUTED OFF)
if(TARGET ag_distributed)
  set(AG_WITH_DISTRIBUTED ON)
  install(TARGETS ag_distributed ag_distributed_static EXPORT ag-targets)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/distributed/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    FILES_MATCHING PATTERN "*.hpp")
endif()
foreach(library autograd nn)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${library}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    FILES_MATCHING PATTERN "*.hpp")
endforeach()

install(EXPORT ag-targets NAMESPACE ag:: DESTINATION ${ag_cmake_dir})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ag-config.cmake.in ${PROJECT_BINARY_DIR}/ag-config.cmake
  INSTALL_DESTINATION ${ag_cmake_dir})
# While the version is 0.x, a minor release may change the API (as semantic versioning allows before 1.0), so a
# request for 0.2 accepts 0.2.x only; from 1.0 on this becomes SameMajorVersion.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ag-config-version.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ag-config.cmake ${PROJECT_BINARY_DIR}/ag-config-version.cmake
  ${CMAKE_CURRENT_LIST_DIR}/AgOpenBLAS.cmake ${CMAKE_CURRENT_LIST_DIR}/AgDnnl.cmake DESTINATION ${ag_cmake_dir})

# The pkg-config files name their prefix, which is only known when installing (cmake --install --prefix, or the
# Debian package's /usr): each is configured twice, now for everything else, then by the install script for the
# prefix.
set(ag_pc_prefix "@CMAKE_INSTALL_PREFIX@")
foreach(library autograd nn)
  set(pc_file ${PROJECT_BINARY_DIR}/pkgconfig/ag-${library}.pc)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/ag-${library}.pc.in ${pc_file}.in @ONLY)
  install(CODE "configure_file(\"${pc_file}.in\" \"${pc_file}\" @ONLY)")
  install(FILES ${pc_file} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

if(NOT PROJECT_IS_TOP_LEVEL)
  return()
endif()
# cpack -G DEB: libag-dev_<version>_<arch>.deb, which `apt-get install ./libag-dev_*.deb` installs with the Debian
# packages it needs.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME libag-dev)
set(CPACK_PACKAGE_CONTACT "ag developers <ag@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}: headers and libraries")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "ag::autograd (tensors, the graph, ops, the engine) and ag::nn (modules, \
layers, losses, optimisers, data) as static and shared libraries, with their headers, their CMake package \
(find_package(ag)) and their pkg-config files (ag-autograd, ag-nn).")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
# The -dev packages, which the headers and the CMake package use; dpkg-shlibdeps adds the runtime libraries.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libfmt-dev, libopenblas-dev, libdnnl-dev, zlib1g-dev")
if(AG_WITH_DISTRIBUTED)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libopenmpi-dev")
endif()
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The install script runs with the package's own prefix (/usr) in CMAKE_INSTALL_PREFIX, as the pkg-config files need.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
include(CPack)
