# oneDNN as the imported target ag::Dnnl: the float32 matrix products' kernels (and the convolutions'), which pick the
# CPU's best instruction set at run time. Like AgOpenBLAS.cmake, ag-config.cmake includes this file again on the
# consumer's machine, so that the static libraries' link line names targets found there, not paths found here.
#
# oneDNN runs its kernels on the threading runtime it was built with (Debian's: OpenMP, GNU's libgomp); ag calls that
# runtime's omp_set_num_threads so that ag::set_num_threads governs oneDNN as it governs OpenBLAS, and so links it.
# Only the link: ag's own sources are not compiled with -fopenmp (omp.h comes with the compiler).

if(NOT dnnl_FOUND)
  find_package(dnnl CONFIG REQUIRED)
endif()
if(NOT TARGET ag::Dnnl)
  add_library(ag::Dnnl INTERFACE IMPORTED)
  target_link_libraries(ag::Dnnl INTERFACE DNNL::dnnl)
  if(DNNL_CPU_THREADING_RUNTIME STREQUAL "OMP")
    find_package(OpenMP REQUIRED COMPONENTS CXX)
    target_link_libraries(ag::Dnnl INTERFACE $<LINK_ONLY:OpenMP::OpenMP_CXX>)
    target_compile_definitions(ag::Dnnl INTERFACE AG_DNNL_OPENMP)
  endif()
endif()
