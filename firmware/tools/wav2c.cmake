# Build-time converter: a 16-bit PCM mono WAV -> a C source holding its samples.
#   cmake -DWAV=in.wav -DOUT=recording.c [-DNAME=earshot_recording] -P wav2c.cmake
# Writes
#   const uint16_t NAME[] (the int16 samples' bit patterns; read them as int16_t)
#   const uint32_t NAME_samples, NAME_rate
# Anything but PCM 16-bit mono (or WAVE_FORMAT_EXTENSIBLE with that content)
# is an error naming the file: the firmware has no resampler or downmixer, so
# the recording must already be at the model's rate (earshot generate writes so).
cmake_minimum_required(VERSION 3.20)
if(NOT WAV OR NOT OUT)
  message(FATAL_ERROR "usage: cmake -DWAV=in.wav -DOUT=out.c [-DNAME=symbol] -P wav2c.cmake")
endif()
if(NOT NAME)
  set(NAME earshot_recording)
endif()
file(READ "${WAV}" hex HEX)
string(LENGTH "${hex}" hex_len)

# Little-endian unsigned integer of BYTES bytes at byte offset OFF.
function(le_uint out off bytes)
  math(EXPR pos "${off} * 2")
  set(v "")
  foreach(i RANGE 1 ${bytes})
    math(EXPR p "${pos} + (${bytes} - ${i}) * 2")
    string(SUBSTRING "${hex}" ${p} 2 b)
    string(APPEND v "${b}")
  endforeach()
  math(EXPR v "0x${v}")
  set(${out} ${v} PARENT_SCOPE)
endfunction()

if(hex_len LESS 24)
  message(FATAL_ERROR "${WAV}: too short for a WAV file")
endif()
string(SUBSTRING "${hex}" 0 8 riff)
string(SUBSTRING "${hex}" 16 8 wave)
if(NOT riff STREQUAL "52494646" OR NOT wave STREQUAL "57415645")
  message(FATAL_ERROR "${WAV}: not a RIFF/WAVE file")
endif()

set(off 12)
set(data_off -1)
math(EXPR file_bytes "${hex_len} / 2")
while(off LESS file_bytes)
  math(EXPR body "${off} + 8")
  if(body GREATER file_bytes)
    break()
  endif()
  math(EXPR id_pos "${off} * 2")
  string(SUBSTRING "${hex}" ${id_pos} 8 id)
  math(EXPR size_off "${off} + 4")
  le_uint(size ${size_off} 4)
  math(EXPR end "${body} + ${size}")
  if(end GREATER file_bytes)
    message(FATAL_ERROR "${WAV}: chunk at byte ${off} runs past the end of the file")
  endif()
  if(id STREQUAL "666d7420")  # "fmt "
    le_uint(format ${body} 2)
    math(EXPR o "${body} + 2")
    le_uint(channels ${o} 2)
    math(EXPR o "${body} + 4")
    le_uint(rate ${o} 4)
    math(EXPR o "${body} + 14")
    le_uint(bits ${o} 2)
    if(format EQUAL 65534 AND size GREATER_EQUAL 40)  # WAVE_FORMAT_EXTENSIBLE: the subformat's first two bytes
      math(EXPR o "${body} + 24")
      le_uint(format ${o} 2)
    endif()
  elseif(id STREQUAL "64617461")  # "data"
    set(data_off ${body})
    set(data_bytes ${size})
  endif()
  math(EXPR off "${end} + (${size} % 2)")  # chunks are padded to even sizes
endwhile()

if(NOT DEFINED format)
  message(FATAL_ERROR "${WAV}: no fmt chunk")
endif()
if(NOT format EQUAL 1 OR NOT bits EQUAL 16 OR NOT channels EQUAL 1)
  message(FATAL_ERROR "${WAV}: need 16-bit PCM mono, found format ${format}, ${bits} bits, ${channels} channels")
endif()
if(data_off LESS 0)
  message(FATAL_ERROR "${WAV}: no data chunk")
endif()
math(EXPR samples "${data_bytes} / 2")
math(EXPR pos "${data_off} * 2")
math(EXPR len "${samples} * 4")
string(SUBSTRING "${hex}" ${pos} ${len} data)
# Little-endian byte pairs -> 0xHHLL, sixteen to a line.
string(REGEX REPLACE "(..)(..)" "0x\\2\\1," data "${data}")
string(REGEX REPLACE "(0x....,0x....,0x....,0x....,0x....,0x....,0x....,0x....,0x....,0x....,0x....,0x....,0x....,0x....,0x....,0x....,)" "\\1\n" data "${data}")
get_filename_component(wav_name "${WAV}" NAME)
file(WRITE "${OUT}.tmp"
  "// Generated from ${wav_name} by firmware/tools/wav2c.cmake; do not edit.\n"
  "#include <stdint.h>\n\n"
  "const uint32_t ${NAME}_samples = ${samples};\n"
  "const uint32_t ${NAME}_rate = ${rate};\n"
  "__attribute__((aligned(4))) const uint16_t ${NAME}[${samples} + 1] = {\n${data}0};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
