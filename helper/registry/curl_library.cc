// SPDX-License-Identifier: LGPL-2.1-or-later
#include "registry/curl_library.h"

#include "core/shared_library.h"

namespace ctapp {
namespace {

constexpr const char* kSoname = "libcurl.so.4";

Result<CurlLibrary> load() {
  // Lazy binding: libcurl and the thirty libraries it needs (TLS, Kerberos,
  // LDAP, RTMP...) would otherwise have every function bound now, which was
  // 8% of a small pull + unpack; the functions ctapp calls are checked below.
  auto loaded = load_shared_library(kSoname, "to talk to registries", "libcurl4");
  if (!loaded) return std::unexpected(loaded.error());
  void* handle = *loaded;
  CurlLibrary library{};
  bool complete = resolve(handle, "curl_global_init", library.global_init) &&
                  resolve(handle, "curl_easy_init", library.easy_init) &&
                  resolve(handle, "curl_easy_cleanup", library.easy_cleanup) &&
                  resolve(handle, "curl_easy_reset", library.easy_reset) &&
                  resolve(handle, "curl_easy_setopt", library.easy_setopt) &&
                  resolve(handle, "curl_easy_perform", library.easy_perform) &&
                  resolve(handle, "curl_easy_getinfo", library.easy_getinfo) &&
                  resolve(handle, "curl_easy_strerror", library.easy_strerror) &&
                  resolve(handle, "curl_slist_append", library.slist_append) &&
                  resolve(handle, "curl_slist_free_all", library.slist_free_all);
  if (!complete) return fail("{} lacks a function ctapp needs: {}", kSoname, ::dlerror());
  if (library.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return fail("cannot initialise {}", kSoname);
  return library;  // the handle stays open for the life of the process
}

}  // namespace

Result<const CurlLibrary*> curl_library() { return load_once<CurlLibrary, load>(); }

}  // namespace ctapp
