# Generates a C table of ISO 3166-1 alpha-3 codes and names from Debian's
# iso-codes JSON (cmake -DIN=iso_3166-1.json -DOUT=iso3166.c -P this).
# The table is sorted by alpha3 for binary search; its declarations live in
# store/record/iso3166.h, which the output includes (the source dir must be on the
# include path). Names are kept out of CMake lists, so ';', '[' or ']' in a
# name cannot split or regroup rows.
file(READ "${IN}" json)
string(JSON n LENGTH "${json}" "3166-1")
if(n EQUAL 0)
  message(FATAL_ERROR "${IN}: no ISO 3166-1 entries")
endif()
math(EXPR last "${n} - 1")
set(codes "")
string(ASCII 1 ctl_lo)
string(ASCII 31 ctl_hi)
foreach(i RANGE ${last})
  string(JSON code GET "${json}" "3166-1" ${i} "alpha_3")
  string(JSON name GET "${json}" "3166-1" ${i} "name")
  if(NOT code MATCHES "^[A-Z][A-Z][A-Z]$")
    message(FATAL_ERROR "${IN}: bad alpha_3 code '${code}'")
  endif()
  if(DEFINED name_${code})
    message(FATAL_ERROR "${IN}: duplicate alpha_3 code '${code}'")
  endif()
  if(name MATCHES "[${ctl_lo}-${ctl_hi}]")
    message(FATAL_ERROR "${IN}: control character in the name of '${code}'")
  endif()
  # C string literal: escape backslashes, quotes and '?' (trigraphs).
  string(REPLACE "\\" "\\\\" name "${name}")
  string(REPLACE "\"" "\\\"" name "${name}")
  string(REPLACE "?" "\\?" name "${name}")
  set(name_${code} "${name}")
  list(APPEND codes "${code}")
endforeach()
list(SORT codes)
list(LENGTH codes count)
set(body "")
foreach(code IN LISTS codes)
  string(APPEND body "    {\"${code}\", \"${name_${code}}\"},\n")
endforeach()
file(WRITE "${OUT}" "/* Generated from ${IN} by cmake/gen_iso3166.cmake. Do not edit. */\n"
  "#include \"store/record/iso3166.h\"\n"
  "\n"
  "const struct ccm_iso3166 ccm_iso3166_table[] = {\n${body}};\n"
  "const size_t ccm_iso3166_count = ${count};\n")
