# Generates a C table of ISO 3166-1 alpha-3 codes and names from Debian's
# iso-codes JSON (cmake -DIN=iso_3166-1.json -DOUT=iso3166.c -P this).
file(READ "${IN}" json)
string(JSON n LENGTH "${json}" "3166-1")
math(EXPR last "${n} - 1")
set(rows "")
foreach(i RANGE ${last})
  string(JSON code GET "${json}" "3166-1" ${i} "alpha_3")
  string(JSON name GET "${json}" "3166-1" ${i} "name")
  string(REPLACE "\\" "\\\\" name "${name}")
  string(REPLACE "\"" "\\\"" name "${name}")
  list(APPEND rows "${code}\t${name}")
endforeach()
list(SORT rows)
set(body "")
foreach(row IN LISTS rows)
  string(REPLACE "\t" ";" parts "${row}")
  list(GET parts 0 code)
  list(GET parts 1 name)
  string(APPEND body "    {\"${code}\", \"${name}\"},\n")
endforeach()
file(WRITE "${OUT}" "/* Generated from ${IN} by cmake/gen_iso3166.cmake. Do not edit. */\n"
  "#include <stddef.h>\n"
  "struct ccm_iso3166 { const char *alpha3; const char *name; };\n"
  "extern const struct ccm_iso3166 ccm_iso3166_table[];\n"
  "extern const size_t ccm_iso3166_count;\n"
  "const struct ccm_iso3166 ccm_iso3166_table[] = {\n${body}};\n"
  "const size_t ccm_iso3166_count = ${n};\n")
