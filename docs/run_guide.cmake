# Runs a guide's program (cmake -DPROGRAM=... -DEXPECTED=... -DGUIDE=... -P run_guide.cmake, from docs/CMakeLists.txt):
# it must exit 0, and when the guide has ```output blocks, print exactly what they show.
cmake_minimum_required(VERSION 3.21)

execute_process(COMMAND "${PROGRAM}" OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(NOTICE "${errors}--- its output:\n${output}---")
  message(FATAL_ERROR "${GUIDE}: the program exited with ${status}")
endif()

file(READ "${EXPECTED}" expected)
if(expected STREQUAL "")
  message(STATUS "${GUIDE}: ran (it has no ```output blocks to compare)")
  return()
endif()
if(output STREQUAL expected)
  message(STATUS "${GUIDE}: the output is the guide's, line for line")
  return()
endif()

# The first line that differs, found with string(FIND): as a CMake list, the output's semicolons would split lines.
set(line_number 1)
while(TRUE)
  string(FIND "${expected}" "\n" expected_end)
  string(FIND "${output}" "\n" output_end)
  string(SUBSTRING "${expected}" 0 ${expected_end} expected_line)
  string(SUBSTRING "${output}" 0 ${output_end} output_line)
  if(NOT expected_line STREQUAL output_line OR expected_end EQUAL -1 OR output_end EQUAL -1)
    break()
  endif()
  math(EXPR expected_end "${expected_end} + 1")
  math(EXPR output_end "${output_end} + 1")
  string(SUBSTRING "${expected}" ${expected_end} -1 expected)
  string(SUBSTRING "${output}" ${output_end} -1 output)
  math(EXPR line_number "${line_number} + 1")
endwhile()
message(NOTICE "Line ${line_number} of the output blocks:\n  the guide shows:      ${expected_line}\n"
               "  the program printed:  ${output_line}")
message(FATAL_ERROR "${GUIDE}: the program's output differs from the guide's ```output blocks")
