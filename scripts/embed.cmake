# Writes a C++ source holding a file's bytes: cmake -DIN=file -DOUT=out.cpp -DSYMBOL=name -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR bytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," arr "${hex}")
file(WRITE "${OUT}" "// Generated from ${IN} by scripts/embed.cmake; do not edit.\n#include <cstddef>\nnamespace fs {\nextern const unsigned char ${SYMBOL}[];\nextern const size_t ${SYMBOL}_size;\nconst unsigned char ${SYMBOL}[] = {${arr}};\nconst size_t ${SYMBOL}_size = ${bytes};\n}  // namespace fs\n")
