#pragma once
// The one way a harness reports a broken property: say which, then trap, so libFuzzer
// saves the input as a crash artifact and the CI run fails.

#include <cstdio>
#include <cstdlib>

/// Aborts the fuzzer with `what` on stderr when `condition` is false. Unlike assert it is
/// never compiled out (the fuzz preset may define NDEBUG).
#define PARLEY_FUZZ_CHECK(condition, what)                                                          \
    do {                                                                                            \
        if (!(condition)) {                                                                         \
            std::fprintf(stderr, "property failed: %s (%s:%d: %s)\n", what, __FILE__, __LINE__,     \
                         #condition);                                                               \
            std::fflush(stderr);                                                                    \
            __builtin_trap();                                                                       \
        }                                                                                           \
    } while (0)
