# cmake -DEXE=<program> -DDIR=<directory> -P run_in_fresh_dir.cmake
# Runs EXE with DIR as its only argument after removing DIR, so every run starts from an empty
# database, then removes DIR again. Fails when EXE does.
cmake_minimum_required(VERSION 3.25)
foreach(var EXE DIR)
  if(NOT ${var})
    message(FATAL_ERROR "run_in_fresh_dir.cmake: ${var} is not set")
  endif()
endforeach()
file(REMOVE_RECURSE "${DIR}")
execute_process(COMMAND "${EXE}" "${DIR}" RESULT_VARIABLE rc)
file(REMOVE_RECURSE "${DIR}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} ${DIR} failed: ${rc}")
endif()
