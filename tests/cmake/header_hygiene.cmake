# cmake -DCXX=<compiler> -DSOURCE_INCLUDE=<src>/include -DBINARY_INCLUDE=<build>/include
#       -DWORK_DIR=<scratch dir> -P header_hygiene.cmake
#
# Proves that each public header in include/puppies/ (and the generated ones) stands alone and
# depends only on the standard library:
#   1. a .cc that includes only that header compiles with -Wall -Wextra -Werror, given nothing
#      but -I include -I <build>/include;
#   2. every file the compiler reads for it (-M) is one of ours or one that the standard
#      library itself reads (measured on a .cc that includes every standard header). This is
#      what catches <rocksdb/...>, <boost/...> or <fmt/...>, which sit on the default path.
cmake_minimum_required(VERSION 3.25)
foreach(var CXX SOURCE_INCLUDE BINARY_INCLUDE WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "header_hygiene.cmake: ${var} is not set")
  endif()
endforeach()

set(flags -std=c++20 -Wall -Wextra -Werror -I${SOURCE_INCLUDE} -I${BINARY_INCLUDE})
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# The files a translation unit reads, as real paths.
function(dependencies tu out_var)
  execute_process(COMMAND ${CXX} ${flags} -M ${tu}
    RESULT_VARIABLE rc OUTPUT_VARIABLE make_rule ERROR_VARIABLE errors)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${CXX} -M ${tu} failed:\n${errors}")
  endif()
  string(REPLACE "\\\n" " " make_rule "${make_rule}")
  separate_arguments(words UNIX_COMMAND "${make_rule}")
  list(POP_FRONT words)  # "<target>:"
  set(paths)
  foreach(word IN LISTS words)
    file(REAL_PATH "${word}" path)
    list(APPEND paths "${path}")
  endforeach()
  list(REMOVE_ITEM paths "${tu}")
  set(${out_var} "${paths}" PARENT_SCOPE)
endfunction()

# Every C++20 standard header this compiler has.
set(std_headers
  algorithm any array atomic barrier bit bitset cassert cctype cerrno cfenv cfloat charconv
  chrono cinttypes climits clocale cmath codecvt compare complex concepts condition_variable
  coroutine csetjmp csignal cstdarg cstddef cstdint cstdio cstdlib cstring ctime cuchar cwchar
  cwctype deque exception execution filesystem format forward_list fstream functional future
  initializer_list iomanip ios iosfwd iostream istream iterator latch limits list locale map
  memory memory_resource mutex new numbers numeric optional ostream queue random ranges ratio
  regex scoped_allocator semaphore set shared_mutex source_location span sstream stack
  stdexcept stop_token streambuf string string_view syncstream system_error thread tuple
  type_traits typeindex typeinfo unordered_map unordered_set utility valarray variant vector
  version)
set(std_tu "${WORK_DIR}/standard_library.cc")
set(text "")
foreach(h IN LISTS std_headers)
  string(APPEND text "#if __has_include(<${h}>)\n#include <${h}>\n#endif\n")
endforeach()
file(WRITE "${std_tu}" "${text}")
dependencies("${std_tu}" allowed)

file(GLOB headers RELATIVE "${SOURCE_INCLUDE}" "${SOURCE_INCLUDE}/puppies/*.h")
file(GLOB generated RELATIVE "${BINARY_INCLUDE}" "${BINARY_INCLUDE}/puppies/*.h")
list(APPEND headers ${generated})
list(REMOVE_DUPLICATES headers)
list(SORT headers)
if(NOT headers)
  message(FATAL_ERROR "no headers in ${SOURCE_INCLUDE}/puppies")
endif()

file(REAL_PATH "${SOURCE_INCLUDE}/puppies" ours_src)
file(REAL_PATH "${BINARY_INCLUDE}/puppies" ours_bin)
set(failed 0)
foreach(header IN LISTS headers)
  string(MAKE_C_IDENTIFIER "${header}" stem)
  set(tu "${WORK_DIR}/${stem}.cc")
  file(WRITE "${tu}" "#include \"${header}\"\n")
  execute_process(COMMAND ${CXX} ${flags} -fsyntax-only ${tu}
    RESULT_VARIABLE rc OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT rc EQUAL 0)
    message(SEND_ERROR "${header} does not compile on its own:\n${output}")
    math(EXPR failed "${failed} + 1")
    continue()
  endif()
  dependencies("${tu}" deps)
  set(foreign)
  foreach(dep IN LISTS deps)
    string(FIND "${dep}" "${ours_src}/" in_src)
    string(FIND "${dep}" "${ours_bin}/" in_bin)
    if(in_src EQUAL 0 OR in_bin EQUAL 0)
      continue()
    endif()
    list(FIND allowed "${dep}" index)
    if(index EQUAL -1)
      list(APPEND foreign "${dep}")
    endif()
  endforeach()
  if(foreign)
    list(JOIN foreign "\n  " foreign)
    message(SEND_ERROR "${header} includes more than the standard library:\n  ${foreign}")
    math(EXPR failed "${failed} + 1")
  else()
    message(STATUS "ok: ${header}")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "${failed} public header(s) failed the hygiene check")
endif()
