# Warnings and sanitizers for this project's own build, included only when it is the top level: they are directory
# settings of the build, never usage requirements, so no consumer of the libraries inherits them.

add_compile_options(-Wall -Wextra -Wpedantic)
if(AG_WERROR)
  add_compile_options(-Werror)
endif()
if(AG_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  # GCC 12 reports false maybe-uninitialized warnings inside libstdc++ (std::regex, used by Catch2) under ASan.
  add_compile_options(-Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
  # The block cache would hide use-after-free from ASan: every block goes straight back to malloc instead.
  add_compile_definitions(AG_NO_POOL)
endif()

if(AG_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(AG_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AG_FUZZ needs clang for libFuzzer: configure with -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(AG_NO_POOL)
endif()
