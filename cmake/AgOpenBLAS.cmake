# OpenBLAS as the imported target ag::OpenBLAS. Debian's OpenBLAS (0.3.21) ships a CMake package with variables only
# (OpenBLAS_LIBRARIES, OpenBLAS_INCLUDE_DIRS), and a variable would be written into our exported targets as the
# absolute path found on the machine that built them; a target is looked up again on the consumer's machine, by
# agConfig.cmake, which includes this file too after finding OpenBLAS.

if(NOT OpenBLAS_FOUND)
  find_package(OpenBLAS CONFIG REQUIRED)
endif()
if(NOT TARGET ag::OpenBLAS)
  add_library(ag::OpenBLAS INTERFACE IMPORTED)
  if(TARGET OpenBLAS::OpenBLAS)  # the target that newer OpenBLAS packages define
    target_link_libraries(ag::OpenBLAS INTERFACE OpenBLAS::OpenBLAS)
  else()
    target_link_libraries(ag::OpenBLAS INTERFACE ${OpenBLAS_LIBRARIES})
    # A system directory, so that warnings inside OpenBLAS's own headers are not reported as ours.
    target_include_directories(ag::OpenBLAS SYSTEM INTERFACE ${OpenBLAS_INCLUDE_DIRS})
  endif()
endif()
