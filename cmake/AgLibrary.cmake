include(GNUInstallDirs)

# ag_add_library(<name> <source>...): the library <name> twice, from the same sources and public headers
# (<name>/include):
#   ag_<name>         shared, libag_<name>.so.<major>.<minor> (the SONAME: while 0.x, a minor release may break the
#                     ABI), exported and aliased as ag::<name>, the one consumers get by default, as LibTorch's do;
#   ag_<name>_static  static, libag_<name>.a, exported and aliased as ag::<name>_static. The examples, tests and
#                     benchmarks link this one.
# They are compiled apart: the static library keeps the code the benchmarks measure (no -fPIC, and so no
# interposable calls or global-dynamic thread_local accesses), at the price of compiling the sources twice.
# Dependencies are the caller's to add, to both (ag_<name>_static on ag_<other>_static).
#
# A subproject that does not install ag builds only the variant its targets link.
function(ag_add_library name)
  set(include_dir ${CMAKE_CURRENT_SOURCE_DIR}/include)
  set(shared ag_${name})
  set(static ag_${name}_static)
  add_library(${shared} SHARED ${ARGN})
  add_library(${static} STATIC ${ARGN})
  add_library(ag::${name} ALIAS ${shared})
  add_library(ag::${name}_static ALIAS ${static})
  set_target_properties(${shared} PROPERTIES
    EXPORT_NAME ${name}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
    # Only what the public headers declare is exported: they wrap it in #pragma GCC visibility push(default)
    # (autograd/detail/public_api.hpp); kernels and other internals stay private to the library.
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    # libag_nn finds libag_autograd beside itself, wherever the prefix is.
    INSTALL_RPATH "$ORIGIN")
  set_target_properties(${static} PROPERTIES EXPORT_NAME ${name}_static)
  foreach(target ${shared} ${static})
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ag_${name})
    target_include_directories(${target}
      PUBLIC $<BUILD_INTERFACE:${include_dir}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
      PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_compile_features(${target} PUBLIC cxx_std_20)
    if(AG_FUZZ OR NOT AG_INSTALL)
      set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL ON)
    endif()
  endforeach()
endfunction()
