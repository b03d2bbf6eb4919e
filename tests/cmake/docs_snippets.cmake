# cmake -DSOURCE_DIR=<repo> -P docs_snippets.cmake
#
# Keeps the C++ in the docs honest. In docs/examples/*.cc, code between "// [START name]" and
# "// [END name]" is a snippet; ctest compiles and runs those files. This script checks that
# each snippet (with the marker's indentation removed) appears verbatim in its document, and
# that the document has no other ```cpp block.
cmake_minimum_required(VERSION 3.25)
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "docs_snippets.cmake: SOURCE_DIR is not set")
endif()

function(check_snippets source doc)
  file(READ "${SOURCE_DIR}/${source}" code)
  file(READ "${SOURCE_DIR}/${doc}" text)
  set(snippets 0)
  while(TRUE)
    string(FIND "${code}" "// [START " start)
    if(start EQUAL -1)
      break()
    endif()
    # The marker's indentation is removed from every line of the snippet.
    string(SUBSTRING "${code}" 0 ${start} before)
    string(FIND "${before}" "\n" line_begin REVERSE)
    math(EXPR line_begin "${line_begin} + 1")
    math(EXPR indent_length "${start} - ${line_begin}")
    string(SUBSTRING "${code}" ${line_begin} ${indent_length} indent)

    string(SUBSTRING "${code}" ${start} -1 code)
    string(FIND "${code}" "]" name_end)
    math(EXPR name_length "${name_end} - 10")  # 10 = length of "// [START "
    string(SUBSTRING "${code}" 10 ${name_length} name)
    string(FIND "${code}" "\n" eol)
    math(EXPR eol "${eol} + 1")
    string(SUBSTRING "${code}" ${eol} -1 code)

    string(FIND "${code}" "${indent}// [END ${name}]" end)
    if(end EQUAL -1)
      message(FATAL_ERROR "${source}: [START ${name}] has no [END ${name}]")
    endif()
    string(SUBSTRING "${code}" 0 ${end} body)
    string(SUBSTRING "${code}" ${end} -1 code)
    if(NOT indent STREQUAL "")
      string(REPLACE "\n${indent}" "\n" body "\n${body}")
      string(SUBSTRING "${body}" 1 -1 body)
    endif()

    math(EXPR snippets "${snippets} + 1")
    string(FIND "${text}" "${body}" found)
    if(found EQUAL -1)
      message(SEND_ERROR "snippet '${name}' of ${source} is not in ${doc} verbatim:\n${body}")
    endif()
  endwhile()

  string(REGEX MATCHALL "```cpp\n" blocks "${text}")
  list(LENGTH blocks block_count)
  if(NOT block_count EQUAL snippets)
    message(SEND_ERROR
      "${doc} has ${block_count} ```cpp blocks but ${source} has ${snippets} snippets")
  endif()
  message(STATUS "${doc}: ${snippets} snippets from ${source}")
endfunction()

check_snippets(docs/examples/readme_example.cc README.md)
check_snippets(docs/examples/guide_examples.cc docs/guide.md)

# The options table in the guide lists every field of options.h with its documented default,
# as a row starting "| `field` | <default> |".
file(READ "${SOURCE_DIR}/include/puppies/options.h" options_h)
file(READ "${SOURCE_DIR}/docs/guide.md" guide)
string(REPLACE ";" "" options_h "${options_h}")
string(REGEX MATCHALL "Default: [^\n]+\\.\n  [A-Za-z_:<>0-9]+ [a-z_]+" fields "${options_h}")
list(LENGTH fields field_count)
if(field_count LESS 10)
  message(SEND_ERROR "found only ${field_count} documented fields in options.h")
endif()
foreach(field IN LISTS fields)
  string(REGEX REPLACE "^Default: ([^\n]+)\\.\n.* ([a-z_]+)$" "\\1" default "${field}")
  string(REGEX REPLACE "^Default: ([^\n]+)\\.\n.* ([a-z_]+)$" "\\2" name "${field}")
  string(FIND "${guide}" "| `${name}` | ${default} |" row)
  if(row EQUAL -1)
    message(SEND_ERROR "docs/guide.md has no options row \"| `${name}` | ${default} |\"")
  endif()
endforeach()
message(STATUS "docs/guide.md: ${field_count} options rows match options.h")
