# embed.cmake - writes OUT, a C file defining the bytes of the file IN as
#   const unsigned char NAME[] (NUL-terminated) and const size_t NAME_len,
# so that a data file of the project is part of the binary (no installed path
# to find at run time). Usage:
#   cmake -DIN=file -DOUT=file.c -DNAME=symbol -DHEADER=path/to.h -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n    " bytes "${bytes}")
get_filename_component(in_name "${IN}" NAME)
file(WRITE "${OUT}"
  "/* Generated from ${in_name} by cmake/embed.cmake: do not edit. */\n"
  "#include \"${HEADER}\"\n\n"
  "const unsigned char ${NAME}[] = {\n    ${bytes}0x00};\n"
  "const size_t ${NAME}_len = ${len};\n")
