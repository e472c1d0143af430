# KILTER_SANITIZE=address,undefined | thread: every target of the build, our own and
# the tests, is instrumented (third-party libraries come from Debian as they are).
# KILTER_FUZZ=ON (clang): the same with libFuzzer's coverage instrumentation, and the
# targets of tests/fuzz linked against libFuzzer's main; without it those targets
# are built with a main of their own that replays their seed corpus (a ctest test).
if(KILTER_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KILTER_FUZZ needs clang (configure with -DCMAKE_CXX_COMPILER=clang++)")
  endif()
  if(KILTER_SANITIZE)
    message(FATAL_ERROR "KILTER_FUZZ brings its own sanitizers (address,undefined): leave KILTER_SANITIZE empty")
  endif()
  set(KILTER_SANITIZE "address,undefined")
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(KILTER_SANITIZE)
  add_compile_options(-fsanitize=${KILTER_SANITIZE} -fno-omit-frame-pointer -g1)
  add_link_options(-fsanitize=${KILTER_SANITIZE})
  if(KILTER_SANITIZE MATCHES "undefined")
    # A UBSan finding fails the test (or the fuzz run) instead of scrolling by.
    add_compile_options(-fno-sanitize-recover=all)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12's sanitizer instrumentation makes -Wmaybe-uninitialized report false
    # positives in library headers (Boost.Beast's parser, std::regex); it stays a
    # warning there. The Release build keeps it an error.
    add_compile_options(-Wno-error=maybe-uninitialized)
    if(KILTER_SANITIZE MATCHES "thread")
      # Boost.Asio's fenced blocks use atomic_thread_fence, which GCC says TSan
      # does not model (-Wtsan); the warning is about the library, not our code.
      add_compile_options(-Wno-tsan)
    endif()
  endif()
endif()
