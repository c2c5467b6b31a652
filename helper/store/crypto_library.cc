// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/crypto_library.h"

#include "core/shared_library.h"

namespace ctapp {
namespace {

constexpr const char* kSoname = "libcrypto.so.3";

Result<CryptoLibrary> load() {
  auto handle = load_shared_library(kSoname, "to check digests", "libssl3");
  if (!handle) return std::unexpected(handle.error());
  CryptoLibrary library{};
  bool complete = resolve(*handle, "EVP_MD_CTX_new", library.md_ctx_new) &&
                  resolve(*handle, "EVP_MD_CTX_free", library.md_ctx_free) &&
                  resolve(*handle, "EVP_sha256", library.sha256) &&
                  resolve(*handle, "EVP_DigestInit_ex", library.digest_init) &&
                  resolve(*handle, "EVP_DigestUpdate", library.digest_update) &&
                  resolve(*handle, "EVP_DigestFinal_ex", library.digest_final) &&
                  resolve(*handle, "EVP_EncodeBlock", library.encode_block) &&
                  resolve(*handle, "EVP_DecodeBlock", library.decode_block);
  if (!complete) return fail("{} lacks a function ctapp needs: {}", kSoname, ::dlerror());
  return library;
}

}  // namespace

Result<const CryptoLibrary*> crypto_library() { return load_once<CryptoLibrary, load>(); }

}  // namespace ctapp
