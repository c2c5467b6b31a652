// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

struct evp_md_ctx_st;

namespace ctapp {

struct CryptoLibrary;

// Incremental sha256 (OpenSSL's libcrypto, loaded on first use:
// store/crypto_library.h), for checking blobs and layers against their
// digests while they stream.
class Sha256 {
 public:
  static Result<Sha256> create();
  void update(const void* data, size_t size);
  // "sha256:<64 hex digits>"; the object is spent afterwards.
  std::string digest();

 private:
  // The deleter holds the library the context came from.
  struct Free {
    const CryptoLibrary* crypto;
    void operator()(evp_md_ctx_st* context) const;
  };
  const CryptoLibrary& crypto() const { return *context_.get_deleter().crypto; }
  std::unique_ptr<evp_md_ctx_st, Free> context_{nullptr, Free{nullptr}};
};

// The digest of a whole file, read in one pass.
Result<std::string> sha256_of_file(const std::string& path);

}  // namespace ctapp
