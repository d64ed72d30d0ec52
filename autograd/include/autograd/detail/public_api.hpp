#pragma once

// Included first by every public header, which then wraps its declarations in
//   #pragma GCC visibility push(default) ... #pragma GCC visibility pop
// The libraries are compiled with hidden visibility, so what the public headers declare is exactly what the shared
// libraries export; kernels and other internals stay private to them.

// ag is C++20 (concepts, std::span, designated initialisers). An older standard gets this one clear error instead of
// dozens from inside the headers: a missing include stops the compiler at once, where #error would let it go on.
#if __cplusplus < 202002L
#include "ag needs C++20: compile with -std=c++20 (in CMake, link ag::autograd or ag::nn, which require cxx_std_20)"
#endif
