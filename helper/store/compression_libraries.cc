// SPDX-License-Identifier: LGPL-2.1-or-later
// zlib and libzstd for libarchive's gzip and zstd filters, loaded when a layer
// is first decompressed instead of linked (core/shared_library.h says why: the
// two cost ~0.4 ms at every start of ctapp on a machine of ours, and a restart
// of an app whose image is unpacked decompresses nothing). libarchive, linked
// statically, calls these functions by name; ctapp defines each one as a
// forwarder to the library's own. The executable does not export them, so a
// libcurl loaded later still gets zlib's.
#include <zlib.h>
#include <zstd.h>

#include <mutex>

#include "core/log.h"
#include "core/shared_library.h"

namespace ctapp {
namespace {

struct Zlib {
  decltype(&::inflateInit2_) inflate_init2;
  decltype(&::inflate) inflate;
  decltype(&::inflateEnd) inflate_end;
  decltype(&::crc32) crc32;
};

struct Zstd {
  decltype(&::ZSTD_DStreamOutSize) out_size;
  decltype(&::ZSTD_createDStream) create;
  decltype(&::ZSTD_initDStream) init;
  decltype(&::ZSTD_decompressStream) decompress;
  decltype(&::ZSTD_freeDStream) free;
  decltype(&::ZSTD_isError) is_error;
  decltype(&::ZSTD_getErrorName) error_name;
};

// The library, or nullptr after logging why it cannot be used (libarchive
// then fails the layer with its own message).
template <typename Library>
const Library* loaded(const Result<Library>& library) {
  if (library) return &*library;
  static std::once_flag logged;
  std::call_once(logged, [&] { log(LogLevel::kErr, "{}", library.error().message); });
  return nullptr;
}

const Zlib* zlib() {
  static const Result<Zlib> library = []() -> Result<Zlib> {  // once, thread-safe
    auto handle = load_shared_library("libz.so.1", "to decompress gzip layers", "zlib1g");
    if (!handle) return std::unexpected(handle.error());
    Zlib zlib{};
    if (!resolve(*handle, "inflateInit2_", zlib.inflate_init2) || !resolve(*handle, "inflate", zlib.inflate) ||
        !resolve(*handle, "inflateEnd", zlib.inflate_end) || !resolve(*handle, "crc32", zlib.crc32))
      return fail("libz.so.1 lacks a function ctapp needs: {}", ::dlerror());
    return zlib;
  }();
  return loaded(library);
}

const Zstd* zstd() {
  static const Result<Zstd> library = []() -> Result<Zstd> {
    auto handle = load_shared_library("libzstd.so.1", "to decompress zstd layers", "libzstd1");
    if (!handle) return std::unexpected(handle.error());
    Zstd zstd{};
    if (!resolve(*handle, "ZSTD_DStreamOutSize", zstd.out_size) ||
        !resolve(*handle, "ZSTD_createDStream", zstd.create) || !resolve(*handle, "ZSTD_initDStream", zstd.init) ||
        !resolve(*handle, "ZSTD_decompressStream", zstd.decompress) ||
        !resolve(*handle, "ZSTD_freeDStream", zstd.free) || !resolve(*handle, "ZSTD_isError", zstd.is_error) ||
        !resolve(*handle, "ZSTD_getErrorName", zstd.error_name))
      return fail("libzstd.so.1 lacks a function ctapp needs: {}", ::dlerror());
    return zstd;
  }();
  return loaded(library);
}

// What the forwarders answer without the library: an error code each caller
// checks (and a stream that is never created).
constexpr size_t kZstdUnavailable = static_cast<size_t>(-1);

}  // namespace
}  // namespace ctapp

extern "C" {

int inflateInit2_(z_streamp stream, int window_bits, const char* version, int stream_size) {
  auto* zlib = ctapp::zlib();
  return zlib ? zlib->inflate_init2(stream, window_bits, version, stream_size) : Z_VERSION_ERROR;
}

int inflate(z_streamp stream, int flush) {
  auto* zlib = ctapp::zlib();
  return zlib ? zlib->inflate(stream, flush) : Z_STREAM_ERROR;
}

int inflateEnd(z_streamp stream) {
  auto* zlib = ctapp::zlib();
  return zlib ? zlib->inflate_end(stream) : Z_STREAM_ERROR;
}

uLong crc32(uLong crc, const Bytef* buffer, uInt length) {
  auto* zlib = ctapp::zlib();
  return zlib ? zlib->crc32(crc, buffer, length) : 0;
}

size_t ZSTD_DStreamOutSize(void) {
  auto* zstd = ctapp::zstd();
  return zstd ? zstd->out_size() : 128 * 1024;
}

ZSTD_DStream* ZSTD_createDStream(void) {
  auto* zstd = ctapp::zstd();
  return zstd ? zstd->create() : nullptr;
}

size_t ZSTD_initDStream(ZSTD_DStream* stream) {
  auto* zstd = ctapp::zstd();
  return zstd ? zstd->init(stream) : ctapp::kZstdUnavailable;
}

size_t ZSTD_decompressStream(ZSTD_DStream* stream, ZSTD_outBuffer* output, ZSTD_inBuffer* input) {
  auto* zstd = ctapp::zstd();
  return zstd ? zstd->decompress(stream, output, input) : ctapp::kZstdUnavailable;
}

size_t ZSTD_freeDStream(ZSTD_DStream* stream) {
  auto* zstd = ctapp::zstd();
  return zstd ? zstd->free(stream) : 0;
}

unsigned ZSTD_isError(size_t code) {
  auto* zstd = ctapp::zstd();
  return zstd ? zstd->is_error(code) : code == ctapp::kZstdUnavailable;
}

const char* ZSTD_getErrorName(size_t code) {
  auto* zstd = ctapp::zstd();
  return zstd ? zstd->error_name(code) : "libzstd.so.1 could not be loaded";
}

}  // extern "C"
