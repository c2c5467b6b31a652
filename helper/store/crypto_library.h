// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <openssl/evp.h>

#include "core/result.h"

namespace ctapp {

// The libcrypto functions ctapp uses (sha256, base64), from libcrypto loaded
// on first use (core/shared_library.h says why): a restart of an app whose
// image is unpacked hashes nothing.
struct CryptoLibrary {
  decltype(&::EVP_MD_CTX_new) md_ctx_new;
  decltype(&::EVP_MD_CTX_free) md_ctx_free;
  decltype(&::EVP_sha256) sha256;
  decltype(&::EVP_DigestInit_ex) digest_init;
  decltype(&::EVP_DigestUpdate) digest_update;
  decltype(&::EVP_DigestFinal_ex) digest_final;
  decltype(&::EVP_EncodeBlock) encode_block;
  decltype(&::EVP_DecodeBlock) decode_block;
};

// libcrypto.so.3, loaded once (thread-safe).
Result<const CryptoLibrary*> crypto_library();

}  // namespace ctapp
